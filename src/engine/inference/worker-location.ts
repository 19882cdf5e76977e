/**
 * Where the inference worker's code is, under each host:
 * - from source (vitest, the tsx dev scripts): this module is a .ts file, and the worker starts
 *   from tsx-bootstrap.mjs, which registers tsx and imports worker-entry.ts;
 * - a build: electron-vite bundles worker-entry.ts as out/main/inference-worker.js (an entry of the
 *   main section of electron.vite.config.ts), and scripts/build-cli.mjs as
 *   out/cli/<build>/inference-worker.js for the `laser` bin (CLI and serve mode); this module is
 *   bundled beside it or into a chunk one folder below, so the worker is next to it or one folder up.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';

export const BUNDLED_WORKER_FILE = 'inference-worker.js';

export type WorkerFactory = () => Worker;

/** What a host tells the worker when it starts it: how models are opened (device, threads). */
export interface InferenceWorkerData {
  runtime?: { device?: 'auto' | 'cpu' | 'cuda'; threads?: number };
}

/** Names as variables: a bundler must not treat them as assets to copy. */
const sourceEntry = './worker-entry.ts';
const sourceBootstrap = './tsx-bootstrap.mjs';

export function workerLocation(moduleUrl: string = import.meta.url): { kind: 'source'; bootstrap: URL; entry: URL } | { kind: 'bundled'; file: URL } {
  if (new URL(moduleUrl).pathname.endsWith('.ts')) {
    return { kind: 'source', bootstrap: new URL(sourceBootstrap, moduleUrl), entry: new URL(sourceEntry, moduleUrl) };
  }
  const candidates = [`./${BUNDLED_WORKER_FILE}`, `../${BUNDLED_WORKER_FILE}`].map((rel) => new URL(rel, moduleUrl));
  const file = candidates.find((u) => existsSync(fileURLToPath(u)));
  if (!file) {
    throw new Error(
      `The inference worker (${BUNDLED_WORKER_FILE}) is missing beside ${fileURLToPath(moduleUrl)}; the build is incomplete (see electron.vite.config.ts).`,
    );
  }
  return { kind: 'bundled', file };
}

export function startInferenceWorker(moduleUrl?: string, data: InferenceWorkerData = {}): Worker {
  const where = workerLocation(moduleUrl);
  if (where.kind === 'bundled') return new Worker(where.file, { workerData: data });
  return new Worker(where.bootstrap, { workerData: { ...data, entry: where.entry.href } });
}
