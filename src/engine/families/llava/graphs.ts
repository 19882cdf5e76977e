/**
 * LlavaForConditionalGeneration as the three graphs of a bundle (docs/bundle-format.md):
 *
 *   vision.onnx   pixel_values [N, 3, S, S]  -> image_features [N, T, D]   CLIP + projector
 *   embed.onnx    input_ids [B, S]           -> inputs_embeds [B, S, D]    embed_tokens row gather
 *   decoder.onnx  inputs_embeds, mask, positions, past -> logits, present, attn_last
 *   decoder-attention.onnx   the same + attn_layer -> attn_full (one layer's whole attention),
 *                 sharing decoder.onnx.data
 *
 * The runtime scatters image k's features into the k-th run of image tokens between embed and
 * decoder, as LLaVA's `masked_scatter` does.
 */
import { imageTokensPerImage, visionHiddenStateIndex, type LlavaConfig } from '../../checkpoint/hf-config.ts';
import { GraphBuilder } from '../../onnx/ops.ts';
import { buildClip } from './clip.ts';
import { buildDecoderGraph, buildEmbedGraph } from '../../compiler/llama.ts';
import type { Ctx, QuantContext } from '../../compiler/nn.ts';
import { buildProjector } from './projector.ts';
import type { FloatDtype, Weights } from '../../compiler/weights.ts';

export interface LlavaGraphs {
  vision: GraphBuilder;
  embed: GraphBuilder;
  decoder: GraphBuilder;
  /** The decoder plus `attn_layer` → `attn_full`, over the decoder's weights (saved sharing its .data). */
  decoderAttention: GraphBuilder;
}

export interface LlavaBuildOptions {
  dtype: FloatDtype;
  /** Quantise the decoder's Linear layers (and what it says of lm_head, embeddings, vision). */
  quant?: QuantContext | null;
  /** Emit attn_last from the decoder (default true; false only for measuring the taps' cost). */
  taps?: boolean;
}

export function buildVision(cfg: LlavaConfig, w: Weights, dtype: FloatDtype, quant: QuantContext | null = null): GraphBuilder {
  const g = new GraphBuilder('vision');
  const ctx: Ctx = { g, w, dtype, quant: quant?.vision ? quant : null };
  const v = cfg.visionConfig;
  const S = v.imageSize;
  const D = cfg.textConfig.hiddenSize;
  const pixels = g.input('pixel_values', 'float32', ['num_images', v.numChannels, S, S]);
  const selected = g.scope('vision_tower', () =>
    buildClip(ctx, v, pixels, {
      hiddenStateIndex: visionHiddenStateIndex(cfg),
      strategy: cfg.visionFeatureSelectStrategy,
      prefix: 'vision_tower.vision_model',
    }),
  );
  const features = buildProjector(ctx, { visionHidden: v.hiddenSize, textHidden: D, bias: cfg.projectorBias, prefix: 'multi_modal_projector' }, selected);
  g.output(features, 'image_features', ['num_images', imageTokensPerImage(cfg), D]);
  return g;
}

export function buildEmbed(cfg: LlavaConfig, w: Weights, dtype: FloatDtype, quant: QuantContext | null = null): GraphBuilder {
  return buildEmbedGraph({ w, dtype, quant }, cfg.textConfig, 'language_model.model.embed_tokens.weight');
}

export function buildLlavaDecoder(cfg: LlavaConfig, w: Weights, opts: LlavaBuildOptions & { fullAttention?: boolean }): GraphBuilder {
  return buildDecoderGraph({ w, dtype: opts.dtype, quant: opts.quant ?? null }, cfg.textConfig, {
    prefix: 'language_model.',
    taps: opts.taps,
    fullAttention: opts.fullAttention,
  });
}

/** All three graphs, structure only: every weight is shape-checked now and read when saved. */
export function buildLlava(cfg: LlavaConfig, w: Weights, opts: LlavaBuildOptions): LlavaGraphs {
  return {
    vision: buildVision(cfg, w, opts.dtype, opts.quant ?? null),
    embed: buildEmbed(cfg, w, opts.dtype, opts.quant ?? null),
    decoder: buildLlavaDecoder(cfg, w, opts),
    decoderAttention: buildLlavaDecoder(cfg, w, { ...opts, fullAttention: true }),
  };
}
