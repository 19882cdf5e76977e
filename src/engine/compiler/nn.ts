/**
 * Building blocks shared by the model files, each following the PyTorch module it replaces:
 * nn.Linear, nn.LayerNorm, LlamaRMSNorm and the activations of transformers' ACT2FN.
 *
 * Precision: activations between blocks are always float32. In an fp16 bundle only the big weight
 * matrices are float16: a Linear casts its input to float16, multiplies, and casts the product back
 * to float32 before adding the (float32) bias. Norms, residual sums, RoPE and attention therefore run
 * in float32 whatever the bundle dtype, as HF does for RMSNorm and the attention softmax.
 *
 * Quantised bundles (int8/int4): a Linear of a graph built with `ctx.quant` is one com.microsoft
 * MatMulNBits over the weight quantised block-wise (quantize.ts), float32 in and out, then the
 * float32 bias; everything else is as in fp32 bundles.
 */
import { WorkbenchError } from '../../common/contract/errors.ts';
import { QUANT_BLOCK_SIZES } from '../../common/compile-options.ts';
import type { Value } from '../onnx/graph.ts';
import type { GraphBuilder } from '../onnx/ops.ts';
import type { QuantScheme } from './quantize.ts';
import type { FloatDtype, Weights } from './weights.ts';

/** What to quantise, shared by every graph of one compile (docs/bundle-format.md, "Quantised bundles"). */
export interface QuantContext {
  scheme: QuantScheme;
  /** MatMulNBits accuracy_level: 0 keeps activations float32; 4 quantises them to int8 per block. */
  accuracyLevel: number;
  /** The decoder's lm_head (or the tied embed_tokens used as it). */
  lmHead: boolean;
  /** The embed_tokens table, gathered with GatherBlockQuantized. */
  embeddings: boolean;
  /** The vision tower's and projector's Linear layers. */
  vision: boolean;
  /** Checkpoint names of the tensors quantised, filled in as the graphs are built. */
  tensors: Set<string>;
}

export interface Ctx {
  g: GraphBuilder;
  w: Weights;
  dtype: FloatDtype;
  /** Quantise this graph's Linear layers (null or absent: float weights of `dtype`). */
  quant?: QuantContext | null;
}

/**
 * `x @ weight^T` for the checkpoint matrix `name` stored [outFeatures, inFeatures], as initializer
 * `initName`: float (`ctx.dtype`), or block-quantised with `quant`.
 */
export function project(ctx: Ctx, x: Value, name: string, initName: string, inFeatures: number, outFeatures: number, quant: QuantContext | null): Value {
  const { g, w, dtype } = ctx;
  if (quant) {
    const q = w.quantized(name, outFeatures, inFeatures, quant.scheme);
    quant.tensors.add(name);
    const data = g.initializer(initName, q.data);
    const scales = g.initializer(`${initName}_scales`, q.scales);
    const zeroPoints = q.zeroPoints ? g.initializer(`${initName}_zero_points`, q.zeroPoints) : null;
    return g.matMulNBits(x, data, scales, zeroPoints, {
      K: inFeatures,
      N: outFeatures,
      bits: quant.scheme.bits,
      blockSize: quant.scheme.blockSize,
      accuracyLevel: quant.accuracyLevel,
    });
  }
  const weight = g.initializer(initName, w.linear(name, outFeatures, inFeatures, dtype));
  return dtype === 'fp16' ? g.cast(g.matmul(g.cast(x, 'float16'), weight), 'float32') : g.matmul(x, weight);
}

/** nn.Linear(inFeatures, outFeatures) with the weights `${prefix}.weight` (+ `${prefix}.bias`). */
export function linear(ctx: Ctx, x: Value, prefix: string, inFeatures: number, outFeatures: number, bias: boolean): Value {
  const { g, w } = ctx;
  let y = project(ctx, x, `${prefix}.weight`, `${prefix}.weight`, inFeatures, outFeatures, ctx.quant ?? null);
  if (bias) y = g.add(y, g.initializer(`${prefix}.bias`, w.tensor(`${prefix}.bias`, [outFeatures], 'fp32')));
  return y;
}

