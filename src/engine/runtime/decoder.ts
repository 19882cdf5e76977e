/**
 * One call of the decoder (bundle format v1): new tokens' embeddings plus a KV cache in; logits,
 * last-query attention and the grown cache out. The graph is decoder-attention.onnx where the
 * bundle has it (then `attn_layer` is fed: -1, or the layer whose whole attention is wanted) and
 * decoder.onnx otherwise.
 *
 * The feeds follow docs/bundle-format.md exactly: int64 tensors are BigInt64Arrays;
 * `attention_mask` is [B, P + S] of ones (streams in a batch always have equal length, so there is
 * never padding); `position_ids` is [B, S] = P .. P+S-1, the absolute index of each new token,
 * for 1-D RoPE, or the [3, B, S] M-RoPE positions the caller computed (`mrope`).
 */
import * as ort from 'onnxruntime-node';
import { WorkbenchError } from '../../common/contract/errors.ts';
import { KvCache, type KvWorkspace, type PresentTarget } from './kv-cache.ts';

/** The decoder's sizes, read from its graph. */
export interface DecoderDims {
  layers: number;
  heads: number;
  kvHeads: number;
  headDim: number;
  hidden: number;
  vocab: number;
}

/** M-RoPE positions of a decoder call: [3, B, S] and each row's rope delta afterwards. */
export interface MropeFeed {
  positions: BigInt64Array;
  ropeDeltas: readonly number[];
}

/** Embeddings of B equal-length streams: [B, S, D]. */
export interface Embeds {
  data: Float32Array;
  batch: number;
  length: number;
  hidden: number;
}

export interface DecoderOutput {
  /** [B, S, V] when all positions were asked for, else [B, 1, V] (the last position). */
  logits: Float32Array;
  /** Rows of logits per stream (S or 1). */
  logitRows: number;
  /** [B, L, H, P + S]: attention of the last new query onto every key. */
  attnLast: Float32Array;
  /** [B, H, S, P + S]: every new query's attention in the layer asked for; present only when one was. */
  attnFull?: Float32Array;
  cache: KvCache;
}

function fixedDim(meta: ort.InferenceSession.ValueMetadata | undefined, axis: number, what: string, file: string): number {
  const dim = meta && meta.isTensor ? meta.shape[axis] : undefined;
  if (typeof dim !== 'number' || dim <= 0) {
    throw new WorkbenchError(
      'invalid-bundle',
      `${file}: ${what} has no fixed size in the graph (got ${String(dim)}).`,
      'Recompile the bundle with `laser compile`.',
    );
  }
  return dim;
}

/** Reads L, H, KVH, hd, D, V from decoder.onnx's I/O metadata and checks every name the runtime feeds. */
export function decoderDims(session: ort.InferenceSession, file: string): DecoderDims {
  const inputs = new Map(session.inputNames.map((n, i) => [n, session.inputMetadata[i]]));
  const outputs = new Map(session.outputNames.map((n, i) => [n, session.outputMetadata[i]]));
  let layers = 0;
  while (inputs.has(`past_key_values.${layers}.key`)) layers++;
  const need = ['inputs_embeds', 'attention_mask', 'position_ids'];
  const needOut = ['logits', 'attn_last'];
  for (let i = 0; i < layers; i++) {
    need.push(`past_key_values.${i}.key`, `past_key_values.${i}.value`);
    needOut.push(`present.${i}.key`, `present.${i}.value`);
  }
  const missing = [...need.filter((n) => !inputs.has(n)), ...needOut.filter((n) => !outputs.has(n))];
  if (layers === 0 || missing.length > 0) {
    throw new WorkbenchError(
      'invalid-bundle',
      `${file}: not a bundle-format-v1 decoder (${layers === 0 ? 'no past_key_values inputs' : `missing ${missing.join(', ')}`}).`,
      'Recompile the bundle with `laser compile`.',
    );
  }
  const past = inputs.get('past_key_values.0.key');
  return {
    layers,
    heads: fixedDim(outputs.get('attn_last'), 2, 'attn_last heads', file),
    kvHeads: fixedDim(past, 1, 'past key heads', file),
    headDim: fixedDim(past, 3, 'past key head_dim', file),
    hidden: fixedDim(inputs.get('inputs_embeds'), 2, 'inputs_embeds hidden size', file),
    vocab: fixedDim(outputs.get('logits'), 2, 'logits vocabulary', file),
  };
}

