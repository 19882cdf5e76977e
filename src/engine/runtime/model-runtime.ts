/**
 * A compiled bundle of any family, loaded and ready to run: images to features (a fixed-grid tower
 * like LLaVA's, or a native-resolution one like Qwen2-VL's, fed patch rows and their grids), ids to
 * embeddings, image features into the image-token rows, and decoder calls that prefill or extend a
 * KV cache (with M-RoPE positions where the family uses them).
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
import { stat } from 'node:fs/promises';
import * as ort from 'onnxruntime-node';
import { WorkbenchError } from '../../common/contract/errors.ts';
// The native-resolution vision kind follows the Qwen2-VL family's rules for positions and windows.
import { imageTokenCount, patchLayout, ropeIndex, type PatchGrid } from '../families/qwen2-vl/positions.ts';
export type { PatchGrid };
import { windowLayout } from '../families/qwen2-vl/windows.ts';
import {
  decoderDims,
  hasFullAttention,
  runDecoder,
  runDecoderInChunks,
  runRowsInChunks,
  type DecoderDims,
  type DecoderOutput,
  type Embeds,
  type MropeFeed,
} from './decoder.ts';
import { scatterImageFeatures, type ImageFeatures } from './image-tokens.ts';
import { KvCache, type KvWorkspace } from './kv-cache.ts';
import { availableMemory, fp16CpuRefusal } from './memory.ts';
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
  /**
   * How images and positions work: 'fixed-grid' (LLaVA: pixel_values [N, 3, S, S], 1-D RoPE) or
   * 'native-resolution' (Qwen2-VL: patch rows of any image size, M-RoPE). Default 'fixed-grid'.
   * `window` (Qwen2.5-VL): window_size and patch_size in pixels, from which the vision tower's window
   * inputs are laid out per call; null without window attention.
   */
  vision?: { kind: 'fixed-grid' } | { kind: 'native-resolution'; mergeSize: number; patchRow: number; window: { size: number; patchSize: number } | null };
  /** The manifest's weight dtype: an fp16 bundle is refused on the CPU when it would not fit (memory.ts). */
  dtype?: string;
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
  /**
   * Write the prompt's cache into this workspace's buffers (each chunk's call alternating its two
   * sets) instead of tensors onnxruntime allocates and hands over: for a prefill that a decoding
   * loop then continues in the same workspace (GenerateOptions.workspace), which writes over the
   * prefill's cache from its second step, so nothing else may keep using that cache.
   */
  into?: KvWorkspace;
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
  /** Bytes of memory available for the fp16-on-CPU check (default: the OS's figure; tests pass one). */
  availableMemory?: () => number;
  /**
   * New tokens per decoder call when prefilling (runDecoderInChunks): activations scale with this
   * instead of the prompt. Default DEFAULT_PREFILL_CHUNK; 0 prefills a prompt in one call.
   */
  prefillChunk?: number;
  /**
   * Release the vision session after each image encoding and create it again on the next one, so
   * that prefill and decode do not hold the vision tower's weights (1.25 GB float32 at
   * LLaVA-1.5-7B). For one-shot runs (`laser forward`): each later encoding pays the session's
   * creation again. Default false.
   */
  releaseVision?: boolean;
}

/**
 * Tokens per prefill call by default: activations then scale with 256 tokens, not the prompt
 * (docs/bundle-format.md has the memory measured at 7B), at no cost in speed (bench model, one
 * process, interleaved: 609 tokens 0.99x and 1200 tokens 0.94x the time of one call; chunks of 64
 * were 1.12x). See src/engine/runtime/README.md.
 */
export const DEFAULT_PREFILL_CHUNK = 256;

/** Refuses, before any session exists, an fp16 bundle whose float32-widened weights would not fit (memory.ts). */
async function checkFp16OnCpu(info: BundleModelInfo, available: () => number): Promise<void> {
  const size = async (graph: string) => (await stat(`${graph}.data`).catch(() => null))?.size ?? 0;
  const bytes = { decoder: await size(info.graphs.decoder), vision: await size(info.graphs.vision), embed: await size(info.graphs.embed) };
  const refusal = fp16CpuRefusal(bytes, available());
  if (refusal) throw new WorkbenchError('too-large', `${info.dir}: ${refusal.message}`, refusal.hint);
}

const recompileForInspection =
  'Recompile the bundle with this version (`laser compile <checkpoint> <bundle>`); every bundle it writes has decoder-attention.onnx.';