/** What to do when the embeddings' width is not a multiple of the block size: the sizes that fit, in the CLI's and the app's words. */
function blockSizeHint(hidden: number): string {
  const fits = QUANT_BLOCK_SIZES.filter((b) => hidden % b === 0);
  const keep = 'keep the embeddings unquantised (`--no-quantize-embeddings` in `laser compile`, or untick "embeddings" in the app\'s compile options)';
  if (fits.length === 0) return `No block size (${QUANT_BLOCK_SIZES.join(', ')}) divides ${hidden}: ${keep}.`;
  return `Choose a block size of ${fits.join(' or ')} (\`--block-size\`, or "block size" in the app's compile options), or ${keep}.`;
}

/**
 * nn.Embedding: rows `ids` of the table `name` [vocab, hidden] as float32: a Gather of the float
 * table, or GatherBlockQuantized of the table quantised along hidden (`ctx.quant.embeddings`).
 */
export function embedding(ctx: Ctx, ids: Value, name: string, vocab: number, hidden: number): Value {
  const { g, w, dtype } = ctx;
  const quant = ctx.quant?.embeddings ? ctx.quant : null;
  if (!quant) return g.cast(g.gather(g.initializer(name, w.tensor(name, [vocab, hidden], dtype)), ids, 0), 'float32');
  const { blockSize, bits } = quant.scheme;
  if (hidden % blockSize !== 0) {
    throw new WorkbenchError(
      'bad-request',
      `cannot quantise the embeddings: hidden size ${hidden} is not a multiple of the block size ${blockSize}`,
      blockSizeHint(hidden),
    );
  }
  const q = w.quantized(name, vocab, hidden, quant.scheme);
  quant.tensors.add(name);
  // GatherBlockQuantized reads uint8 data as [vocab, hidden * bits / 8]: the same bytes as [vocab, kBlocks, blob].
  const data = g.initializer(name, { ...q.data, dims: [vocab, q.kBlocks * q.blobSize] });
  const scales = g.initializer(`${name}_scales`, q.scales);
  const zeroPoints = q.zeroPoints ? g.initializer(`${name}_zero_points`, q.zeroPoints) : null;
  return g.gatherBlockQuantized(data, ids, scales, zeroPoints, { bits, blockSize });
}

/** nn.LayerNorm over the last axis, with weight and bias `${prefix}.{weight,bias}`. */
export function layerNorm(ctx: Ctx, x: Value, prefix: string, size: number, eps: number): Value {
  const { g, w } = ctx;
  const scale = g.initializer(`${prefix}.weight`, w.tensor(`${prefix}.weight`, [size], 'fp32'));
  const bias = g.initializer(`${prefix}.bias`, w.tensor(`${prefix}.bias`, [size], 'fp32'));
  return g.layerNormalization(x, scale, bias, { axis: -1, epsilon: eps });
}

/**
 * LlamaRMSNorm: `weight * (x / sqrt(mean(x^2) + eps))`, in this op order (ORT fuses the pattern
 * into SimplifiedLayerNormalization).
 */
export function rmsNorm(ctx: Ctx, x: Value, prefix: string, size: number, eps: number): Value {
  const { g, w } = ctx;
  const variance = g.reduceMean(g.pow(x, 2), [-1], true);
  const normed = g.div(x, g.sqrt(g.add(variance, eps)));
  return g.mul(g.initializer(`${prefix}.weight`, w.tensor(`${prefix}.weight`, [size], 'fp32')), normed);
}

export type Activation = 'silu' | 'gelu' | 'quick_gelu';

/** ACT2FN[name](x): silu = x*sigmoid(x); gelu = exact erf GELU; quick_gelu = x*sigmoid(1.702x). */
export function activation(g: GraphBuilder, name: Activation, x: Value): Value {
  switch (name) {
    case 'silu':
      return g.mul(x, g.sigmoid(x));
    case 'gelu':
      // 0.5 * x * (1 + erf(x / sqrt(2))), the pattern ORT fuses into Gelu
      return g.mul(g.mul(x, g.add(g.erf(g.div(x, Math.SQRT2)), 1)), 0.5);
    case 'quick_gelu':
      return g.mul(x, g.sigmoid(g.mul(x, 1.702)));
  }
}
