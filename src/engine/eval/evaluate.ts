/**
 * `evaluate`: every method on every sample of a dataset, scored against the sample's truth. Runs go
 * through runMethod, so each record lands in the record cache: an evaluation that was interrupted
 * (Ctrl-C, a crash, a closed laptop) and started again returns the finished runs from the cache
 * without running the model and goes on where it stopped. The order is sample-major (every method on
 * sample 1, then on sample 2, ...), so a partial evaluation covers all methods alike.
 *
 * A sample whose image is missing (`sample.missing`), or whose run fails on its own input (an
 * unreadable image: a WorkbenchError other than cancellation), gives an error result with the reason
 * and the evaluation goes on; `strict` throws instead. A run folder (run-folder.ts) passes `skip`
 * for the rows it already has and `onResult` to append each row as it is made.
 *
 * Knobs are given once for all methods; each method takes the ones it has (as `laser run --method
 * all` does). A knob no chosen method has is refused, as is any knob out of range for this model,
 * before the first run.
 */
import { cancelledError, isWorkbenchError, WorkbenchError } from '../../common/contract/errors.ts';
import { isMethodId, knobNames, METHOD_IDS, type MethodId } from '../../common/laser/knobs.ts';
import { defaultCacheRoot } from '../laser/cache.ts';
import { resolveKnobs } from '../laser/knobs.ts';
import type { RunOptions } from '../laser/methods/context.ts';
import { LaserModel } from '../laser/model.ts';
import { runMethod } from '../laser/run-method.ts';
import type { LaserProgress } from '../laser/stages.ts';
import type { RuntimeOptions } from '../runtime/model-runtime.ts';
import { errorResult, scoreRun, type SampleResult } from './score.ts';
import type { EvalDataset, EvalSample } from './types.ts';

export interface EvalProgress {
  /** Runs finished so far (this one included once it is done), of `total`. */
  done: number;
  total: number;
  /** Of `done`, runs skipped because they were already made (a resumed run folder). */
  skipped: number;
  sampleId: string;
  method: MethodId;
  /** 'run': a run finished (from the cache or not); 'stage': a stage inside a run. */
  kind: 'run' | 'stage';
  cached: boolean | null;
  stage: LaserProgress | null;
}

export interface EvaluateRequest {
  /** A bundle folder, or an opened model (shared with the caller; not disposed here). */
  bundle: string | LaserModel;
  dataset: EvalDataset;
  methods: readonly MethodId[];
  /** Knob values for all methods; each method takes those it has. */
  knobs?: Record<string, unknown>;
  options?: Partial<RunOptions>;
  /** Evaluate only the first N samples. */
  limit?: number;
  /** Record cache root; null = none (nothing resumes). Default: defaultCacheRoot(). */
  cacheDir?: string | null;
  runtime?: RuntimeOptions;
  signal?: AbortSignal;
  onProgress?: (p: EvalProgress) => void;
  /** A failed run (missing image, unreadable file) throws instead of giving an error result. */
  strict?: boolean;
  /** Runs already made elsewhere (a resumed run folder): not run, not in `results`, counted as done. */
  skip?: (sampleId: string, method: MethodId) => boolean;
  /** Called with the model's facts and every method's knobs once they are checked, before the first run. */
  onReady?: (ready: { bundle: EvaluateResult['bundle']; knobs: EvaluateResult['knobs']; model: LaserModel }) => Promise<void> | void;
  /** Called (and awaited) with each result as soon as it is made, in order. */
  onResult?: (result: SampleResult, sample: EvalSample) => Promise<void> | void;
}

export interface EvaluateResult {
  dataset: EvalDataset;
  /** The samples evaluated (the first `limit`). */
  samples: EvalSample[];
  methods: MethodId[];
  /** Every method's knobs as its runs used them (defaults included). */
  knobs: Partial<Record<MethodId, Record<string, unknown>>>;
  /** One per sample and method, sample-major (without the skipped ones). */
  results: SampleResult[];
  /** Runs skipped because `skip` said they were done. */
  skipped: number;
  bundle: { dir: string; id: string; name: string; layers: number; heads: number };
  cacheDir: string | null;
}

