/**
 * An inference worker for transport tests (test/transports/cancel-and-death.test.ts): the real
 * worker server (src/engine/inference/worker-server.ts) over an op table whose `compile` reports one
 * progress event and then waits for its cancel, so a test can cancel it or kill the worker mid-call.
 * Started with `startHangingInferenceWorker` (through the engine's own tsx bootstrap).
 */
import { parentPort } from 'node:worker_threads';
import { cancelledError, WorkbenchError } from '../../src/common/contract/errors.ts';
import type { Ops } from '../../src/engine/inference/worker-ops.ts';
import { serveInference } from '../../src/engine/inference/worker-server.ts';

const notHere = async (): Promise<never> => {
  throw new WorkbenchError('internal', 'Not offered by the hanging test worker.');
};

const ops: Ops = {
  compile: (_args, { signal, progress }) =>
    new Promise((_, reject) => {
      signal.addEventListener('abort', () => reject(cancelledError()), { once: true });
      progress({ stage: 'weights', tensorsDone: 0, tensorsTotal: 1, bytesDone: 0, bytesTotal: 1 });
    }),
  demo: notHere,
  run: notHere,
  release: async () => ({ released: false }),
  closeAll: async () => ({ closed: 0 }),
};

if (parentPort) serveInference(parentPort, ops);