/**
 * Whether the graph is decoder-attention.onnx (input `attn_layer`, output `attn_full`). A graph
 * with one of the two but not the other is no bundle-format-v1 graph.
 */
export function hasFullAttention(session: ort.InferenceSession, file: string): boolean {
  const input = session.inputNames.includes('attn_layer');
  const output = session.outputNames.includes('attn_full');
  if (input !== output) {
    throw new WorkbenchError(
      'invalid-bundle',
      `${file}: has ${input ? 'input attn_layer but no output attn_full' : 'output attn_full but no input attn_layer'}.`,
      'Recompile the bundle with `laser compile`.',
    );
  }
  return input;
}

/**
 * Runs the decoder on `embeds` continuing `cache` (which is left untouched). `attnLayer`: null for
 * a graph without `attn_layer` (decoder.onnx); else the value fed, -1 for none or a layer 0..L-1,
 * whose attention then comes back as `attnFull`. With `into`, onnxruntime writes the presents into
 * the workspace's buffers (preallocated outputs) and the returned cache views them.
 */
export async function runDecoder(
  session: ort.InferenceSession,
  dims: DecoderDims,
  embeds: Embeds,
  cache: KvCache,
  logits: 'all' | 'last',
  attnLayer: number | null,
  mrope: MropeFeed | null = null,
  into: PresentTarget | null = null,
): Promise<DecoderOutput> {
  const { batch: B, length: S } = embeds;
  const P = cache.length;
  if (cache.batch !== B) throw new Error(`runDecoder: cache batch ${cache.batch} vs ${B} streams`);
  if (embeds.hidden !== dims.hidden || embeds.data.length !== B * S * dims.hidden) {
    throw new Error(`runDecoder: embeds [${B},${S},${embeds.hidden}] do not match hidden ${dims.hidden} (${embeds.data.length} floats)`);
  }
  if (S === 0) throw new Error('runDecoder: no new tokens');
  if (attnLayer !== null && !(Number.isInteger(attnLayer) && attnLayer >= -1 && attnLayer < dims.layers)) {
    throw new Error(`runDecoder: attn_layer ${attnLayer} is outside -1..${dims.layers - 1}`);
  }
  let positionIds: ort.Tensor;
  if (mrope) {
    if (mrope.positions.length !== 3 * B * S || mrope.ropeDeltas.length !== B) throw new Error(`runDecoder: M-RoPE positions for [3, ${B}, ${S}] expected`);
    positionIds = new ort.Tensor('int64', mrope.positions, [3, B, S]);
  } else {
    const positions = new BigInt64Array(B * S);
    for (let b = 0; b < B; b++) for (let i = 0; i < S; i++) positions[b * S + i] = BigInt(P + i);
    positionIds = new ort.Tensor('int64', positions, [B, S]);
  }
  const feeds: Record<string, ort.Tensor> = {
    inputs_embeds: new ort.Tensor('float32', embeds.data, [B, S, dims.hidden]),
    attention_mask: new ort.Tensor('int64', into ? into.maskOnes(B * (P + S)) : new BigInt64Array(B * (P + S)).fill(1n), [B, P + S]),
    position_ids: positionIds,
    ...cache.feeds(),
  };
  if (attnLayer !== null) feeds.attn_layer = new ort.Tensor('int64', BigInt64Array.of(BigInt(attnLayer)), []);
  const ropeDeltas = mrope ? mrope.ropeDeltas : cache.ropeDeltas;
  let out: ort.InferenceSession.ReturnType;
  let next: KvCache;
  if (into) {
    const target = into.presents(cache, P + S, ropeDeltas);
    const fetches: Record<string, ort.Tensor | null> = { logits: null, attn_last: null, ...target.fetches };
    if (attnLayer !== null) fetches.attn_full = null;
    out = await session.run(feeds, fetches);
    next = target.cache;
  } else {
    out = await session.run(feeds);
    next = KvCache.fromPresent(out, dims.layers, ropeDeltas);
  }
  const all = (out.logits ?? noOutput('logits')).data as Float32Array;
  const V = dims.vocab;
  let kept = all;
  if (logits === 'last' && S > 1) {
    kept = new Float32Array(B * V);
    for (let b = 0; b < B; b++) kept.set(all.subarray((b * S + S - 1) * V, (b * S + S) * V), b * V);
  }
  const result: DecoderOutput = {
    logits: kept,
    logitRows: logits === 'last' ? 1 : S,
    attnLast: (out.attn_last ?? noOutput('attn_last')).data as Float32Array,
    cache: next,
  };
  if (attnLayer !== null && attnLayer >= 0) {
    const full = out.attn_full ?? noOutput('attn_full');
    const want = [B, dims.heads, S, P + S];
    if (full.dims.length !== 4 || full.dims.some((d, i) => d !== want[i])) {
      throw new Error(`runDecoder: attn_full is [${full.dims.join(',')}], expected [${want.join(',')}]`);
    }
    result.attnFull = full.data as Float32Array;
  }
  return result;
}

