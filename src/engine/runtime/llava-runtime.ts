/**
 * A compiled LLaVA bundle, loaded and ready to run: images to features, ids to embeddings, image
 * features into the image-token rows, and decoder calls that prefill or extend a KV cache.
 *
 * Every method is exact float32 arithmetic as the bundle's graphs define it; nothing here
 * approximates. Decoding loops (greedy, lockstep pairs) live in generate.ts on top of `prefill`
 * and `step`.
 *
 * Threading note, measured with onnxruntime-node 1.30: `session.run` returns a Promise, but the
 * binding's run is synchronous: the Promise only defers it with setImmediate, and the computation
 * then occupies the calling thread (ORT's intra-op pool helps inside, the event loop waits). So a
 * long prefill blocks the event loop of the process that runs it. The Electron host runs the engine
 * in a utility process, and the loops here yield to the event loop between runs, which is where an
 * AbortSignal is seen.
 *
 * One decoder session, never two: decoder-attention.onnx where the bundle has it (it runs as fast as
 * decoder.onnx with attn_layer = -1, measured; see README.md), decoder.onnx for bundles compiled
 * before it existed. Both read decoder.onnx.data, so loading both would hold the weights twice.
 */
import * as ort from 'onnxruntime-node';
import { WorkbenchError } from '../../common/contract/errors.ts';
import { decoderDims, hasFullAttention, runDecoder, type DecoderDims, type DecoderOutput, type Embeds } from './decoder.ts';
import { scatterImageFeatures, type ImageFeatures } from './image-tokens.ts';
import { KvCache } from './kv-cache.ts';
import { SessionFactory, type CreatedSession, type Provider, type SessionFactoryOptions } from './providers.ts';

export type { Embeds, DecoderDims, DecoderOutput } from './decoder.ts';
export type { ImageFeatures } from './image-tokens.ts';

/** What the runtime needs from a bundle besides its graphs. */
export interface BundleModelInfo {
  dir: string;
  /**
   * Absolute paths of vision.onnx, embed.onnx, decoder.onnx (external data beside each) and of
   * decoder-attention.onnx, or null / absent for a bundle compiled before it existed.
   */
  graphs: { vision: string; embed: string; decoder: string; decoderAttention?: string | null };
  imageTokenId: number;
  /** Generation stops on these by default. */
  eosTokenIds: readonly number[];
}

/** One prompt: token ids (image placeholders expanded) and the features of its images, in order. */
export interface Stream {
  ids: BigInt64Array | readonly number[];
  images?: ImageFeatures | null;
}

export interface PrefillOptions {
  /** Continue this cache (not modified); default: an empty one. */
  cache?: KvCache;
  /** Logits of every new position or only the last (default 'last'). */
  logits?: 'all' | 'last';
  /**
   * Also return `attnFull` [B, H, S, P + S]: every new query's post-softmax attention in this
   * decoder layer (0..L-1). Needs a runtime that can inspect (`canInspect`).
   */
  attnLayer?: number;
}

export interface SessionTimes {
  vision: number;
  embed: number;
  decoder: number;
}

export interface RuntimeOptions extends SessionFactoryOptions {
  /**
   * Whole-layer attention (`prefill(..., { attnLayer })`) will be asked for: refuse at open, with
   * 'invalid-bundle', a bundle that has no decoder-attention.onnx. Without it the runtime still
   * loads decoder-attention.onnx where there is one, so attnLayer works on any recent bundle.
   */
  inspect?: boolean;
}

const recompileForInspection = 'Recompile the bundle with this version (`laser compile <checkpoint> <bundle>`); every bundle it writes has decoder-attention.onnx.';

function toIds(ids: BigInt64Array | readonly number[]): BigInt64Array {
  if (ids instanceof BigInt64Array) return ids;
  const out = new BigInt64Array(ids.length);
  for (let i = 0; i < ids.length; i++) {
    if (!Number.isSafeInteger(ids[i]) || ids[i] < 0) throw new WorkbenchError('bad-request', `Token id ${ids[i]} at position ${i} is not a non-negative integer.`);
    out[i] = BigInt(ids[i]);
  }
  return out;
}

export class LlavaRuntime {
  readonly dims: DecoderDims;
  /** Vision input side S (pixel_values [N, 3, S, S]) and features per image T. */
  readonly imageSize: number;
  readonly imageTokens: number;
  readonly imageTokenId: number;
  readonly eosTokenIds: readonly number[];
  readonly provider: Provider;
  /** Why auto mode did not use CUDA, or null. */
  readonly fallbackReason: string | null;
  /** InferenceSession.create wall time per graph, ms. */
  readonly sessionMs: SessionTimes;
  /** The decoder graph loaded: decoder-attention.onnx where the bundle has it, else decoder.onnx. */
  readonly decoderGraph: string;
  /** Whether `prefill` can return a layer's whole attention (the decoder graph has attn_layer). */
  readonly canInspect: boolean;

