/**
 * The choices of `laser compile --dtype int8|int4` and their defaults, in a module without imports
 * so that the CLI can show them in `--help` without loading the compiler, and the app's compile
 * form (src/renderer/src/models/CompileOptionsForm.tsx) with the same defaults.
 */

export interface QuantizeOptions {
  /** Elements per block along the input features: one of QUANT_BLOCK_SIZES. */
  blockSize?: number;
  /** true: no zero points (the op's default 2^(bits-1)); false: a uint8 zero point per block. */
  symmetric?: boolean;
  /** Quantise lm_head (or the tied embed_tokens used as it). */
  lmHead?: boolean;
  /** Quantise embed_tokens (GatherBlockQuantized). */
  embeddings?: boolean;
  /** Quantise the vision tower's and projector's Linear layers. */
  vision?: boolean;
  /** MatMulNBits accuracy_level (0: float32 activations; 4: int8 activations per block). */
  accuracyLevel?: number;
}

export const QUANT_BLOCK_SIZES = [32, 64, 128] as const;

export const QUANT_ACCURACY_LEVELS = [0, 4] as const;

/** Every quantisation choice made, each within the values the compiler takes. */
export interface ResolvedQuantize extends Required<QuantizeOptions> {
  blockSize: (typeof QUANT_BLOCK_SIZES)[number];
  accuracyLevel: (typeof QUANT_ACCURACY_LEVELS)[number];
}

/**
 * Block 32 and symmetric blocks measured best or equal on the fixtures (docs/bundle-format.md); the
 * vision tower stays float32 by default (small next to a 7B decoder, and the most sensitive part).
 * accuracy_level 4 (int8 activations): on a 0.54B random LLaVA on this 2-core CPU it made int8
 * decode 48x faster (ORT 1.30 has no fast float32-activation kernel for 8-bit weights) and int4 4x,
 * for logit error 0.019 vs 0.013 (int8) and 0.213 vs 0.212 (int4) relative to fp32.
 */
export const QUANT_DEFAULTS: ResolvedQuantize = { blockSize: 32, symmetric: true, lmHead: true, embeddings: true, vision: false, accuracyLevel: 4 };
