import { resolve } from 'node:path';
import { defineConfig, externalizeDepsPlugin } from 'electron-vite';
import react from '@vitejs/plugin-react';
import type { Plugin } from 'vite';

/**
 * The renderer's CSP forbids inline scripts and styles. The React refresh preamble that the dev
 * server injects is an inline script and the dev server puts CSS in <style> elements, so in
 * `electron-vite dev` (and only there) the meta CSP allows both. Production builds keep the strict
 * policy (CSS as files).
 */
function devCspRelaxation(): Plugin {
  return {
    name: 'laser-dev-csp',
    apply: 'serve',
    transformIndexHtml: (html) =>
      html.replace("script-src 'self'", "script-src 'self' 'unsafe-inline'").replace("style-src 'self'", "style-src 'self' 'unsafe-inline'"),
  };
}

// One section per process. The engine is bundled into the main-process outputs (the window host and
// the engine's utility process); native modules (sharp, onnxruntime-node) stay external.
export default defineConfig({
  main: {
    plugins: [externalizeDepsPlugin()],
    build: {
      rollupOptions: {
        input: {
          index: resolve(__dirname, 'src/main/index.ts'),
          'engine-host': resolve(__dirname, 'src/main/engine-host.ts'),
          // The engine's worker thread for model work (src/engine/inference/worker-location.ts finds it).
          'inference-worker': resolve(__dirname, 'src/engine/inference/worker-entry.ts'),
        },
      },
    },
  },
  preload: {
    plugins: [externalizeDepsPlugin({ exclude: ['zod'] })],
    build: {
      rollupOptions: {
        input: { index: resolve(__dirname, 'src/preload/index.ts') },
        // Sandboxed preloads cannot load ES modules.
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: resolve(__dirname, 'src/renderer'),
    plugins: [react(), devCspRelaxation()],
    build: {
      minify: true,
      rollupOptions: { input: { index: resolve(__dirname, 'src/renderer/index.html') } },
    },
  },
});
