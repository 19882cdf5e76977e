import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUNDLED_WORKER_FILE, workerLocation } from './worker-location.ts';

let out: string;

beforeAll(async () => {
  // out/main/{engine-host.js, inference-worker.js, chunks/…} as electron-vite writes them.
  out = await mkdtemp(join(tmpdir(), 'laser-out-'));
  await mkdir(join(out, 'main', 'chunks'), { recursive: true });
  await writeFile(join(out, 'main', BUNDLED_WORKER_FILE), '');
});
afterAll(async () => {
  await rm(out, { recursive: true, force: true });
});

describe('workerLocation', () => {
  it('starts the TypeScript entry through the tsx bootstrap when running from source', () => {
    const where = workerLocation('file:///repo/src/engine/inference/worker-location.ts');
    expect(where).toEqual({
      kind: 'source',
      bootstrap: new URL('file:///repo/src/engine/inference/tsx-bootstrap.mjs'),
      entry: new URL('file:///repo/src/engine/inference/worker-entry.ts'),
    });
  });

  it('finds the bundled worker beside the bundled module or one folder up from a chunk', () => {
    const worker = pathToFileURL(join(out, 'main', BUNDLED_WORKER_FILE));
    expect(workerLocation(pathToFileURL(join(out, 'main', 'engine-host.js')).href)).toEqual({ kind: 'bundled', file: worker });
    expect(workerLocation(pathToFileURL(join(out, 'main', 'chunks', 'client-abc.js')).href)).toEqual({ kind: 'bundled', file: worker });
  });

  it('says the build is incomplete when the bundled worker is missing', () => {
    expect(() => workerLocation(pathToFileURL(join(out, 'elsewhere', 'engine-host.js')).href)).toThrow(
      /inference-worker\.js\) is missing.*build is incomplete/,
    );
  });
});