/**
 * The same decoder call as `runDecoder`, made `chunk` new tokens at a time (each chunk continuing
 * the cache of the one before), so that the graph's activations (every layer's projections, MLP
 * and attention over the chunk's queries) scale with the chunk instead of the prompt. Causal
 * attention makes this the same computation: position i attends to keys 0..i either way, and
 * each chunk skips the masked upper triangle a whole-prompt call computes and throws away.
 * Outputs are put together as one call returns them: logits of every position (or the last),
 * attn_last of the last position, attn_full's rows (exactly 0 on keys a query may not see, as in
 * one call), and the cache of the whole prompt. `chunk` <= 0 or >= S makes one call.
 * With `into`, every call writes its presents into that workspace (alternating its two sets), so
 * no chunk's cache is allocated by onnxruntime and copied out: the prompt's cache then lives in
 * the workspace, where decoding can continue it (and overwrites it two calls later).
 */
export async function runDecoderInChunks(
  session: ort.InferenceSession,
  dims: DecoderDims,
  embeds: Embeds,
  cache: KvCache,
  logits: 'all' | 'last',
  attnLayer: number | null,
  mrope: MropeFeed | null,
  chunk: number,
  into: KvWorkspace | null = null,
): Promise<DecoderOutput> {
  const { batch: B, length: S } = embeds;
  if (!Number.isInteger(chunk) || chunk <= 0 || S <= chunk) return runDecoder(session, dims, embeds, cache, logits, attnLayer, mrope, into);
  const P = cache.length;
  const T = P + S;
  const V = dims.vocab;
  const H = dims.heads;
  const allLogits = logits === 'all' ? new Float32Array(B * S * V) : null;
  const wantFull = attnLayer !== null && attnLayer >= 0;
  const full = wantFull ? new Float32Array(B * H * S * T) : null;
  let current = cache;
  let out: DecoderOutput | null = null;
  for (let start = 0; start < S; start += chunk) {
    const n = Math.min(chunk, S - start);
    const part = chunkOf(embeds, mrope, start, n);
    out = await runDecoder(session, dims, part.embeds, current, allLogits ? 'all' : 'last', attnLayer, part.mrope, into);
    if (allLogits) for (let b = 0; b < B; b++) allLogits.set(out.logits.subarray(b * n * V, (b + 1) * n * V), (b * S + start) * V);
    if (full) {
      // Chunk rows [B, H, n, P + start + n] into [B, H, S, T]; keys after P + start + n stay 0.
      const width = P + start + n;
      const rows = out.attnFull!;
      for (let bh = 0; bh < B * H; bh++) {
        for (let i = 0; i < n; i++) full.set(rows.subarray((bh * n + i) * width, (bh * n + i + 1) * width), (bh * S + start + i) * T);
      }
    }
    current = out.cache;
  }
  const last = out!;
  const result: DecoderOutput = { logits: allLogits ?? last.logits, logitRows: allLogits ? S : 1, attnLast: last.attnLast, cache: last.cache };
  if (full) result.attnFull = full;
  return result;
}