/** Each method's share of the shared knobs; a knob no method has is refused. */
export function splitKnobs(methods: readonly MethodId[], knobs: Record<string, unknown>): Record<MethodId, Record<string, unknown>> {
  const out = {} as Record<MethodId, Record<string, unknown>>;
  for (const m of methods) out[m] = {};
  for (const [k, v] of Object.entries(knobs)) {
    if (v === undefined) continue;
    const takers = methods.filter((m) => knobNames(m).includes(k));
    if (takers.length === 0) {
      const owners = METHOD_IDS.filter((m) => knobNames(m).includes(k));
      throw new WorkbenchError(
        'bad-request',
        `Knob ${k} belongs to none of the methods evaluated (${methods.join(', ')}).`,
        owners.length > 0
          ? `${k} is a knob of ${owners.join(', ')}.`
          : `Knobs of these methods: ${[...new Set(methods.flatMap(knobNames))].join(', ') || 'none'}.`,
      );
    }
    for (const m of takers) out[m][k] = v;
  }
  return out;
}

function checkMethods(methods: readonly MethodId[]): MethodId[] {
  if (methods.length === 0) throw new WorkbenchError('bad-request', 'No method to evaluate.', `Methods are: ${METHOD_IDS.join(', ')}.`);
  const seen = new Set<MethodId>();
  for (const m of methods) {
    if (!isMethodId(m)) throw new WorkbenchError('bad-request', `Unknown method ${JSON.stringify(m)}.`, `Methods are: ${METHOD_IDS.join(', ')}.`);
    seen.add(m);
  }
  return [...seen];
}

export async function evaluate(req: EvaluateRequest): Promise<EvaluateResult> {
  const methods = checkMethods(req.methods);
  if (req.limit !== undefined && !(Number.isInteger(req.limit) && req.limit >= 1)) {
    throw new WorkbenchError('bad-request', `limit is ${req.limit}; it must be a positive integer.`, 'Leave it out to evaluate every sample.');
  }
  const samples = req.dataset.samples.slice(0, req.limit);
  if (samples.length === 0) throw new WorkbenchError('bad-request', `${req.dataset.sources.join(', ')}: the dataset has no samples.`);
  const perMethod = splitKnobs(methods, req.knobs ?? {});
  const cacheDir = req.cacheDir === undefined ? defaultCacheRoot() : req.cacheDir;

  const owned = typeof req.bundle === 'string';
  const model = typeof req.bundle === 'string' ? await LaserModel.open(req.bundle, req.runtime) : req.bundle;
  try {
    // every knob checked against this model before the first run
    const knobs: EvaluateResult['knobs'] = {};
    for (const m of methods) knobs[m] = resolveKnobs(m, perMethod[m], model.facts).knobs as Record<string, unknown>;

    const m = model.manifest;
    const bundle = { dir: model.dir, id: model.bundleId, name: m.source.name, layers: model.facts.layers, heads: model.facts.heads };
    await req.onReady?.({ bundle, knobs, model });

    const total = samples.length * methods.length;
    const results: SampleResult[] = [];
    let done = 0;
    let skipped = 0;
    for (const sample of samples) {
      for (const method of methods) {
        if (req.signal?.aborted) throw cancelledError();
        if (req.skip?.(sample.id, method)) {
          done++;
          skipped++;
          continue;
        }
        const base = { done, total, skipped, sampleId: sample.id, method };
        let result: SampleResult;
        if (sample.missing !== undefined) {
          if (req.strict)
            throw new WorkbenchError(
              'not-found',
              `Sample ${sample.id}: ${sample.missing}`,
              'Pass --images <folder> (several allowed), or leave out --strict to record the sample as an error and go on.',
            );
          result = errorResult(sample, method, sample.missing);
        } else {
          try {
            const run = await runMethod({
              bundle: model,
              imagePath: sample.imagePath,
              question: sample.question,
              method,
              knobs: perMethod[method],
              options: req.options,
              cacheDir,
              signal: req.signal,
              onProgress: req.onProgress ? (stage) => req.onProgress!({ ...base, kind: 'stage', cached: null, stage }) : undefined,
            });
            result = scoreRun(sample, run.record, run.tensors, run.dir, run.cached);
          } catch (e) {
            // name the sample, so a bad image or question among thousands can be found
            if (!isWorkbenchError(e) || e.code === 'cancelled') throw e;
            if (req.strict) throw new WorkbenchError(e.code, `Sample ${sample.id} (${sample.imagePath}), ${method}: ${e.message}`, e.hint);
            result = errorResult(sample, method, e.message);
          }
        }
        results.push(result);
        await req.onResult?.(result, sample);
        done++;
        req.onProgress?.({ ...base, done, kind: 'run', cached: result.cached, stage: null });
      }
    }
    return { dataset: req.dataset, samples, methods, knobs, results, skipped, bundle, cacheDir };
  } finally {
    if (owned) await model.dispose();
  }
}
