/**
 * The CLIP vision tower (transformers CLIPVisionTransformer) in float64, for one image, returning
 * every hidden state: hiddenStates[0] is the embeddings after pre_layrnorm, hiddenStates[i + 1] the
 * output of encoder layer i. post_layernorm is never applied (LLaVA does not use it).
 */
import type { ClipVisionConfig } from '../../src/engine/checkpoint/hf-config.ts';
import { add, at64, attention, dot, geluErf, layerNorm, linear, map, matrix, quickGelu, type Matrix, type Weights } from './ops-f64.ts';

const V = 'vision_tower.vision_model.';

export interface ClipOutput {
  /** numHiddenLayers + 1 matrices [1 + grid², hidden]. */
  hiddenStates: Matrix[];
  /** Per layer, [heads, T, T] post-softmax. */
  attentions: Float64Array[];
}

/** pixels: one image, [channels, imageSize, imageSize] row-major. */
export function clipVisionTower(c: ClipVisionConfig, w: Weights, pixels: Float64Array): ClipOutput {
  let h = layerNorm(clipEmbeddings(c, w, pixels), w(`${V}pre_layrnorm.weight`), w(`${V}pre_layrnorm.bias`), c.layerNormEps);
  const hiddenStates = [h];
  const attentions: Float64Array[] = [];
  for (let i = 0; i < c.numHiddenLayers; i++) {
    const layer = clipEncoderLayer(c, w, `${V}encoder.layers.${i}.`, h);
    h = layer.out;
    hiddenStates.push(h);
    attentions.push(layer.probs);
  }
  return { hiddenStates, attentions };
}

/**
 * CLIPVisionEmbeddings: a stride-`patch` convolution without bias turns each patch into a vector
 * (patches in row-major order), the class embedding is prepended, and learned position embeddings
 * are added. Pixels past the last whole patch are ignored, as the convolution does.
 */
export function clipEmbeddings(c: ClipVisionConfig, w: Weights, pixels: Float64Array): Matrix {
  const D = c.hiddenSize;
  const P = c.patchSize;
  const S = c.imageSize;
  const C = c.numChannels;
  const g = Math.floor(S / P);
  if (pixels.length !== C * S * S) throw new Error(`clipEmbeddings: ${pixels.length} pixel values, expected ${C}x${S}x${S}`);
  const conv = w(`${V}embeddings.patch_embedding.weight`); // [D, C, P, P]
  const cls = w(`${V}embeddings.class_embedding`);
  const pos = w(`${V}embeddings.position_embedding.weight`); // [1 + g², D]
  const x = matrix(1 + g * g, D);
  for (let d = 0; d < D; d++) x.data[d] = at64(cls, d) + at64(pos, d);
  // Each output of the convolution is a dot product of a kernel [C, P, P] with its patch, flattened alike.
  const patch = new Float64Array(C * P * P);
  for (let py = 0; py < g; py++) {
    for (let px = 0; px < g; px++) {
      const t = 1 + py * g + px;
      for (let ch = 0; ch < C; ch++) {
        for (let ky = 0; ky < P; ky++) {
          const from = (ch * S + py * P + ky) * S + px * P;
          patch.set(pixels.subarray(from, from + P), (ch * P + ky) * P);
        }
      }
      for (let d = 0; d < D; d++) x.data[t * D + d] = dot(conv.subarray(d * patch.length, (d + 1) * patch.length), patch) + at64(pos, t * D + d);
    }
  }
  return x;
}

/** CLIPEncoderLayer: pre-norm residual blocks, x + attn(ln1(x)), then x + mlp(ln2(x)). */
function clipEncoderLayer(c: ClipVisionConfig, w: Weights, p: string, x: Matrix): { out: Matrix; probs: Float64Array } {
  const attn = clipAttention(c, w, `${p}self_attn.`, layerNorm(x, w(`${p}layer_norm1.weight`), w(`${p}layer_norm1.bias`), c.layerNormEps));
  const h = add(x, attn.out);
  const out = add(h, clipMlp(c, w, `${p}mlp.`, layerNorm(h, w(`${p}layer_norm2.weight`), w(`${p}layer_norm2.bias`), c.layerNormEps)));
  return { out, probs: attn.probs };
}

/** CLIPAttention: full (non-causal) multi-head attention with biased q/k/v/out projections. */
function clipAttention(c: ClipVisionConfig, w: Weights, p: string, x: Matrix): { out: Matrix; probs: Float64Array } {
  const D = c.hiddenSize;
  const q = linear(x, w(`${p}q_proj.weight`), D, w(`${p}q_proj.bias`));
  const k = linear(x, w(`${p}k_proj.weight`), D, w(`${p}k_proj.bias`));
  const v = linear(x, w(`${p}v_proj.weight`), D, w(`${p}v_proj.bias`));
  const heads = c.numAttentionHeads;
  const a = attention(q, k, v, heads, heads, D / heads, false);
  return { out: linear(a.out, w(`${p}out_proj.weight`), D, w(`${p}out_proj.bias`)), probs: a.probs };
}

/** CLIPMLP: fc2(act(fc1(x))), act = quick_gelu (CLIP's default) or exact gelu. */
function clipMlp(c: ClipVisionConfig, w: Weights, p: string, x: Matrix): Matrix {
  const act = c.hiddenAct === 'quick_gelu' ? quickGelu : geluErf;
  const h = map(linear(x, w(`${p}fc1.weight`), c.intermediateSize, w(`${p}fc1.bias`)), act);
  return linear(h, w(`${p}fc2.weight`), c.hiddenSize, w(`${p}fc2.bias`));
}
