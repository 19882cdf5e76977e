// The import rules of ARCHITECTURE.md, enforced: the folder a file lives in decides what it may import.
import js from '@eslint/js';
import reactHooks from 'eslint-plugin-react-hooks';
import tseslint from 'typescript-eslint';

const nodeBuiltins = [
  'node:*',
  'fs',
  'path',
  'os',
  'child_process',
  'crypto',
  'http',
  'https',
  'net',
  'url',
  'worker_threads',
  'stream',
  'zlib',
  'events',
  'util',
];
const restrict = (patterns, message) => ({
  'no-restricted-imports': ['error', { patterns: [{ group: patterns, message }] }],
});

export default tseslint.config(
  { ignores: ['out/**', 'dist/**', 'node_modules/**', 'test-results/**', 'resources/**', '.cache/**', 'training/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
    },
  },
  {
    files: ['src/common/**/*.ts'],
    rules: restrict(
      [
        ...nodeBuiltins,
        'electron',
        'react',
        'react-dom',
        'sharp',
        'onnxruntime-node',
        '**/engine/**',
        '**/server/**',
        '**/cli/**',
        '**/main/**',
        '**/preload/**',
        '**/renderer/**',
      ],
      'src/common is environment-free: it may import only src/common and pure libraries (zod, fflate).',
    ),
  },
  {
    files: ['src/engine/**/*.ts'],
    rules: restrict(
      ['electron', 'react', 'react-dom', '**/server/**', '**/cli/**', '**/main/**', '**/preload/**', '**/renderer/**'],
      'src/engine is plain Node: no Electron, no DOM, no transport.',
    ),
  },
  {
    files: ['src/server/**/*.ts', 'src/cli/**/*.ts'],
    rules: restrict(
      ['electron', '**/main/**', '**/preload/**', '**/renderer/**'],
      'The CLI and the server are Node hosts of the engine: no Electron, no renderer code.',
    ),
  },
  {
    files: ['src/renderer/**/*.ts', 'src/renderer/**/*.tsx'],
    rules: restrict(
      [...nodeBuiltins, 'electron', 'sharp', 'onnxruntime-node', '**/engine/**', '**/server/**', '**/cli/**', '**/main/**', '**/preload/**'],
      'The renderer runs in a browser: it may import only src/common and web libraries.',
    ),
  },
  {
    files: ['src/main/**/*.ts'],
    rules: restrict(
      ['**/server/**', '**/cli/**', '**/renderer/**', 'react', 'react-dom'],
      'src/main is the Electron host: what it shares with serve mode lives in src/engine/service, not src/server.',
    ),
  },
  {
    files: ['src/preload/**/*.ts'],
    rules: restrict(['**/engine/**', '**/server/**', '**/cli/**', '**/renderer/**', 'sharp', 'onnxruntime-node'], 'The preload exposes the contract only.'),
  },
  {
    // The rules of hooks (called in the same order every render) and complete effect dependencies.
    files: ['src/renderer/**/*.ts', 'src/renderer/**/*.tsx'],
    plugins: { 'react-hooks': reactHooks },
    rules: { 'react-hooks/rules-of-hooks': 'error', 'react-hooks/exhaustive-deps': 'error' },
  },
  {
    files: ['bin/**/*.js', 'scripts/**/*.js', 'scripts/**/*.mjs'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly', setTimeout: 'readonly' } },
  },
);
