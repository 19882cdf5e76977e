/** Starts test/support/hanging-inference-worker.ts as the inference worker does its entry from source. */
import { Worker } from 'node:worker_threads';

export function startHangingInferenceWorker(): Worker {
  const bootstrap = new URL('../../src/engine/inference/tsx-bootstrap.mjs', import.meta.url);
  return new Worker(bootstrap, { workerData: { entry: new URL('./hanging-inference-worker.ts', import.meta.url).href } });
}
