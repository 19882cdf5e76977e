/**
 * The service-level entry point: one method on one (image, question) with one bundle, returning its
 * analysis record. Checks the request before anything is loaded (empty question, unknown method or
 * knob, knob out of range, missing image), returns the cached record when the same run was made
 * before, and otherwise runs the method stage by stage with progress and cancellation.
 */
import { basename } from 'node:path';
import { WorkbenchError } from '../../common/contract/errors.ts';
import { isMethodId, METHOD_IDS, type AnyKnobs, type MethodId } from '../../common/laser/index.ts';
import { decodeImage } from '../preprocess/decode.ts';
import type { RuntimeOptions } from '../runtime/model-runtime.ts';
import { firstNonFiniteScore } from '../../common/laser/finite-scores.ts';
import { cacheKey, defaultCacheRoot, RecordCache } from './cache.ts';
import { readImageBytes } from './image.ts';
import { resolveKnobs } from './knobs.ts';
import { masksLikeInput, runMethodSteps, type RunOptions } from './methods/index.ts';
import { encodeInputs, type RunContext } from './methods/context.ts';
import { LaserModel } from './model.ts';
import { checkQuestion, DEFAULT_INSTRUCTION } from './prompts.ts';
import { buildRecord } from './record-build.ts';
import { encodeInputPngs, type LoadedRecord } from './record-io.ts';
import { StageClock, type ProgressSink } from './stages.ts';
import { cellMapping, gridOf, modelInput, withPixelBounds } from './views.ts';

export const DEFAULT_RUN_OPTIONS: RunOptions = {
  instruction: DEFAULT_INSTRUCTION,
  systemPrompt: null,
  maxNewTokens: 32,
  topCandidates: 5,
  reusePrefix: true,
};

export interface RunMethodRequest {
  /** A bundle folder, or a model already opened (shared by several runs). */
  bundle: string | LaserModel;
  imagePath: string;
  question: string;
  method: MethodId;
  /** Knob values; the rest take their defaults. */
  knobs?: Record<string, unknown>;
  options?: Partial<RunOptions>;
  /** Root of the record cache; null = no cache. Default: defaultCacheRoot(). */
  cacheDir?: string | null;
  /** Run the model even when the cache holds this run; the new record then replaces the stored one. */
  rerun?: boolean;
  /** When the bundle is given as a folder. */
  runtime?: RuntimeOptions;
  signal?: AbortSignal;
  onProgress?: ProgressSink;
}

export interface RunMethodResult extends Omit<LoadedRecord, 'dir'> {
  /** The record's folder in the cache, or null when not cached. */
  dir: string | null;
  /** The record came from the cache (the model did not run). */
  cached: boolean;
}

function checkOptions(partial: Partial<RunOptions> | undefined): RunOptions {
  const o = { ...DEFAULT_RUN_OPTIONS, ...(partial ?? {}) };
  const intIn = (name: keyof RunOptions, lo: number, hi: number) => {
    const v = o[name];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < lo || v > hi) {
      throw new WorkbenchError(
        'bad-request',
        `Option ${name} is ${JSON.stringify(v)}; it must be an integer in ${lo}..${hi}.`,
        `Change ${name}, or leave it out for ${DEFAULT_RUN_OPTIONS[name]}.`,
      );
    }
  };
  intIn('maxNewTokens', 1, 4096);
  intIn('topCandidates', 1, 100);
  if (typeof o.instruction !== 'string') throw new WorkbenchError('bad-request', 'Option instruction must be a string.', "Use '' for no instruction.");
  if (o.systemPrompt !== null && typeof o.systemPrompt !== 'string') throw new WorkbenchError('bad-request', 'Option systemPrompt must be a string or null.');
  // Unset bounds stay out of the options, so records cached before the option existed keep their keys.
  if (o.minPixels === undefined) delete o.minPixels;
  if (o.maxPixels === undefined) delete o.maxPixels;
  return o;
}

export async function runMethod(req: RunMethodRequest): Promise<RunMethodResult> {
  checkQuestion(req.question);
  if (!isMethodId(req.method))
    throw new WorkbenchError('bad-request', `Unknown method ${JSON.stringify(req.method)}.`, `Methods are: ${METHOD_IDS.join(', ')}.`);
  const options = checkOptions(req.options);
  const clock = new StageClock(req.method, req.signal, req.onProgress);
  const owned = typeof req.bundle === 'string';
  const model = typeof req.bundle === 'string' ? await clock.run('load-model', () => LaserModel.open(req.bundle as string, req.runtime)) : req.bundle;
  try {
    const resolved = resolveKnobs(req.method, req.knobs ?? {}, model.facts);
    const processor = withPixelBounds(model.processor, options);
    const file = await clock.run('read-image', () => readImageBytes(req.imagePath));
    const cacheRoot = req.cacheDir === undefined ? defaultCacheRoot() : req.cacheDir;
    const cache = cacheRoot === null ? null : new RecordCache(cacheRoot);
    const key = cacheKey({
      bundleId: model.bundleId,
      imageHash: file.hash,
      question: req.question,
      method: req.method,
      knobs: resolved.knobs as Record<string, unknown>,
      options: { ...options },
    });
    const hit = cache && !req.rerun ? await cache.get(key) : null;
    if (hit) return { ...hit, cached: true };

    const rgb = await clock.run('read-image', () => decodeImage(file.bytes, basename(req.imagePath)));
    const rt = await clock.run('load-model', () => model.runtime());
    const input = await clock.run('preprocess', () => modelInput(rgb, processor, null, masksLikeInput(req.method)));
    const features = await clock.run('encode-images', () => encodeInputs(rt, [input]));
    const grid = gridOf(input);
    const ctx: RunContext = {
      method: req.method,
      model,
      processor,
      rt,
      image: { path: req.imagePath, hash: file.hash, rgb },
      question: req.question,
      options,
      clock,
      input,
      mapping: cellMapping(input.transform),
      size: { width: rgb.width, height: rgb.height },
      features,
      geometry: { layers: rt.dims.layers, heads: rt.dims.heads, gridOffset: model.gridOffset, cells: grid.gh * grid.gw },
    };
    const run = { method: req.method, knobs: resolved.knobs } as AnyKnobs;
    const { phase, outcome } = await runMethodSteps(ctx, run);
    const { record, tensors, images } = buildRecord(ctx, key, resolved.knobs as Record<string, unknown>, resolved.notes, phase, outcome);
    // Scores from a broken model (NaN weights, float16 overflow) are refused, never returned or cached.
    const bad = firstNonFiniteScore(record, tensors);
    if (bad !== null) {
      throw new WorkbenchError(
        'invalid-bundle',
        `${model.dir}: the model's scores are not finite (${bad}), so ${req.method}'s answer and chosen layer would mean nothing; nothing was cached`,
        'Recompile the bundle from a checkpoint without NaN/Inf weights (laser compile refuses them now); for an fp16 bundle, compile with --dtype fp32.',
      );
    }
    // The input PNGs are made even without a cache: `laser run --out` writes them beside the record.
    const { files, dir } = await clock.run('write-record', async () => {
      const files = await encodeInputPngs(images);
      record.timings = clock.summary();
      return { files, dir: cache === null ? null : await cache.put(key, record, tensors, files) };
    });
    return { record, tensors, files, dir, cached: false };
  } finally {
    if (owned) await model.dispose();
  }
}
