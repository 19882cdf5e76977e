/**
 * Prefilling the views a method answers on (spec steps 10-11). The positive and negative inputs of
 * VAT run as one batch of two with separate cache rows; wherever a view prompt starts with the image
 * prefix already computed in the query pass ([I, I+] does: its first image is I), that prefix's
 * cache is reused instead of recomputed.
 */
import type { DecoderOutput } from '../runtime/decoder.ts';
import type { ImageFeatures } from '../runtime/image-tokens.ts';
import { promptWorkspace } from '../runtime/generate.ts';
import { KvCache, type KvWorkspace } from '../runtime/kv-cache.ts';
import type { ModelRuntime } from '../runtime/model-runtime.ts';
import type { PromptIds } from '../tokenizer/prompt.ts';
import { sliceFeatures } from './features.ts';
import type { ImagePrefix } from './passes.ts';

/** Whether `prompt` starts with exactly the prefix's ids, the prefix ending where its first image ends. */
export function extendsPrefix(prompt: PromptIds, prefix: ImagePrefix | null): prefix is ImagePrefix {
  if (prefix === null || prompt.imageRuns.length === 0) return false;
  const p = prefix.ids.length;
  if (prompt.imageRuns[0]?.[1] !== p || prompt.inputIds.length <= p) return false;
  for (let i = 0; i < p; i++) if (prompt.inputIds[i] !== prefix.ids[i]) return false;
  return true;
}

/**
 * One stream: `images` are all of the prompt's images, in order. With a reusable prefix (whose image
 * must be images[0]) only the rest is prefilled.
 */
export async function prefillOne(rt: ModelRuntime, prompt: PromptIds, images: ImageFeatures, prefix: ImagePrefix | null): Promise<DecoderOutput> {
  if (extendsPrefix(prompt, prefix) && images.count > 1) {
    const rest = sliceFeatures(images, 1, images.count - 1);
    return rt.prefill([{ ids: prompt.inputIds.slice(prefix.ids.length), images: rest }], { cache: prefix.cache });
  }
  return rt.prefill([{ ids: prompt.inputIds, images }]);
}

/**
 * Whether two streams' prefills run faster as one batch of two than one after the other. On CPU
 * they do not, beyond noise: `npm run bench -- laser` measured the [I, I+] / [mask(I), I-] pair at
 * 3195 ms as a batch against 2680 ms as two runs, and later (after GQA stopped copying the cache)
 * 4313 vs 5029 ms (threads auto) and 2236 vs 2192 ms (1 thread); the two continuations after their
 * prefixes, in one process, 1107-1533 vs 1170-1272 ms (1 thread, min of 4-5, three runs): a shared
 * 2-core machine's spread is larger than any difference. Two runs keep the activations at one
 * stream's, so CPU runs them in turn, each writing its rows of the lockstep decode's cache in place
 * (`rt.prefillRows`). Accelerators batch.
 */
export function batchesStreams(rt: ModelRuntime): boolean {
  return rt.provider !== 'cpu';
}

/** The start of a lockstep decode: the pair's prefill, its cache in `workspace`. */
export interface PairPrefill extends DecoderOutput {
  /**
   * The workspace (batch 2) the pair's cache lies in: the decode continues in it
   * (DecodeOptions.workspace), so no other cache is made; it writes over the prefill's cache from
   * its second step.
   */
  workspace: KvWorkspace;
}

/**
 * The positive and negative streams, ready for lockstep decoding as a batch of two. With a
 * reusable prefix (the positive's first image is the prefix's), the negative's own prefix is
 * prefilled alone and both prompts' rest continue their prefix. Where batching pays, as one batch
 * of two (stacked prefix caches); else one stream after the other (`rt.prefillRows`), each
 * writing its rows of the batch's cache in place. The numbers are the same either way. `steps`:
 * decode steps to make room for (the workspace grows if more are taken).
 */
export async function prefillPair(
  rt: ModelRuntime,
  prompt: PromptIds,
  positive: ImageFeatures,
  negative: ImageFeatures,
  prefix: ImagePrefix | null,
  options: { batch?: boolean; steps?: number } = {},
): Promise<PairPrefill> {
  const batch = options.batch ?? batchesStreams(rt);
  const steps = options.steps ?? 1;
  const { layers, kvHeads, headDim } = rt.dims;
  const workspace = promptWorkspace({ layers, batch: 2, kvHeads, headDim }, prompt.inputIds.length, steps);
  if (extendsPrefix(prompt, prefix) && positive.count > 1) {
    const p = prefix.ids.length;
    const negPrefix = await rt.prefill([{ ids: prefix.ids, images: sliceFeatures(negative, 0, 1) }]);
    const rest = prompt.inputIds.slice(p);
    const pos = { ids: rest, images: sliceFeatures(positive, 1, positive.count - 1) };
    const neg = { ids: rest, images: sliceFeatures(negative, 1, negative.count - 1) };
    const out = batch
      ? await rt.prefill([pos, neg], { cache: KvCache.stack([prefix.cache, negPrefix.cache]), into: workspace })
      : await rt.prefillRows([pos, neg], [prefix.cache, negPrefix.cache], workspace);
    return { ...out, workspace };
  }
  const pos = { ids: prompt.inputIds, images: positive };
  const neg = { ids: prompt.inputIds, images: negative };
  const out = batch ? await rt.prefill([pos, neg], { into: workspace }) : await rt.prefillRows([pos, neg], [rt.emptyCache(1), rt.emptyCache(1)], workspace);
  return { ...out, workspace };
}

/**
 * A batch-of-two start for lockstep decoding from two batch-1 prefills of equal length (VCD: the
 * query pass itself is the positive stream, so only the negative is prefilled).
 */
export function joinPrefills(positive: DecoderOutput, negative: DecoderOutput, vocab: number): DecoderOutput {
  const last = (o: DecoderOutput) => o.logits.subarray((o.logitRows - 1) * vocab, o.logitRows * vocab);
  const logits = new Float32Array(2 * vocab);
  logits.set(last(positive), 0);
  logits.set(last(negative), vocab);
  const attnLast = new Float32Array(positive.attnLast.length + negative.attnLast.length);
  attnLast.set(positive.attnLast, 0);
  attnLast.set(negative.attnLast, positive.attnLast.length);
  return { logits, logitRows: 1, attnLast, cache: KvCache.stack([positive.cache, negative.cache]) };
}
