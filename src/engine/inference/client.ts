/**
 * The calling thread's side of the inference worker. The worker starts on the first call and is
 * reused; if it dies (a native crash, out of memory, a bug that escapes), every call in flight fails
 * with an error that says so, and the next call starts a fresh worker. Cancelling a call (its
 * AbortSignal) is passed into the worker, which stops at the next onnxruntime run boundary and
 * answers 'cancelled'. An idle worker does not keep the process alive.
 *
 * The calls go through the contract's own client (createClient over the worker's port), so ids,
 * progress, cancels and failing what is in flight are the code every transport uses.
 */
import type { Worker } from 'node:worker_threads';
import { createClient, type TableCallOptions, type TableClient } from '../../common/contract/client.ts';
import { cancelledError, WorkbenchError } from '../../common/contract/errors.ts';
import type { ClientMessage } from '../../common/contract/wire.ts';
import type { ArgsOf, inferenceOps, OpName, ProgressOfOp, ResultOf } from './protocol.ts';
import { startInferenceWorker, type WorkerFactory } from './worker-location.ts';

export type InferenceCallOptions<K extends OpName> = TableCallOptions<ProgressOfOp<K>>;

const opWords: Record<OpName, string> = {
  compile: 'compiling a model',
  demo: 'preparing the demo model',
  run: 'running a method',
  release: 'closing a model',
  closeAll: 'closing the open models',
};

function crashError(op: string, exitCode: number | null, reason: Error | null): WorkbenchError {
  const why = reason ? `: ${reason.message}` : exitCode === null ? '' : ` (exit code ${exitCode})`;
  return new WorkbenchError(
    'internal',
    `The inference worker stopped unexpectedly while ${opWords[op as OpName] ?? op}${why}.`,
    'Try again: a fresh worker starts on the next request. If it keeps happening, the model may need more memory than this machine has.',
  );
}

export class InferenceClient {
  private worker: Worker | null = null;
  private lastError: Error | null = null;
  private disposed = false;
  private receive: (message: unknown) => void = () => undefined;
  private readonly client: TableClient<typeof inferenceOps>;

  constructor(private readonly spawn: WorkerFactory = () => startInferenceWorker()) {
    this.client = createClient<typeof inferenceOps>(
      {
        send: (message: ClientMessage) => this.worker?.postMessage(message),
        onMessage: (receive) => (this.receive = receive),
      },
      {
        onInFlightChange: (count) => {
          if (count === 0) this.worker?.unref();
          else this.worker?.ref();
        },
      },
    );
  }

  /** Whether a worker is running now. */
  get running(): boolean {
    return this.worker !== null;
  }

  get inFlight(): number {
    return this.client.inFlight;
  }

  call<K extends OpName>(op: K, args: ArgsOf<K>, options: InferenceCallOptions<K> = {}): Promise<ResultOf<K>> {
    if (this.disposed) return Promise.reject(new WorkbenchError('internal', 'The inference worker was shut down.', 'Restart the workbench.'));
    if (options.signal?.aborted) return Promise.reject(cancelledError());
    try {
      this.ensureWorker();
    } catch (e) {
      return Promise.reject(
        new WorkbenchError(
          'internal',
          `The inference worker could not be started: ${(e as Error).message}`,
          'This is a bug in the installation; please report it.',
        ),
      );
    }
    return this.client.call(op, args, options);
  }

  /**
   * Stops the worker; calls in flight fail. When it is idle its models are closed first (within
   * `closeTimeoutMs`), so that no onnxruntime session is torn down with the thread (see `closeAll`).
   */
  async dispose(closeTimeoutMs = 5000): Promise<void> {
    const w = this.worker;
    if (w && !this.disposed && this.client.inFlight === 0) {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, closeTimeoutMs)));
      await Promise.race([
        this.call('closeAll', {}).then(
          () => undefined,
          () => undefined,
        ),
        timeout,
      ]);
      clearTimeout(timer);
    }
    this.disposed = true;
    if (w) await w.terminate();
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    const w = this.spawn();
    this.worker = w;
    this.lastError = null;
    w.on('message', (m: unknown) => this.receive(m));
    // An uncaught exception in the worker: 'exit' follows, which fails the calls.
    w.on('error', (e: Error) => {
      this.lastError = e;
    });
    w.on('exit', (code) => this.onExit(w, code));
    return w;
  }

  private onExit(w: Worker, code: number): void {
    if (this.worker !== w) return;
    this.worker = null;
    const reason = this.lastError;
    this.client.failAll((op) => (this.disposed ? new WorkbenchError('cancelled', 'Cancelled: the workbench is shutting down.') : crashError(op, code, reason)));
  }
}
