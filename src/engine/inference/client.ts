/**
 * The calling thread's side of the inference worker. The worker starts on the first call and is
 * reused; if it dies (a native crash, out of memory, a bug that escapes), every call in flight fails
 * with an error that says so, and the next call starts a fresh worker. Cancelling a call (its
 * AbortSignal) is passed into the worker, which stops at the next onnxruntime run boundary and
 * answers 'cancelled'. An idle worker does not keep the process alive.
 */
import type { Worker } from 'node:worker_threads';
import { cancelledError, WorkbenchError } from '../../common/contract/errors.ts';
import type { ArgsOf, FromWorker, OpName, ProgressOfOp, ResultOf, ToWorker } from './protocol.ts';
import { startInferenceWorker, type WorkerFactory } from './worker-location.ts';

export interface InferenceCallOptions<K extends OpName> {
  signal?: AbortSignal;
  onProgress?: (event: ProgressOfOp<K>) => void;
}

interface Pending {
  op: OpName;
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
  onProgress?: (p: never) => void;
  detach: () => void;
}

const opWords: Record<OpName, string> = {
  compile: 'compiling a model',
  demo: 'preparing the demo model',
  run: 'running a method',
  release: 'closing a model',
  closeAll: 'closing the open models',
};

function crashError(op: OpName, exitCode: number | null, reason: Error | null): WorkbenchError {
  const why = reason ? `: ${reason.message}` : exitCode === null ? '' : ` (exit code ${exitCode})`;
  return new WorkbenchError(
    'internal',
    `The inference worker stopped unexpectedly while ${opWords[op]}${why}.`,
    'Try again: a fresh worker starts on the next request. If it keeps happening, the model may need more memory than this machine has.',
  );
}

export class InferenceClient {
  private worker: Worker | null = null;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private lastError: Error | null = null;
  private disposed = false;

  constructor(private readonly spawn: WorkerFactory = () => startInferenceWorker()) {}

  /** Whether a worker is running now. */
  get running(): boolean {
    return this.worker !== null;
  }

  get inFlight(): number {
    return this.pending.size;
  }

  call<K extends OpName>(op: K, args: ArgsOf<K>, options: InferenceCallOptions<K> = {}): Promise<ResultOf<K>> {
    if (this.disposed) return Promise.reject(new WorkbenchError('internal', 'The inference worker was shut down.', 'Restart the workbench.'));
    if (options.signal?.aborted) return Promise.reject(cancelledError());
    let worker: Worker;
    try {
      worker = this.ensureWorker();
    } catch (e) {
      return Promise.reject(new WorkbenchError('internal', `The inference worker could not be started: ${(e as Error).message}`, 'This is a bug in the installation; please report it.'));
    }
    const id = this.nextId++;
    return new Promise<ResultOf<K>>((resolve, reject) => {
      const onAbort = () => this.post({ type: 'cancel', id });
      options.signal?.addEventListener('abort', onAbort, { once: true });
      this.pending.set(id, {
        op,
        resolve: resolve as (v: unknown) => void,
        reject,
        onProgress: options.onProgress as ((p: never) => void) | undefined,
        detach: () => options.signal?.removeEventListener('abort', onAbort),
      });
      worker.ref();
      this.post({ type: 'call', id, method: op, request: args });
    });
  }

  /**
   * Stops the worker; calls in flight fail. When it is idle its models are closed first (within
   * `closeTimeoutMs`), so that no onnxruntime session is torn down with the thread (see `closeAll`).
   */
  async dispose(closeTimeoutMs = 5000): Promise<void> {
    const w = this.worker;
    if (w && !this.disposed && this.pending.size === 0) {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, closeTimeoutMs)));
      await Promise.race([this.call('closeAll', {}).then(() => undefined, () => undefined), timeout]);
      clearTimeout(timer);
    }
    this.disposed = true;
    if (w) await w.terminate();
  }

  private post(message: ToWorker): void {
    this.worker?.postMessage(message);
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    const w = this.spawn();
    this.worker = w;
    this.lastError = null;
    w.on('message', (m: FromWorker) => this.receive(m));
    // An uncaught exception in the worker: 'exit' follows, which fails the calls.
    w.on('error', (e: Error) => {
      this.lastError = e;
    });
    w.on('exit', (code) => this.onExit(w, code));
    return w;
  }

  private receive(m: FromWorker): void {
    if (m.id === null) return;
    const entry = this.pending.get(m.id);
    if (!entry) return;
    if (m.type === 'progress') {
      entry.onProgress?.(m.progress as never);
      return;
    }
    this.settle(m.id, entry);
    if (m.type === 'result') entry.resolve(m.response);
    else entry.reject(WorkbenchError.fromData(m.error));
  }

  private settle(id: number, entry: Pending): void {
    this.pending.delete(id);
    entry.detach();
    if (this.pending.size === 0) this.worker?.unref();
  }

  private onExit(w: Worker, code: number): void {
    if (this.worker !== w) return;
    this.worker = null;
    const reason = this.lastError;
    for (const [id, entry] of [...this.pending]) {
      this.settle(id, entry);
      entry.reject(this.disposed ? new WorkbenchError('cancelled', 'Cancelled: the workbench is shutting down.') : crashError(entry.op, code, reason));
    }
  }
}