  private constructor(
    info: BundleModelInfo,
    private readonly vision: ort.InferenceSession,
    private readonly embedder: ort.InferenceSession,
    private readonly decoder: ort.InferenceSession,
    decoderGraph: string,
    factory: SessionFactory,
    sessionMs: SessionTimes,
  ) {
    this.imageTokenId = info.imageTokenId;
    this.eosTokenIds = info.eosTokenIds;
    this.dims = decoderDims(decoder, decoderGraph);
    this.decoderGraph = decoderGraph;
    this.canInspect = hasFullAttention(decoder, decoderGraph);
    const visionFile = info.graphs.vision;
    const pixelMeta = vision.inputMetadata[vision.inputNames.indexOf('pixel_values')];
    const featMeta = vision.outputMetadata[vision.outputNames.indexOf('image_features')];
    const side = pixelMeta?.isTensor ? pixelMeta.shape[3] : undefined;
    const tokens = featMeta?.isTensor ? featMeta.shape[1] : undefined;
    if (typeof side !== 'number' || typeof tokens !== 'number') {
      throw new WorkbenchError('invalid-bundle', `${visionFile}: expected pixel_values [N,3,S,S] -> image_features [N,T,D] with fixed S and T.`, 'Recompile the bundle with `laser compile`.');
    }
    if (!embedder.inputNames.includes('input_ids') || !embedder.outputNames.includes('inputs_embeds')) {
      throw new WorkbenchError('invalid-bundle', `${info.graphs.embed}: expected input_ids -> inputs_embeds.`, 'Recompile the bundle with `laser compile`.');
    }
    this.imageSize = side;
    this.imageTokens = tokens;
    this.provider = factory.provider ?? 'cpu';
    this.fallbackReason = factory.fallbackReason;
    this.sessionMs = sessionMs;
  }

  /** Creates the three sessions of a bundle whose model info has already been read. */
  static async load(info: BundleModelInfo, options: RuntimeOptions = {}): Promise<LlavaRuntime> {
    const decoderGraph = info.graphs.decoderAttention ?? info.graphs.decoder;
    if (options.inspect && !info.graphs.decoderAttention) {
      throw new WorkbenchError(
        'invalid-bundle',
        `${info.dir}: this bundle has no decoder-attention.onnx, so it cannot return a layer's whole attention (it was compiled by an earlier version).`,
        recompileForInspection,
      );
    }
    const { inspect, ...sessionOptions } = options;
    const factory = new SessionFactory(sessionOptions);
    const created: CreatedSession[] = [];
    try {
      // The decoder first: it is the largest, so a CUDA probe failure is seen before the rest load.
      for (const path of [decoderGraph, info.graphs.embed, info.graphs.vision]) created.push(await factory.create(path));
      const [decoder, embed, vision] = created;
      const runtime = new LlavaRuntime(info, vision.session, embed.session, decoder.session, decoderGraph, factory, {
        vision: vision.createMs,
        embed: embed.createMs,
        decoder: decoder.createMs,
      });
      if (inspect && !runtime.canInspect) {
        throw new WorkbenchError('invalid-bundle', `${decoderGraph}: has no attn_layer input, so it cannot return a layer's whole attention.`, recompileForInspection);
      }
      return runtime;
    } catch (e) {
      await Promise.all(created.map((c) => c.session.release()));
      throw e;
    }
  }

  /** pixel_values [n, 3, S, S] (preprocessed) → image features [n, T, D]. */
  async encodeImages(pixelValues: Float32Array, n: number): Promise<ImageFeatures> {
    const S = this.imageSize;
    if (!Number.isInteger(n) || n < 1 || pixelValues.length !== n * 3 * S * S) {
      throw new WorkbenchError('bad-request', `pixel_values hold ${pixelValues.length} floats; ${n} image(s) of 3x${S}x${S} need ${n * 3 * S * S}.`, `Preprocess each image to 3x${S}x${S}.`);
    }
    const out = await this.vision.run({ pixel_values: new ort.Tensor('float32', pixelValues, [n, 3, S, S]) });
    const t = out.image_features;
    return { data: t.data as Float32Array, count: n, tokens: t.dims[1], hidden: t.dims[2] };
  }

