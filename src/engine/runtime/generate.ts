/**
 * Decoding loops over a prefilled KV cache: plain greedy decoding of one stream, and LASER's VAT
 * lockstep decoding of two streams (positive and negative) run as one batch of two, where a caller
 * picks each token from both streams' logits and the token is appended to both.
 *
 * Both loops check an AbortSignal before every decoder call, report progress per step, and stop on
 * EOS ids, on stop strings (through a caller-supplied decode function) or after maxNewTokens. As in
 * Hugging Face `generate`, the last chosen token is returned but never fed back, so n new tokens
 * cost n - 1 decoder steps after the prefill.
 *
 * Each loop writes its steps' KV caches into one KvWorkspace (two preallocated sets of buffers,
 * alternating), so no step allocates a cache or copies one out of onnxruntime. The prefill's cache
 * is only read; the returned cache is the last step's, which nothing writes over afterwards.
 * A caller that has no further use for the prefill's cache can prefill into a workspace itself
 * (PrefillOptions.into, sized by promptWorkspace) and have the loop continue in it
 * (GenerateOptions.workspace): then the prompt's cache and the steps' share the same two sets, and
 * the prefill's cache is written over from the second step.
 */
import { cancelledError } from '../../common/contract/errors.ts';
import type { DecoderOutput } from './decoder.ts';
import { KvWorkspace, type KvCache, type KvShape } from './kv-cache.ts';

export interface StepModel {
  /** One token per stream after `cache`; with `into`, the presents go into that workspace's buffers. */
  step(tokens: readonly number[], cache: KvCache, into?: KvWorkspace): Promise<DecoderOutput>;
}

/**
 * A workspace for `steps` decode steps after `cache`: room for all of them up to 256, growing
 * beyond that only if the steps are really taken (an answer usually stops long before maxNewTokens).
 */
export function workspaceFor(cache: KvCache, steps: number): KvWorkspace {
  return promptWorkspace({ layers: cache.layers, batch: cache.batch, kvHeads: cache.kvHeads, headDim: cache.headDim }, cache.length, steps);
}

/**
 * A workspace for a prompt of `length` positions to be prefilled into it and `steps` decode steps
 * after it (room as in workspaceFor).
 */
export function promptWorkspace(shape: KvShape, length: number, steps: number): KvWorkspace {
  return new KvWorkspace(shape, length + Math.max(1, Math.min(steps, 256)));
}

export type StopReason = 'eos' | 'stop-string' | 'max-tokens';

/** Progress of a runtime operation: which stage, and how far into it (step of total). */
export interface RuntimeProgress {
  stage: 'encode-images' | 'prefill' | 'decode';
  step: number;
  total: number;
}

/** Decode progress: `step` = tokens chosen so far, `total` = maxNewTokens. */
export interface GenerateProgress extends RuntimeProgress {
  stage: 'decode';
}

export interface GenerateOptions {
  maxNewTokens: number;
  /** Stop after emitting one of these (the EOS id is included in the result, as HF does). */
  eosTokenIds?: readonly number[];
  /** Stop once the decoded new tokens contain one of these (needs `decode`). */
  stopStrings?: readonly string[];
  decode?: (ids: readonly number[]) => string;
  signal?: AbortSignal;
  onProgress?: (p: GenerateProgress) => void;
  /**
   * Decode into this workspace instead of one of the loop's own: the one the prefill was written
   * into (PrefillOptions.into), so that the prompt's cache is not held a third time beside the
   * steps' two sets. The prefill's cache is then written over from the second step.
   */
  workspace?: KvWorkspace;
}

export interface GenerateResult {
  /** The new tokens, in order. */
  ids: number[];
  stopReason: StopReason;
  /** The cache after the last token that was fed back (it does not contain the last id). */
  cache: KvCache;
}

/** Index of the largest value (the first one on ties, as torch.argmax does on CPU). */
export function argmax(values: Float32Array): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i]! > values[best]!) best = i; // i and best stay below values.length
  return best;
}