function toIds(ids: BigInt64Array | readonly number[]): BigInt64Array {
  if (ids instanceof BigInt64Array) return ids;
  const out = new BigInt64Array(ids.length);
  for (const [i, id] of ids.entries()) {
    if (!Number.isSafeInteger(id) || id < 0) throw new WorkbenchError('bad-request', `Token id ${id} at position ${i} is not a non-negative integer.`);
    out[i] = BigInt(id);
  }
  return out;
}

export class ModelRuntime {
  readonly dims: DecoderDims;
  /** See BundleModelInfo.vision. */
  readonly vision: NonNullable<BundleModelInfo['vision']>;
  /**
   * Vision input side S (pixel_values [N, 3, S, S]) and features per image T of a fixed-grid model;
   * both 0 for a native-resolution one, where each image has its own (see `encodePatches`).
   */
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
  /** null while released (RuntimeOptions.releaseVision); `runVision` creates it again. */
  private visionSession: ort.InferenceSession | null;

  /** Whether the vision session is held now (false between encodings with releaseVision). */
  get visionLoaded(): boolean {
    return this.visionSession !== null;
  }

  private constructor(
    info: BundleModelInfo,
    visionSession: ort.InferenceSession,
    private readonly embedder: ort.InferenceSession,
    private readonly decoder: ort.InferenceSession,
    decoderGraph: string,
    private readonly factory: SessionFactory,
    sessionMs: SessionTimes,
    /** New tokens per prefill call (RuntimeOptions.prefillChunk; 0 = the whole prompt). */
    readonly prefillChunk = DEFAULT_PREFILL_CHUNK,
    /** Where the vision graph is, and whether its session is released after each use (RuntimeOptions.releaseVision). */
    private readonly visionGraph = info.graphs.vision,
    readonly releaseVision = false,
  ) {
    this.visionSession = visionSession;
    this.imageTokenId = info.imageTokenId;
    this.eosTokenIds = info.eosTokenIds;
    this.dims = decoderDims(decoder, decoderGraph);
    this.decoderGraph = decoderGraph;
    this.canInspect = hasFullAttention(decoder, decoderGraph);
    this.vision = info.vision ?? { kind: 'fixed-grid' };
    this.provider = factory.provider ?? 'cpu';
    this.fallbackReason = factory.fallbackReason;
    this.sessionMs = sessionMs;
    if (!embedder.inputNames.includes('input_ids') || !embedder.outputNames.includes('inputs_embeds')) {
      throw new WorkbenchError('invalid-bundle', `${info.graphs.embed}: expected input_ids -> inputs_embeds.`, 'Recompile the bundle with `laser compile`.');
    }
    if (this.vision.kind === 'native-resolution') {
      const want = ['pixel_values', 'patch_hw', 'frame_segment', ...(this.vision.window ? ['window_index', 'window_segment', 'reverse_index'] : [])];
      const missing = want.filter((n) => !visionSession.inputNames.includes(n));
      if (missing.length > 0 || !visionSession.outputNames.includes('image_embeds')) {
        throw new WorkbenchError(
          'invalid-bundle',
          `${info.graphs.vision}: expected ${want.join(', ')} -> image_embeds (missing ${missing.join(', ') || 'image_embeds'}).`,
          'Recompile the bundle with `laser compile`.',
        );
      }
      this.imageSize = 0;
      this.imageTokens = 0;
      return;
    }
    const visionFile = info.graphs.vision;
    const pixelMeta = visionSession.inputMetadata[visionSession.inputNames.indexOf('pixel_values')];
    const featMeta = visionSession.outputMetadata[visionSession.outputNames.indexOf('image_features')];
    const side = pixelMeta?.isTensor ? pixelMeta.shape[3] : undefined;
    const tokens = featMeta?.isTensor ? featMeta.shape[1] : undefined;
    if (typeof side !== 'number' || typeof tokens !== 'number') {
      throw new WorkbenchError(
        'invalid-bundle',
        `${visionFile}: expected pixel_values [N,3,S,S] -> image_features [N,T,D] with fixed S and T.`,
        'Recompile the bundle with `laser compile`.',
      );
    }
    this.imageSize = side;
    this.imageTokens = tokens;
  }

