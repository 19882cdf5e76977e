/**
 * The messages between the inference client (the engine's calling thread) and the inference worker
 * (a worker thread that owns the onnxruntime sessions). onnxruntime-node runs a graph synchronously,
 * so a prefill on the calling thread would freeze every other call for its duration; here it
 * freezes only the worker.
 *
 * One table of operations, each with its arguments, result and progress event; a call is answered
 * by any number of progress events and then exactly one result or error. A cancel aborts the
 * operation's AbortSignal inside the worker, which the engine checks between onnxruntime runs.
 * Everything is structured-cloneable (plain objects, strings, numbers).
 */
import type { WorkbenchErrorData } from '../../common/contract/errors.ts';
import type { MethodId } from '../../common/laser/knobs.ts';
import type { CompileProgress } from '../compiler/compile.ts';
import type { RunOptions } from '../laser/methods/index.ts';
import type { LaserProgress } from '../laser/stages.ts';

export interface RunArgs {
  bundleDir: string;
  /** The real path of the image (the caller has checked it lies inside an opened folder). */
  imagePath: string;
  question: string;
  method: MethodId;
  knobs: Record<string, unknown>;
  /** Root of the record cache; null = no cache (the result then has no folder to load). */
  cacheDir: string | null;
  options?: Partial<RunOptions>;
  /** Run the model even when the cache holds this run; the new record replaces the stored one. */
  rerun?: boolean;
}

export interface RunResult {
  /** The record's id (its cache key). */
  id: string;
  /** The record folder, or null when run without a cache. */
  dir: string | null;
  cached: boolean;
  /** The layer the map was made at (null for methods without one). */
  layer: number | null;
  /** VAQ per layer (null for methods without it). */
  vaq: number[] | null;
}

/** A progress event of a run: a stage starting or finishing, or 'queued' while another run goes. */
export type RunProgress = LaserProgress | { method: MethodId; stage: 'queued'; step: number; total: number };

export interface InferenceOps {
  /** Compiles a Hugging Face checkpoint folder into a bundle folder. */
  compile: { args: { source: string; target: string }; result: { dir: string }; progress: CompileProgress };
  /** The demo model's bundle folder, compiling it into `cacheRoot` first if needed. */
  demo: { args: { source: string; cacheRoot: string }; result: { dir: string; compiled: boolean }; progress: CompileProgress };
  /** One method on one image and question (laser/run-method.ts). */
  run: { args: RunArgs; result: RunResult; progress: RunProgress };
  /** Closes the sessions of a bundle (before it is removed); true when it was open. */
  release: { args: { dir: string }; result: { released: boolean }; progress: never };
  /**
   * Closes every open model, before the worker is stopped: a worker terminated while it holds
   * onnxruntime sessions leaves their native finalizers to run during the thread's teardown, which
   * can abort the whole process ("terminate called after throwing an instance of 'Napi::Error'",
   * seen once in CI).
   */
  closeAll: { args: Record<string, never>; result: { closed: number }; progress: never };
}

export type OpName = keyof InferenceOps;
export type ArgsOf<K extends OpName> = InferenceOps[K]['args'];
export type ResultOf<K extends OpName> = InferenceOps[K]['result'];
export type ProgressOfOp<K extends OpName> = InferenceOps[K]['progress'];

export const OP_NAMES: readonly OpName[] = ['compile', 'demo', 'run', 'release', 'closeAll'];

export type ToWorker = { type: 'call'; id: number; op: OpName; args: unknown } | { type: 'cancel'; id: number };

export type FromWorker =
  | { type: 'progress'; id: number; progress: unknown }
  | { type: 'result'; id: number; result: unknown }
  | { type: 'error'; id: number; error: WorkbenchErrorData };
