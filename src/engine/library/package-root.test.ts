import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { packageRoot, packageRootOf } from './package-root.ts';

describe('packageRoot', () => {
  it('is the checkout from source', () => {
    expect(packageRoot()).toBe(join(import.meta.dirname, '../../..'));
  });

  it('walks past package.json files of other packages to ours, at any depth (bundled under out/)', async () => {
    const root = await mkdtemp(join(tmpdir(), 'laser-root-'));
    try {
      await writeFile(join(root, 'package.json'), JSON.stringify({ name: 'laser-workbench' }));
      await mkdir(join(root, 'out', 'cli'), { recursive: true });
      await writeFile(join(root, 'out', 'package.json'), JSON.stringify({ name: 'something-else' }));
      expect(packageRootOf(pathToFileURL(join(root, 'out', 'cli', 'index.js')).href)).toBe(root);
      expect(packageRootOf(pathToFileURL(join(root, 'src', 'engine', 'laser', 'x.ts')).href)).toBe(root);
      await writeFile(join(root, 'package.json'), '{"name": "other"}');
      expect(() => packageRootOf(pathToFileURL(join(root, 'out', 'cli', 'index.js')).href)).toThrow(/No package.json of laser-workbench above/);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