  /** Creates the three sessions of a bundle whose model info has already been read. */
  static async load(info: BundleModelInfo, options: RuntimeOptions = {}): Promise<ModelRuntime> {
    const decoderGraph = info.graphs.decoderAttention ?? info.graphs.decoder;
    if (options.inspect && !info.graphs.decoderAttention) {
      throw new WorkbenchError(
        'invalid-bundle',
        `${info.dir}: this bundle has no decoder-attention.onnx, so it cannot return a layer's whole attention (it was compiled by an earlier version).`,
        recompileForInspection,
      );
    }
    const { inspect, availableMemory: available, prefillChunk, releaseVision, ...sessionOptions } = options;
    const chunk = prefillChunk ?? DEFAULT_PREFILL_CHUNK;
    if (!Number.isInteger(chunk) || chunk < 0)
      throw new WorkbenchError(
        'bad-request',
        `The prefill chunk must be a non-negative number of tokens, got ${chunk}.`,
        'Use 0 to prefill each prompt in one decoder call.',
      );
    const beforeCpu = info.dtype === 'fp16' ? () => checkFp16OnCpu(info, available ?? availableMemory) : undefined;
    const factory = new SessionFactory({ ...sessionOptions, beforeCpu });
    const created: CreatedSession[] = [];
    try {
      // The decoder first: it is the largest, so a CUDA probe failure is seen before the rest load.
      for (const path of [decoderGraph, info.graphs.embed, info.graphs.vision]) created.push(await factory.create(path));
      const [decoder, embed, vision] = created;
      if (decoder === undefined || embed === undefined || vision === undefined) throw new Error(`${info.dir}: a bundle graph did not load`);
      const runtime = new ModelRuntime(
        info,
        vision.session,
        embed.session,
        decoder.session,
        decoderGraph,
        factory,
        {
          vision: vision.createMs,
          embed: embed.createMs,
          decoder: decoder.createMs,
        },
        chunk,
        info.graphs.vision,
        releaseVision ?? false,
      );
      if (inspect && !runtime.canInspect) {
        throw new WorkbenchError(
          'invalid-bundle',
          `${decoderGraph}: has no attn_layer input, so it cannot return a layer's whole attention.`,
          recompileForInspection,
        );
      }
      return runtime;
    } catch (e) {
      await Promise.all(created.map((c) => c.session.release()));
      throw e;
    }
  }

  /** pixel_values [n, 3, S, S] (preprocessed) → image features [n, T, D]. */
  async encodeImages(pixelValues: Float32Array, n: number): Promise<ImageFeatures> {
    if (this.vision.kind !== 'fixed-grid') throw new Error('encodeImages is for fixed-grid models; use encodePatches');
    const S = this.imageSize;
    if (!Number.isInteger(n) || n < 1 || pixelValues.length !== n * 3 * S * S) {
      throw new WorkbenchError(
        'bad-request',
        `pixel_values hold ${pixelValues.length} floats; ${n} image(s) of 3x${S}x${S} need ${n * 3 * S * S}.`,
        `Preprocess each image to 3x${S}x${S}.`,
      );
    }
    const out = await this.runVision({ pixel_values: new ort.Tensor('float32', pixelValues, [n, 3, S, S]) });
    const t = outputOf(out, 'image_features');
    return { data: t.data as Float32Array, count: n, tokens: dimOf(t, 1), hidden: dimOf(t, 2) };
  }

  /**
   * Native-resolution models: patch rows [Np, patchRow] of images with patch grids `grids` (the
   * processor's `image_grid_thw`) → each image's embeddings, in order (ragged ImageFeatures).
   */
  async encodePatches(pixelValues: Float32Array, grids: readonly PatchGrid[]): Promise<ImageFeatures> {
    const v = this.vision;
    if (v.kind !== 'native-resolution') throw new Error('encodePatches is for native-resolution models; use encodeImages');
    const m = v.mergeSize;
    const bad = grids.findIndex((g) => ![g.t, g.h, g.w].every((x) => Number.isInteger(x) && x > 0) || g.h % m !== 0 || g.w % m !== 0);
    if (grids.length === 0 || bad >= 0) {
      throw new WorkbenchError(
        'bad-request',
        grids.length === 0
          ? 'No image grid was given.'
          : `image_grid_thw row ${bad} is [${grids[bad]?.t}, ${grids[bad]?.h}, ${grids[bad]?.w}]: each must be positive with h and w multiples of the merge size ${m}.`,
        "Pass the processor's image_grid_thw, one row per image.",
      );
    }
    const patches = grids.reduce((n, g) => n + g.t * g.h * g.w, 0);
    if (pixelValues.length !== patches * v.patchRow) {
      throw new WorkbenchError(
        'bad-request',
        `pixel_values hold ${pixelValues.length} floats; image_grid_thw says ${patches} patches of ${v.patchRow}, i.e. ${patches * v.patchRow}.`,
        'Pass pixel_values [num_patches, C*T*p*p] as the Qwen2-VL processor makes them, with its image_grid_thw.',
      );
    }
    const layout = patchLayout(grids, m);
    const int64 = (values: readonly number[], dims: number[]) => new ort.Tensor('int64', BigInt64Array.from(values, BigInt), dims);
    const feeds: Record<string, ort.Tensor> = {
      pixel_values: new ort.Tensor('float32', pixelValues, [patches, v.patchRow]),
      patch_hw: int64(layout.hw, [patches, 2]),
      frame_segment: int64(layout.frame, [patches]),
    };
    if (v.window) {
      const w = windowLayout(grids, m, v.window.patchSize, v.window.size);
      const units = w.windowIndex.length;
      Object.assign(feeds, {
        window_index: int64(w.windowIndex, [units]),
        window_segment: int64(w.windowSegment, [patches]),
        reverse_index: int64(w.reverseIndex, [units]),
      });
    }
    const out = await this.runVision(feeds);
    const t = outputOf(out, 'image_embeds');
    const perImage = grids.map((g) => imageTokenCount(g, m));
    return {
      data: t.data as Float32Array,
      count: grids.length,
      tokens: perImage.every((n) => n === perImage[0]) ? (perImage[0] ?? 0) : 0,
      hidden: dimOf(t, 1),
      perImage,
      grids: grids.map((g) => ({ ...g })),
    };
  }

