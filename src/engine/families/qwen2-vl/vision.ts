/**
 * The Qwen2-VL / Qwen2.5-VL vision tower with its patch merger as vision.onnx, following
 * transformers' Qwen2VisionTransformerPretrainedModel (v4.45) and Qwen2_5_VisionTransformer
 * PretrainedModel (v4.49) op by op:
 *
 *   x = patch_embed(pixel_values)                      Conv3d over one patch = a [1176] . [1176, E] product
 *   (2.5: x and the rotary angles are regrouped by window_index, in units of merge x merge patches)
 *   per block:  x = x + proj(attn(rope2d(q), rope2d(k), v))    on norm1(x)
 *               x = x + mlp(norm2(x))
 *   image_embeds = mlp(ln_q(x) as rows of merge^2 patches)     (2.5: rows put back by reverse_index)
 *
 * Qwen2-VL blocks use LayerNorm (eps 1e-6) and fc1 -> act -> fc2; Qwen2.5-VL blocks use RMSNorm and
 * a gated MLP (gate/up/down, with biases). Attention is eager: `softmax(q k^T / sqrt(hd) + mask)`
 * with mask 0 inside a patch's own segment and float32 min elsewhere. The segments are fed by the
 * runtime: one per image frame (block-diagonal, every Qwen2-VL block and the full-attention blocks
 * of 2.5) and, for 2.5, one per window.
 *
 * Graph inputs (all per patch, in the processor's row order, see src/engine/families/qwen2-vl):
 *   pixel_values   float32 [num_patches, C*T*p*p]
 *   patch_hw       int64   [num_patches, 2]    the patch's (row, column) in its image
 *   frame_segment  int64   [num_patches]       which image frame the patch belongs to
 *   2.5 only: window_index int64 [num_units], window_segment int64 [num_patches] (in window order),
 *             reverse_index int64 [num_units]
 * Output: image_embeds float32 [num_patches / merge^2, D].
 */
import type { Value } from '../../onnx/graph.ts';
import { GraphBuilder } from '../../onnx/ops.ts';
import { activation, layerNorm, linear, rmsNorm, type Ctx, type QuantContext } from '../../compiler/nn.ts';
import { applyRotary, defaultInvFreq } from '../../compiler/rope.ts';
import type { FloatDtype, Weights } from '../../compiler/weights.ts';
import { patchRowSize, type QwenConfig, type QwenVisionConfig } from './config.ts';

const FLOAT32_MIN = -3.4028234663852886e38;
const VISION_ROPE_THETA = 10000;

/** Additive mask [1, N, N]: 0 where two patches share a segment, float32 min elsewhere. */
function segmentMask(g: GraphBuilder, segments: Value): Value {
  const same = g.equal(g.unsqueeze(segments, [1]), g.unsqueeze(segments, [0]));
  return g.unsqueeze(g.where(same, 0, g.scalar('float32', FLOAT32_MIN)), [0]);
}

function attention(ctx: Ctx, v: QwenVisionConfig, p: string, x: Value, cos: Value, sin: Value, mask: Value): Value {
  const { g } = ctx;
  const E = v.embedDim;
  const H = v.numHeads;
  const hd = E / H;
  // qkv [N, 3E] -> [N, 3, H, hd] -> three [H, N, hd]
  const qkv = g.reshape(linear(ctx, x, `${p}.qkv`, E, 3 * E, true), [0, 3, H, hd]);
  const part = (i: number) => g.transpose(g.squeeze(g.slice(qkv, [i], [i + 1], [1]), [1]), [1, 0, 2]);
  const q = applyRotary(g, part(0), cos, sin, hd);
  const k = applyRotary(g, part(1), cos, sin, hd);
  const scores = g.add(g.div(g.matmul(q, g.transpose(k, [0, 2, 1])), Math.sqrt(hd)), mask);
  const probs = g.softmax(scores, -1); // [H, N, N]
  const context = g.reshape(g.transpose(g.matmul(probs, part(2)), [1, 0, 2]), [0, E]);
  return linear(ctx, context, `${p}.proj`, E, E, true);
}

function mlp(ctx: Ctx, cfg: QwenConfig, p: string, x: Value): Value {
  const v = cfg.visionConfig;
  const E = v.embedDim;
  const I = v.mlpHidden;
  if (cfg.modelType === 'qwen2_vl') return linear(ctx, activation(ctx.g, v.hiddenAct, linear(ctx, x, `${p}.fc1`, E, I, true)), `${p}.fc2`, I, E, true);
  const gate = activation(ctx.g, v.hiddenAct, linear(ctx, x, `${p}.gate_proj`, E, I, true));
  return linear(ctx, ctx.g.mul(gate, linear(ctx, x, `${p}.up_proj`, E, I, true)), `${p}.down_proj`, I, E, true);
}