  /** input_ids [batch, S] → inputs_embeds [batch, S, D]; image-token rows are left as the table has them. */
  async embed(ids: BigInt64Array, batch = 1): Promise<Embeds> {
    if (batch < 1 || ids.length % batch !== 0 || ids.length === 0) throw new Error(`embed: ${ids.length} ids do not split into ${batch} equal rows`);
    const S = ids.length / batch;
    // The image token id may lie outside the embedding table; its rows are overwritten by image
    // features anyway, so look up row 0 for it then. Inside the table it embeds as itself (as HF does
    // when a decode step produces it).
    const image = BigInt(this.imageTokenId);
    const vocab = BigInt(this.dims.vocab);
    const safe = image >= vocab ? ids.map((id) => (id === image ? 0n : id)) : ids;
    const bad = safe.findIndex((id) => id < 0n || id >= vocab);
    if (bad >= 0) throw new WorkbenchError('bad-request', `Token id ${safe[bad]} at position ${bad % S} is outside the vocabulary (size ${this.dims.vocab}).`);
    const out = await this.embedder.run({ input_ids: new ort.Tensor('int64', safe, [batch, S]) });
    const t = out.inputs_embeds;
    return { data: t.data as Float32Array, batch, length: S, hidden: t.dims[2] };
  }

  /** Embeddings of equal-length streams with each stream's image features in its image-token rows. */
  async inputsEmbeds(streams: readonly Stream[]): Promise<Embeds> {
    if (streams.length === 0) throw new Error('inputsEmbeds: no streams');
    const rows = streams.map((s) => toIds(s.ids));
    const S = rows[0].length;
    if (S === 0) throw new WorkbenchError('bad-request', 'The prompt is empty.');
    if (rows.some((r) => r.length !== S)) {
      throw new WorkbenchError('bad-request', `Streams decoded as a batch must have equal lengths (got ${rows.map((r) => r.length).join(' and ')}).`);
    }
    const ids = new BigInt64Array(rows.length * S);
    rows.forEach((r, b) => ids.set(r, b * S));
    const embeds = await this.embed(ids, rows.length);
    const D = embeds.hidden;
    rows.forEach((r, b) => scatterImageFeatures(embeds.data.subarray(b * S * D, (b + 1) * S * D), r, this.imageTokenId, streams[b].images ?? null));
    return embeds;
  }

  /** An empty cache for `batch` streams. */
  emptyCache(batch = 1): KvCache {
    return KvCache.empty({ layers: this.dims.layers, batch, kvHeads: this.dims.kvHeads, headDim: this.dims.headDim });
  }

  /**
   * Throws unless `layer` can be asked for as `attnLayer`: 'bad-request' naming the valid range,
   * or 'invalid-bundle' when the decoder graph has no whole-layer attention.
   */
  checkAttnLayer(layer: number): void {
    const L = this.dims.layers;
    if (!Number.isInteger(layer) || layer < 0 || layer >= L) {
      throw new WorkbenchError('bad-request', `Attention layer ${layer} is out of range: this model's decoder layers are 0..${L - 1}.`, `Pick a layer from 0 to ${L - 1}.`);
    }
    if (!this.canInspect) {
      throw new WorkbenchError('invalid-bundle', `${this.decoderGraph}: this bundle has no decoder-attention.onnx, so it cannot return a layer's whole attention.`, recompileForInspection);
    }
  }

  /** Runs the decoder over whole prompts (or embeddings), continuing `options.cache` if given. */
  async prefill(input: readonly Stream[] | Embeds, options: PrefillOptions = {}): Promise<DecoderOutput> {
    if (options.attnLayer !== undefined) this.checkAttnLayer(options.attnLayer);
    const embeds = Array.isArray(input) ? await this.inputsEmbeds(input as readonly Stream[]) : (input as Embeds);
    const cache = options.cache ?? this.emptyCache(embeds.batch);
    return runDecoder(this.decoder, this.dims, embeds, cache, options.logits ?? 'last', this.attnLayerFeed(options.attnLayer));
  }

  /** Appends one token per stream (text tokens only) and returns logits [B, V] for the next. */
  async step(tokens: readonly number[], cache: KvCache): Promise<DecoderOutput> {
    const embeds = await this.embed(toIds(tokens), tokens.length);
    return runDecoder(this.decoder, this.dims, embeds, cache, 'last', this.attnLayerFeed(undefined));
  }

  /** What the decoder's attn_layer input gets: nothing without one, else the layer or -1 (none). */
  private attnLayerFeed(layer: number | undefined): number | null {
    return this.canInspect ? (layer ?? -1) : null;
  }

  async dispose(): Promise<void> {
    await Promise.all([this.vision.release(), this.embedder.release(), this.decoder.release()]);
  }
}
