/**
 * What the inference worker does for each operation of the protocol. Runs go one at a time (a
 * second run waits, reporting 'queued'): two interleaved runs would only share the CPU or GPU and
 * double the memory, and one after the other each finishes sooner. Compiles do not wait for runs.
 */
import { cancelledError } from '../../common/contract/errors.ts';
import type { CompileProgress } from '../../common/contract/methods.ts';
import { compileBundle } from '../compiler/compile.ts';
import { demoBundle } from '../laser/demo-bundle.ts';
import { runMethod } from '../laser/run-method.ts';
import { createLimiter } from '../library/concurrency.ts';
import { setMaxImagePixelsSetting } from '../library/imageErrors.ts';
import { ModelCache } from './model-cache.ts';
import type { HandlersOf } from '../../common/contract/host.ts';
import type { inferenceOps } from './protocol.ts';

/** One handler per operation of the table, typed from its schemas. */
export type Ops = HandlersOf<typeof inferenceOps>;

/** Compile progress comes per tensor and per hashed chunk; a few events a second are plenty. */
const COMPILE_PROGRESS_INTERVAL_MS = 100;

/** Passes on the first and last event of each stage and at most one per interval in between. */
export function throttleCompileProgress(send: (p: CompileProgress) => void, intervalMs = COMPILE_PROGRESS_INTERVAL_MS): (p: CompileProgress) => void {
  let last = -Infinity;
  let stage: CompileProgress['stage'] | null = null;
  return (p) => {
    const now = performance.now();
    const done = p.stage === 'weights' ? p.tensorsDone === p.tensorsTotal : p.bytesDone === p.bytesTotal;
    if (p.stage !== stage || done || now - last >= intervalMs) {
      stage = p.stage;
      last = now;
      send({ ...p });
    }
  };
}

export function createOps(models: ModelCache = new ModelCache()): Ops & { models: ModelCache } {
  const runs = createLimiter(1);
  return {
    models,
    async compile({ source, target, options }, { signal, progress }) {
      const r = await compileBundle(source, target, { ...options, signal, onProgress: throttleCompileProgress(progress) });
      return { dir: r.dir };
    },
    async demo({ source, cacheRoot }, { signal, progress }) {
      let compiled = false;
      const dir = await demoBundle({
        source,
        cacheRoot,
        signal,
        onProgress: throttleCompileProgress(progress),
        onCompileStart: () => {
          compiled = true;
        },
      });
      return { dir, compiled };
    },
    async run(args, { signal, progress }) {
      if (runs.active > 0) progress({ method: args.method, stage: 'queued', step: 0, total: 1 });
      return runs.run(async () => {
        if (signal.aborted) throw cancelledError();
        // One run at a time, so the limit set here is the one its image is read with.
        setMaxImagePixelsSetting(args.maxImagePixels ?? null);
        return models.use(args.bundleDir, async (model) => {
          const r = await runMethod({
            bundle: model,
            imagePath: args.imagePath,
            question: args.question,
            method: args.method,
            knobs: args.knobs,
            options: args.options,
            cacheDir: args.cacheDir,
            rerun: args.rerun,
            signal,
            onProgress: progress,
          });
          return { id: r.record.cacheKey, dir: r.dir, cached: r.cached, layer: r.record.layer, vaq: r.record.vaq };
        });
      });
    },
    async release({ dir }) {
      return { released: await models.release(dir) };
    },
    async closeAll() {
      const closed = models.openDirs().length;
      await models.closeAll();
      return { closed };
    },
  };
}
