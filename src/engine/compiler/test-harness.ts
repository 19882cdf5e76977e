/**
 * Test support (not used by the product): runs a compiled bundle's three graphs directly with
 * onnxruntime-node, exactly per docs/bundle-format.md, so the compiler's tests check the graphs
 * without depending on the runtime built on top of them.
 */
import * as ort from 'onnxruntime-node';
import type { BundleManifest } from '../bundle/manifest.ts';
import { openBundle } from '../bundle/open-bundle.ts';
import { at, field, first } from '../../../test/support/index-access.ts';

/** One layer's KV cache: past_key_values.{i}.key and .value, or present.{i}.key and .value. */
export type KvPair = [key: ort.Tensor, value: ort.Tensor];

export interface DecoderRun {
  /** [B, S, V] */
  logits: Float32Array;
  /** [B, L, H, T] (empty if the bundle has no taps) */
  attnLast: Float32Array;
  /** present.{i}.{key,value}, each [B, KVH, T, hd] */
  present: KvPair[];
  /** attn_full from decoder-attention.onnx when `attnLayer` was given */
  attnFull?: ort.Tensor;
}

export class GraphHarness {
  private constructor(
    readonly manifest: BundleManifest,
    readonly vision: ort.InferenceSession,
    readonly embedder: ort.InferenceSession,
    readonly decoder: ort.InferenceSession,
    readonly decoderAttention: ort.InferenceSession | null,
  ) {}

  static async open(dir: string, options: ort.InferenceSession.SessionOptions = { intraOpNumThreads: 1 }): Promise<GraphHarness> {
    const b = await openBundle(dir);
    const create = (p: string) => ort.InferenceSession.create(p, options);
    const [v, e, d] = await Promise.all([create(b.graphs.vision), create(b.graphs.embed), create(b.graphs.decoder)]);
    const a = b.graphs.decoderAttention ? await ort.InferenceSession.create(b.graphs.decoderAttention, options) : null;
    return new GraphHarness(b.manifest, v, e, d, a);
  }

  async release(): Promise<void> {
    await Promise.all([this.vision.release(), this.embedder.release(), this.decoder.release(), this.decoderAttention?.release()]);
  }

  /** pixel_values [n, 3, S, S] → image_features [n, T, D]. */
  async imageFeatures(pixels: Float32Array, n: number): Promise<Float32Array> {
    const m = this.manifest;
    if (m.architecture !== 'llava') throw new Error('imageFeatures: pixel_values [n, 3, S, S] is the llava vision graph; use runVision');
    const S = m.vision.imageSize;
    const out = await this.vision.run({ pixel_values: new ort.Tensor('float32', pixels, [n, 3, S, S]) });
    return field(out, 'image_features').data as Float32Array;
  }

  /** Runs vision.onnx on the given feeds (any family) and returns its only output. */
  async runVision(feeds: Record<string, ort.Tensor>): Promise<ort.Tensor> {
    const out = await this.vision.run(feeds);
    return field(out, first(this.vision.outputNames));
  }

  /** input_ids [B, S] → inputs_embeds, with image k's features put in the k-th run of image tokens (row by row). */
  async embeds(ids: readonly number[][], features?: Float32Array): Promise<Float32Array> {
    const B = ids.length;
    const S = first(ids).length;
    const D = this.manifest.text.hidden;
    const V = this.manifest.text.vocab;
    const image = this.manifest.imageTokenId;
    // The image token id may lie outside the table (its rows are replaced anyway).
    const flat = BigInt64Array.from(ids.flat(), (t) => BigInt(t === image && t >= V ? 0 : t));
    const out = await this.embedder.run({ input_ids: new ort.Tensor('int64', flat, [B, S]) });
    const e = new Float32Array(field(out, 'inputs_embeds').data as Float32Array);
    if (features) {
      for (let b = 0; b < B; b++) {
        let k = 0;
        at(ids, b).forEach((id, i) => {
          if (id === image) e.set(features.subarray(k * D, ++k * D), (b * S + i) * D);
        });
      }
    }
    return e;
  }