  /**
   * Runs the vision session (creating it again first if it was released), and releases it afterwards
   * when the runtime was opened with releaseVision.
   */
  private async runVision(feeds: Record<string, ort.Tensor>): Promise<ort.InferenceSession.ReturnType> {
    if (this.visionSession === null) this.visionSession = (await this.factory.create(this.visionGraph)).session;
    const session = this.visionSession;
    try {
      return await session.run(feeds);
    } finally {
      if (this.releaseVision) {
        this.visionSession = null;
        await session.release();
      }
    }
  }

  /** M-RoPE positions of equal-length new chunks continuing `cache` (null for 1-D RoPE models). */
  private mropeFor(rows: readonly BigInt64Array[], streams: readonly Stream[] | null, cache: KvCache): MropeFeed | null {
    const v = this.vision;
    if (v.kind !== 'native-resolution') return null;
    const B = rows.length;
    const S = rows[0]?.length ?? 0;
    const positions = new BigInt64Array(3 * B * S);
    const ropeDeltas: number[] = [];
    rows.forEach((ids, b) => {
      const start = cache.length + (cache.ropeDeltas[b] ?? absent(`a rope delta for stream ${b}`));
      const grids = streams?.[b]?.images?.grids ?? [];
      let r;
      try {
        r = ropeIndex(ids, this.imageTokenId, grids, v.mergeSize, start);
      } catch (e) {
        throw new WorkbenchError(
          'bad-request',
          `Stream ${b}: ${(e as Error).message}.`,
          'Expand each image into its own number of image-pad tokens and pass its grid.',
        );
      }
      for (const [a, axis] of r.axes.entries())
        for (let i = 0; i < S; i++) positions[(a * B + b) * S + i] = BigInt(axis[i] ?? absent(`position ${i} of stream ${b}`));
      ropeDeltas.push(r.next - (cache.length + S));
    });
    return { positions, ropeDeltas };
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
    const t = outputOf(out, 'inputs_embeds');
    return { data: t.data as Float32Array, batch, length: S, hidden: dimOf(t, 2) };
  }