function checkOptions(o: GenerateOptions): void {
  if (!Number.isInteger(o.maxNewTokens) || o.maxNewTokens < 1) throw new RangeError(`maxNewTokens must be a positive integer, got ${o.maxNewTokens}`);
  if ((o.stopStrings?.length ?? 0) > 0 && o.decode === undefined) throw new TypeError('stopStrings need a decode function');
}

function stopAfter(ids: readonly number[], o: GenerateOptions): StopReason | null {
  const last = ids.at(-1);
  if (last !== undefined && o.eosTokenIds?.includes(last)) return 'eos';
  if (o.stopStrings && o.stopStrings.length > 0 && o.decode) {
    const text = o.decode(ids);
    if (o.stopStrings.some((s) => text.includes(s))) return 'stop-string';
  }
  return ids.length >= o.maxNewTokens ? 'max-tokens' : null;
}

/**
 * The shared loop: `pick` chooses the next id from the current logits ([B, V] rows), which is then
 * fed to every stream.
 */
async function decodeLoop(
  model: StepModel,
  start: DecoderOutput,
  streams: number,
  pick: (logits: Float32Array, vocab: number) => number,
  o: GenerateOptions,
): Promise<GenerateResult> {
  checkOptions(o);
  if (start.cache.batch !== streams) throw new Error(`decode: the prefill has batch ${start.cache.batch}, expected ${streams}`);
  const rows = streams * start.logitRows;
  const vocab = start.logits.length / rows;
  const lastRows = (out: DecoderOutput): Float32Array => {
    if (out.logitRows === 1) return out.logits;
    const last = new Float32Array(streams * vocab);
    for (let b = 0; b < streams; b++) last.set(out.logits.subarray(((b + 1) * out.logitRows - 1) * vocab, (b + 1) * out.logitRows * vocab), b * vocab);
    return last;
  };
  const ids: number[] = [];
  let logits = lastRows(start);
  let cache = start.cache;
  const workspace = o.workspace ?? workspaceFor(cache, o.maxNewTokens - 1);
  for (;;) {
    if (o.signal?.aborted) throw cancelledError();
    const id = pick(logits, vocab);
    ids.push(id);
    o.onProgress?.({ stage: 'decode', step: ids.length, total: o.maxNewTokens });
    const reason = stopAfter(ids, o);
    if (reason !== null) return { ids, stopReason: reason, cache };
    if (o.signal?.aborted) throw cancelledError();
    const next = await model.step(new Array<number>(streams).fill(id), cache, workspace);
    logits = next.logits;
    cache = next.cache;
  }
}

/** Greedy decoding of one prefilled stream. */
export function generateGreedy(model: StepModel, prefill: DecoderOutput, options: GenerateOptions): Promise<GenerateResult> {
  return decodeLoop(model, prefill, 1, argmax, options);
}

/** Picks the next token from the two streams' final-position logits (each of length V). */
export type ChooseToken = (logitsPos: Float32Array, logitsNeg: Float32Array, step: number) => number;

/**
 * Lockstep decoding of a batch-of-two prefill (row 0 positive, row 1 negative): at every step
 * `chooseToken` sees both rows' logits and its id is appended to both streams.
 */
export function generateLockstep(model: StepModel, prefill: DecoderOutput, chooseToken: ChooseToken, options: GenerateOptions): Promise<GenerateResult> {
  let step = 0;
  const pick = (logits: Float32Array, vocab: number): number => {
    const id = chooseToken(logits.subarray(0, vocab), logits.subarray(vocab, 2 * vocab), step++);
    if (!Number.isInteger(id) || id < 0 || id >= vocab) throw new RangeError(`chooseToken returned ${id}, outside the vocabulary of ${vocab}`);
    return id;
  };
  return decodeLoop(model, prefill, 2, pick, options);
}