/** New positions [start, start + n) of every stream: their embeddings and M-RoPE positions. */
function chunkOf(embeds: Embeds, mrope: MropeFeed | null, start: number, n: number): { embeds: Embeds; mrope: MropeFeed | null } {
  const { batch: B, length: S, hidden: D } = embeds;
  if (start === 0 && n === S) return { embeds, mrope };
  const data = new Float32Array(B * n * D);
  for (let b = 0; b < B; b++) data.set(embeds.data.subarray((b * S + start) * D, (b * S + start + n) * D), b * n * D);
  let part: MropeFeed | null = null;
  if (mrope) {
    const positions = new BigInt64Array(3 * B * n);
    for (let r = 0; r < 3 * B; r++) positions.set(mrope.positions.subarray(r * S + start, r * S + start + n), r * n);
    part = { positions, ropeDeltas: mrope.ropeDeltas };
  }
  return { embeds: { data, batch: B, length: n, hidden: D }, mrope: part };
}

/** One stream of `runRowsInChunks`: its new tokens (batch 1), the batch-1 cache they continue, its M-RoPE positions. */
export interface RowInput {
  embeds: Embeds;
  cache: KvCache;
  mrope: MropeFeed | null;
}

/**
 * B streams of equal length, each continuing a batch-1 cache of its own (of one length), prefilled
 * one after the other, each exactly as `runDecoderInChunks` prefills it alone (batch 1, the same
 * chunks, so the same numbers bit for bit), but chunk by chunk in turn, every call writing its
 * presents into its row of `into`: after each chunk the workspace set written holds all rows at one
 * length, so the prompt's cache ends there as a batch-B cache, where a lockstep decode continues it
 * (GenerateOptions.workspace). This is what a batch of B costs where a batch is no cheaper than B runs
 * (onnxruntime's CPU provider), without the B caches allocated, stacked into a batch of B and
 * copied into a decode workspace afterwards. Returns the last position's logits [B, 1, V] and
 * attn_last [B, L, H, P + S], as a batch-B call would.
 */
export async function runRowsInChunks(
  session: ort.InferenceSession,
  dims: DecoderDims,
  rows: readonly RowInput[],
  attnLayer: number | null,
  chunk: number,
  into: KvWorkspace,
): Promise<DecoderOutput> {
  const [first] = rows;
  if (first === undefined) throw new Error('runRowsInChunks: no streams');
  const S = first.embeds.length;
  const P = first.cache.length;
  for (const r of rows) {
    if (r.embeds.batch !== 1 || r.cache.batch !== 1) throw new Error('runRowsInChunks: every row is one stream continuing a batch-1 cache');
    if (r.embeds.length !== S || r.cache.length !== P)
      throw new Error(`runRowsInChunks: rows differ in length (${r.embeds.length} after ${r.cache.length} vs ${S} after ${P})`);
  }
  if (into.shape.batch !== rows.length) throw new Error(`runRowsInChunks: ${rows.length} rows for a workspace of batch ${into.shape.batch}`);
  if (S === 0) throw new Error('runRowsInChunks: the streams have no new tokens');
  if (attnLayer !== null && attnLayer >= 0) throw new Error('runRowsInChunks: whole-layer attention is not kept row by row; prefill the batch instead');
  const step = Number.isInteger(chunk) && chunk > 0 ? chunk : S;
  const targets = rows.map((_, b) => into.row(b));
  const current = rows.map((r) => r.cache);
  const outs: DecoderOutput[] = [];
  for (let start = 0; start < S; start += step) {
    const n = Math.min(step, S - start);
    for (const [b, r] of rows.entries()) {
      const part = chunkOf(r.embeds, r.mrope, start, n);
      const out = await runDecoder(session, dims, part.embeds, current[b] ?? absentRow(b), 'last', attnLayer, part.mrope, targets[b] ?? absentRow(b));
      current[b] = out.cache;
      outs[b] = out;
    }
  }
  const V = dims.vocab;
  const logits = new Float32Array(rows.length * V);
  const perRow = dims.layers * dims.heads * (P + S);
  const attnLast = new Float32Array(rows.length * perRow);
  for (const [b, out] of outs.entries()) {
    logits.set(out.logits, b * V);
    attnLast.set(out.attnLast, b * perRow);
  }
  return {
    logits,
    logitRows: 1,
    attnLast,
    cache: into.batchOf(
      current,
      current.flatMap((c) => c.ropeDeltas),
    ),
  };
}

function absentRow(b: number): never {
  throw new Error(`runRowsInChunks: row ${b} has no cache`);
}

function noOutput(name: string): never {
  throw new Error(`runDecoder: the decoder gave no output "${name}"`);
}