  /** Embeddings of equal-length streams with each stream's image features in its image-token rows. */
  async inputsEmbeds(streams: readonly Stream[]): Promise<Embeds> {
    if (streams.length === 0) throw new Error('inputsEmbeds: no streams');
    const rows = streams.map((s) => toIds(s.ids));
    const S = rows[0]?.length ?? 0;
    if (S === 0) throw new WorkbenchError('bad-request', 'The prompt is empty.');
    if (rows.some((r) => r.length !== S)) {
      throw new WorkbenchError('bad-request', `Streams decoded as a batch must have equal lengths (got ${rows.map((r) => r.length).join(' and ')}).`);
    }
    const ids = new BigInt64Array(rows.length * S);
    rows.forEach((r, b) => ids.set(r, b * S));
    const embeds = await this.embed(ids, rows.length);
    const D = embeds.hidden;
    rows.forEach((r, b) => scatterImageFeatures(embeds.data.subarray(b * S * D, (b + 1) * S * D), r, this.imageTokenId, streams[b]?.images ?? null));
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
      throw new WorkbenchError(
        'bad-request',
        `Attention layer ${layer} is out of range: this model's decoder layers are 0..${L - 1}.`,
        `Pick a layer from 0 to ${L - 1}.`,
      );
    }
    if (!this.canInspect) {
      throw new WorkbenchError(
        'invalid-bundle',
        `${this.decoderGraph}: this bundle has no decoder-attention.onnx, so it cannot return a layer's whole attention.`,
        recompileForInspection,
      );
    }
  }

  /** Runs the decoder over whole prompts (or embeddings), continuing `options.cache` if given. */
  async prefill(input: readonly Stream[] | Embeds, options: PrefillOptions = {}): Promise<DecoderOutput> {
    if (options.attnLayer !== undefined) this.checkAttnLayer(options.attnLayer);
    const streams = Array.isArray(input) ? (input as readonly Stream[]) : null;
    if (!streams && this.vision.kind === 'native-resolution')
      throw new Error('prefill: M-RoPE models need the streams (ids and image grids), not bare embeddings');
    const embeds = streams ? await this.inputsEmbeds(streams) : (input as Embeds);
    const cache = options.cache ?? this.emptyCache(embeds.batch);
    const mrope = streams
      ? this.mropeFor(
          streams.map((s) => toIds(s.ids)),
          streams,
          cache,
        )
      : null;
    return runDecoderInChunks(
      this.decoder,
      this.dims,
      embeds,
      cache,
      options.logits ?? 'last',
      this.attnLayerFeed(options.attnLayer),
      mrope,
      this.prefillChunk,
      options.into ?? null,
    );
  }

  /**
   * Equal-length streams, each continuing a batch-1 cache of its own (`caches[b]`, all of one
   * length; an empty cache for a stream from scratch), prefilled one after the other into the rows
   * of `into` (a workspace of batch `streams.length`): each row is exactly the batch-1 prefill of
   * its stream (same chunks, same numbers), and the result is the batch's start for a lockstep
   * decode that continues in `into` (GenerateOptions.workspace), which writes over the prompt's
   * cache from its second step. For a batch where batching does not pay (the CPU); see runRowsInChunks.
   */
  async prefillRows(streams: readonly Stream[], caches: readonly KvCache[], into: KvWorkspace): Promise<DecoderOutput> {
    if (streams.length === 0 || streams.length !== caches.length) throw new Error(`prefillRows: ${streams.length} streams for ${caches.length} caches`);
    const rows = [];
    for (const [b, stream] of streams.entries()) {
      const cache = caches[b] ?? absent(`a cache for stream ${b}`);
      const embeds = await this.inputsEmbeds([stream]);
      rows.push({ embeds, cache, mrope: this.mropeFor([toIds(stream.ids)], [stream], cache) });
    }
    return runRowsInChunks(this.decoder, this.dims, rows, this.attnLayerFeed(undefined), this.prefillChunk, into);
  }

  /**
   * Appends one token per stream (text tokens only) and returns logits [B, V] for the next. With
   * `into`, the presents are written into that workspace instead of new tensors (decoding loops).
   */
  async step(tokens: readonly number[], cache: KvCache, into?: KvWorkspace): Promise<DecoderOutput> {
    const ids = toIds(tokens);
    const embeds = await this.embed(ids, tokens.length);
    const mrope = this.mropeFor(
      Array.from(ids, (id) => BigInt64Array.of(id)),
      null,
      cache,
    );
    return runDecoder(this.decoder, this.dims, embeds, cache, 'last', this.attnLayerFeed(undefined), mrope, into ?? null);
  }

  /** What the decoder's attn_layer input gets: nothing without one, else the layer or -1 (none). */
  private attnLayerFeed(layer: number | undefined): number | null {
    return this.canInspect ? (layer ?? -1) : null;
  }

  /** Ends onnxruntime's profiling of every session (opened with `profilePrefix`), writing their trace files. */
  endProfiling(): void {
    for (const s of [this.visionSession, this.embedder, this.decoder]) s?.endProfiling();
  }

  async dispose(): Promise<void> {
    const vision = this.visionSession;
    this.visionSession = null;
    await Promise.all([vision?.release(), this.embedder.release(), this.decoder.release()]);
  }
}

/** Output `name` of a graph run; an error naming it when the graph gave none. */
function outputOf(out: ort.InferenceSession.ReturnType, name: string): ort.Tensor {
  const t = out[name];
  if (t === undefined) throw new Error(`The graph gave no output "${name}".`);
  return t;
}

/** Axis `axis` of a tensor's dims; an error when the tensor has fewer axes. */
function dimOf(t: ort.Tensor, axis: number): number {
  const d = t.dims[axis];
  if (d === undefined) throw new Error(`A [${t.dims.join(', ')}] tensor has no axis ${axis}.`);
  return d;
}

function absent(what: string): never {
  throw new Error(`The runtime has no ${what}.`);
}
