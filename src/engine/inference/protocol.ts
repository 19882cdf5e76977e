/**
 * What the inference client (the engine's calling thread) and the inference worker (a worker thread
 * that owns the onnxruntime sessions) say to each other. onnxruntime-node runs a graph
 * synchronously, so a prefill on the calling thread would freeze every other call for its
 * duration; here it freezes only the worker.
 *
 * One zod table of operations in the contract's shape (src/common/contract/host.ts OpTable: each
 * with its arguments, result and progress schema); both ends' types are derived from it. The two
 * ends are the contract's own: the worker serves the table with `createTableHost` (which checks
 * every call's arguments against it) and the client calls it through `createClient`, so the
 * messages are the contract's wire protocol (src/common/contract/wire.ts), `call`/`cancel` to the
 * worker, `progress`/`result`/`error` back, and cancellation and a peer that dies behave as on the
 * app's transports. A cancel aborts the operation's AbortSignal inside the worker, which the engine
 * checks between onnxruntime runs. Progress is the contract's own CompileProgress and
 * LaserProgress. Everything is structured-cloneable (plain objects, strings, numbers).
 */
import { z } from 'zod';
import { CompileOptionsRequest, CompileProgress, LaserProgress, MethodId, method as op } from '../../common/contract/methods.ts';

const Dir = z.string().min(1);

/** The prompt and decoding options of a run (src/engine/laser/methods/context.ts RunOptions), all optional. */
const RunOptions = z
  .object({
    instruction: z.string(),
    systemPrompt: z.string().nullable(),
    maxNewTokens: z.number().int(),
    topCandidates: z.number().int(),
    reusePrefix: z.boolean(),
    minPixels: z.number().int(),
    maxPixels: z.number().int(),
  })
  .partial()
  .strict();

const RunArgs = z
  .object({
    bundleDir: Dir,
    /** The real path of the image (the caller has checked it lies inside an opened folder). */
    imagePath: Dir,
    question: z.string(),
    method: MethodId,
    knobs: z.record(z.string(), z.unknown()),
    /** Root of the record cache; null = no cache (the result then has no folder to load). */
    cacheDir: z.string().nullable(),
    options: RunOptions.optional(),
    /** Run the model even when the cache holds this run; the new record replaces the stored one. */
    rerun: z.boolean().optional(),
    /** The user's image pixel limit (absent: the default); LASER_MAX_IMAGE_PIXELS still wins. */
    maxImagePixels: z.number().int().positive().optional(),
  })
  .strict();

const RunResult = z.object({
  /** The record's id (its cache key). */
  id: z.string(),
  /** The record folder, or null when run without a cache. */
  dir: z.string().nullable(),
  cached: z.boolean(),
  /** The layer the map was made at (null for methods without one). */
  layer: z.number().int().nullable(),
  /** VAQ per layer (null for methods without it). */
  vaq: z.array(z.number()).nullable(),
});

/** A stage of a run starting or finishing, or 'queued' while another run goes: the contract's LaserProgress, with the method. */
export const RunProgress = LaserProgress.extend({ method: MethodId });

export const inferenceOps = {
  /** Compiles a Hugging Face checkpoint folder into a bundle folder. */
  compile: op(z.object({ source: Dir, target: Dir, options: CompileOptionsRequest.optional() }).strict(), z.object({ dir: z.string() }), CompileProgress),
  /** The demo model's bundle folder, compiling it into `cacheRoot` first if needed. */
  demo: op(z.object({ source: Dir, cacheRoot: Dir }).strict(), z.object({ dir: z.string(), compiled: z.boolean() }), CompileProgress),
  /** One method on one image and question (laser/run-method.ts). */
  run: op(RunArgs, RunResult, RunProgress),
  /** Closes the sessions of a bundle (before it is removed); true when it was open. */
  release: op(z.object({ dir: Dir }).strict(), z.object({ released: z.boolean() })),
  /**
   * Closes every open model, before the worker is stopped: a worker terminated while it holds
   * onnxruntime sessions leaves their native finalizers to run during the thread's teardown, which
   * can abort the whole process ("terminate called after throwing an instance of 'Napi::Error'",
   * seen once in CI).
   */
  closeAll: op(z.object({}).strict(), z.object({ closed: z.number().int() })),
} as const;

type Table = typeof inferenceOps;
export type OpName = keyof Table;
export type ArgsOf<K extends OpName> = z.input<Table[K]['request']>;
export type ResultOf<K extends OpName> = z.output<Table[K]['response']>;
export type ProgressOfOp<K extends OpName> = z.output<Table[K]['progress']>;
export type RunArgs = ArgsOf<'run'>;
export type RunResult = ResultOf<'run'>;
export type RunProgress = ProgressOfOp<'run'>;
