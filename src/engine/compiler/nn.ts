/**
 * Building blocks shared by the model files, each following the PyTorch module it replaces:
 * nn.Linear, nn.LayerNorm, LlamaRMSNorm and the activations of transformers' ACT2FN.
 *
 * Precision: activations between blocks are always float32. In an fp16 bundle only the big weight
 * matrices are float16: a Linear casts its input to float16, multiplies, and casts the product back
 * to float32 before adding the (float32) bias. Norms, residual sums, RoPE and attention therefore run
 * in float32 whatever the bundle dtype, as HF does for RMSNorm and the attention softmax.
 */
import type { Value } from '../onnx/graph.ts';
import type { GraphBuilder } from '../onnx/ops.ts';
import type { BundleDtype, Weights } from './weights.ts';

export interface Ctx {
  g: GraphBuilder;
  w: Weights;
  dtype: BundleDtype;
}

/** nn.Linear(inFeatures, outFeatures) with the weights `${prefix}.weight` (+ `${prefix}.bias`). */
export function linear(ctx: Ctx, x: Value, prefix: string, inFeatures: number, outFeatures: number, bias: boolean): Value {
  const { g, w, dtype } = ctx;
  const weight = g.initializer(`${prefix}.weight`, w.linear(`${prefix}.weight`, outFeatures, inFeatures, dtype));
  let y = dtype === 'fp16' ? g.cast(g.matmul(g.cast(x, 'float16'), weight), 'float32') : g.matmul(x, weight);
  if (bias) y = g.add(y, g.initializer(`${prefix}.bias`, w.tensor(`${prefix}.bias`, [outFeatures], 'fp32')));
  return y;
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