  /** Empty past (P = 0) for a batch of B. */
  emptyPast(B = 1): KvPair[] {
    const t = this.manifest.text;
    const empty = () => new ort.Tensor('float32', new Float32Array(0), [B, t.kvHeads, 0, t.headDim]);
    return Array.from({ length: t.layers }, (): KvPair => [empty(), empty()]);
  }

  /** One decoder call; with `attnLayer`, on decoder-attention.onnx, which also returns attn_full. */
  async decode(
    embeds: Float32Array,
    B: number,
    S: number,
    opts: { past?: KvPair[]; mask?: readonly number[][]; positions?: readonly number[][]; mrope?: readonly number[][][]; attnLayer?: number } = {},
  ): Promise<DecoderRun> {
    const t = this.manifest.text;
    const past = opts.past ?? this.emptyPast(B);
    const P = at(first(past)[0].dims, 2);
    const mask = opts.mask ?? Array.from({ length: B }, () => Array<number>(P + S).fill(1));
    const positions = opts.positions ?? Array.from({ length: B }, () => Array.from({ length: S }, (_, i) => P + i));
    const feeds: Record<string, ort.Tensor> = {
      inputs_embeds: new ort.Tensor('float32', embeds, [B, S, t.hidden]),
      attention_mask: new ort.Tensor('int64', BigInt64Array.from(mask.flat(), BigInt), [B, P + S]),
      // M-RoPE decoders (qwen2-vl) take [3, B, S]; without explicit ones every axis gets the index.
      position_ids:
        this.manifest.architecture === 'qwen2-vl'
          ? new ort.Tensor('int64', BigInt64Array.from((opts.mrope ?? [positions, positions, positions]).flat(2), BigInt), [3, B, S])
          : new ort.Tensor('int64', BigInt64Array.from(positions.flat(), BigInt), [B, S]),
    };
    past.forEach(([k, v], i) => {
      feeds[`past_key_values.${i}.key`] = k;
      feeds[`past_key_values.${i}.value`] = v;
    });
    let session = this.decoder;
    if (opts.attnLayer !== undefined) {
      if (!this.decoderAttention) throw new Error('this bundle has no decoder-attention.onnx');
      session = this.decoderAttention;
      feeds.attn_layer = new ort.Tensor('int64', BigInt64Array.from([BigInt(opts.attnLayer)]), []);
    }
    const out = await session.run(feeds);
    return {
      logits: field(out, 'logits').data as Float32Array,
      attnLast: this.manifest.taps ? (field(out, 'attn_last').data as Float32Array) : new Float32Array(0),
      present: Array.from({ length: t.layers }, (_, i): KvPair => [field(out, `present.${i}.key`), field(out, `present.${i}.value`)]),
      attnFull: out.attn_full,
    };
  }
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`maxAbsDiff: lengths ${a.length} and ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(at(a, i) - at(b, i));
    if (!(d <= m)) m = d; // NaN propagates as a failure
  }
  return m;
}

export function argmax(a: ArrayLike<number>, from = 0, to = a.length): number {
  let best = from;
  for (let i = from + 1; i < to; i++) if (at(a, i) > at(a, best)) best = i;
  return best - from;
}

/**
 * Largest difference between attn_last [L, H, S] (the last query row of every layer and head, as the
 * decoder returns it) and the last rows of full attention maps, one [H, S, S] array per layer (as HF
 * returns `attentions`).
 */
export function lastRowAttentionError(attnLast: Float32Array, attentions: readonly Float32Array[], heads: number, S: number): number {
  let m = 0;
  attentions.forEach((a, l) => {
    for (let h = 0; h < heads; h++) {
      const want = a.subarray((h * S + S - 1) * S, (h * S + S) * S);
      const got = attnLast.subarray((l * heads + h) * S, (l * heads + h + 1) * S);
      m = Math.max(m, maxAbsDiff(got, want));
    }
  });
  return m;
}
