/**
 * Qwen2VLForConditionalGeneration / Qwen2_5_VLForConditionalGeneration as the graphs of a bundle
 * (docs/bundle-format.md, architecture "qwen2-vl"):
 *
 *   vision.onnx   pixel_values [Np, 1176], patch_hw, frame_segment (+ window inputs for 2.5) -> image_embeds [Np/4, D]
 *   embed.onnx    input_ids [B, S] -> inputs_embeds [B, S, D]
 *   decoder.onnx  the Qwen2 decoder: LLaMA's layers with q/k/v biases and M-RoPE (position_ids [3, B, S])
 *   decoder-attention.onnx   the same + attn_layer -> attn_full, sharing decoder.onnx.data
 *
 * The runtime puts image k's embeddings into the k-th run of image-pad tokens, as Qwen2-VL's forward
 * does with `inputs_embeds[input_ids == image_token_id] = image_embeds`.
 */
import type { GraphBuilder } from '../../onnx/ops.ts';
import { buildDecoderGraph, buildEmbedGraph } from '../../compiler/llama.ts';
import type { Weights } from '../../compiler/weights.ts';
import type { BundleGraphs, GraphBuildOptions } from '../types.ts';
import type { QwenConfig } from './config.ts';
import { buildQwenVision } from './vision.ts';

function buildQwenDecoder(cfg: QwenConfig, w: Weights, opts: GraphBuildOptions & { fullAttention?: boolean }): GraphBuilder {
  return buildDecoderGraph({ w, dtype: opts.dtype, quant: opts.quant ?? null }, cfg.textConfig, {
    prefix: '',
    taps: opts.taps,
    fullAttention: opts.fullAttention,
    qkvBias: true,
    mropeSection: cfg.mropeSection,
  });
}

/** All graphs, structure only: every weight is shape-checked now and read when saved. */
export function buildQwenGraphs(cfg: QwenConfig, w: Weights, opts: GraphBuildOptions): BundleGraphs {
  return {
    vision: buildQwenVision(cfg, w, opts.dtype, opts.quant ?? null),
    embed: buildEmbedGraph({ w, dtype: opts.dtype, quant: opts.quant ?? null }, cfg.textConfig, 'model.embed_tokens.weight'),
    decoder: buildQwenDecoder(cfg, w, opts),
    decoderAttention: buildQwenDecoder(cfg, w, { ...opts, fullAttention: true }),
  };
}