/** norm1/norm2/ln_q: LayerNorm (Qwen2-VL) or RMSNorm (Qwen2.5-VL), eps 1e-6 either way. */
function norm(ctx: Ctx, cfg: QwenConfig, x: Value, p: string): Value {
  const E = cfg.visionConfig.embedDim;
  return cfg.modelType === 'qwen2_vl' ? layerNorm(ctx, x, p, E, 1e-6) : rmsNorm(ctx, x, p, E, 1e-6);
}

/** Rotary cos/sin [1, N, hd] of each patch: angles cat(h * inv_freq, w * inv_freq), doubled. */
function rotary(g: GraphBuilder, v: QwenVisionConfig, patchHw: Value): { cos: Value; sin: Value } {
  return g.scope('rotary_pos_emb', () => {
    const hd = v.embedDim / v.numHeads;
    const inv = g.floats([hd / 4], defaultInvFreq(hd / 2, VISION_ROPE_THETA));
    const angles = g.reshape(g.mul(g.unsqueeze(g.cast(patchHw, 'float32'), [2]), inv), [0, hd / 2]); // [N, hd/2]
    const emb = g.unsqueeze(g.concat([angles, angles], -1), [0]); // [1, N, hd]
    return { cos: g.cos(emb), sin: g.sin(emb) };
  });
}

/** Rows regrouped in units of `unit` consecutive rows: x[N, C] -> x.reshape(N/unit, unit, C)[index].reshape(N, C). */
function regroup(g: GraphBuilder, x: Value, index: Value, unit: number, width: number): Value {
  return g.reshape(g.gather(g.reshape(x, [-1, unit, width]), index, 0), [-1, width]);
}

export function buildQwenVision(cfg: QwenConfig, w: Weights, dtype: FloatDtype, quant: QuantContext | null = null): GraphBuilder {
  const g = new GraphBuilder('vision');
  const ctx: Ctx = { g, w, dtype, quant: quant?.vision ? quant : null };
  const v = cfg.visionConfig;
  const E = v.embedDim;
  const R = patchRowSize(v);
  const unit = v.spatialMergeSize * v.spatialMergeSize;
  const D = v.outHidden;
  const pixels = g.input('pixel_values', 'float32', ['num_patches', R]);
  const patchHw = g.input('patch_hw', 'int64', ['num_patches', 2]);
  const frames = g.input('frame_segment', 'int64', ['num_patches']);
  const windowed = v.window !== null;
  const windowIndex = windowed ? g.input('window_index', 'int64', ['num_units']) : null;
  const windowSegments = windowed ? g.input('window_segment', 'int64', ['num_patches']) : null;
  const reverseIndex = windowed ? g.input('reverse_index', 'int64', ['num_units']) : null;

  const proj = 'visual.patch_embed.proj.weight';
  let x = g.scope('patch_embed', () => {
    const weight = g.initializer(proj, w.flattenedLinear(proj, [E, v.inChannels, v.temporalPatchSize, v.patchSize, v.patchSize], dtype));
    return dtype === 'fp16' ? g.cast(g.matmul(g.cast(pixels, 'float16'), weight), 'float32') : g.matmul(pixels, weight);
  });
  let hw = patchHw;
  if (windowIndex) {
    x = regroup(g, x, windowIndex, unit, E);
    hw = regroup(g, patchHw, windowIndex, unit, 2);
  }
  const { cos, sin } = rotary(g, v, hw);
  // Frames are contiguous runs of patches, so regrouping within them leaves each patch's frame as is.
  const fullMask = g.scope('frame_mask', () => segmentMask(g, frames));
  const windowMask = windowSegments ? g.scope('window_mask', () => segmentMask(g, windowSegments)) : null;
  const full = new Set(v.window?.fullAttentionBlocks ?? []);
  for (let i = 0; i < v.depth; i++) {
    const p = `visual.blocks.${i}`;
    const mask = windowMask && !full.has(i) ? windowMask : fullMask;
    const hin = x;
    x = g.scope(`blocks.${i}`, () => {
      const h = g.add(
        hin,
        g.scope('attn', () => attention(ctx, v, `${p}.attn`, norm(ctx, cfg, hin, `${p}.norm1`), cos, sin, mask)),
      );
      return g.add(
        h,
        g.scope('mlp', () => mlp(ctx, cfg, `${p}.mlp`, norm(ctx, cfg, h, `${p}.norm2`))),
      );
    });
  }
  let embeds = g.scope('merger', () => {
    const m = 'visual.merger';
    const rows = g.reshape(norm(ctx, cfg, x, `${m}.ln_q`), [-1, unit * E]);
    const hidden = activation(g, 'gelu', linear(ctx, rows, `${m}.mlp.0`, unit * E, unit * E, true));
    return linear(ctx, hidden, `${m}.mlp.2`, unit * E, D, true);
  });
  if (reverseIndex) embeds = g.gather(embeds, reverseIndex, 0);
  g.output(embeds, 'image_embeds', ['num_tokens', D]);
  return g;
}
