/**
 * Entry of the inference worker thread: out/main/inference-worker.js in the Electron build,
 * out/cli/<build>/inference-worker.js for the `laser` bin, this file through tsx-bootstrap.mjs when
 * the engine runs from source (tests, the tsx dev scripts).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { LaserModel } from '../laser/model.ts';
import { reportUnexpected } from '../library/crash-log.ts';
import { DEFAULT_IDLE_MS, ModelCache } from './model-cache.ts';
import type { InferenceWorkerData } from './worker-location.ts';
import { createOps } from './worker-ops.ts';
import { serveInference } from './worker-server.ts';

if (!parentPort) throw new Error('worker-entry.ts is the inference worker; start it with InferenceClient, not directly.');
const runtime = (workerData as InferenceWorkerData | null)?.runtime ?? {};
// A thrown operation answers its call with an error naming its crash log; the worker stays up.
serveInference(parentPort, createOps(new ModelCache(DEFAULT_IDLE_MS, (dir) => LaserModel.open(dir, runtime))), {
  onUnexpected: reportUnexpected('inference worker'),
});
