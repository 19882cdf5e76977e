/**
 * Step 11, VAT decoding (Eqs. 10-11): with final-layer logits z+ (evidence present) and z- (evidence
 * masked), s = z+ + alpha (z+ - z-) = (1 + alpha) z+ - alpha z-, and the next token is argmax s.
 * Optional adaptive plausibility constraint (knob apcBeta, VCD's): tokens with
 * z+ < max(z+) + log(beta) get -Infinity. This is VCD's "version 2" cutoff on raw logits
 * (DAMO-NLP-SG/VCD, vcd_utils/vcd_sample.py), i.e. p+(y) < beta * max p+ after a softmax.
 * The same fusion with a noisy-image negative is VCD itself.
 */
import type { FloatArray } from './attention.ts';
import { argmax, topKIndices } from './rank.ts';

export interface FusionOptions {
  readonly alpha: number;
  /** null: no plausibility constraint; else in (0, 1]. */
  readonly apcBeta: number | null;
}

function checkOptions({ alpha, apcBeta }: FusionOptions): void {
  if (!(alpha >= 0) || !Number.isFinite(alpha)) throw new RangeError(`alpha must be finite and >= 0, got ${alpha}.`);
  if (apcBeta !== null && !(apcBeta > 0 && apcBeta <= 1)) throw new RangeError(`apcBeta must be in (0, 1] or null, got ${apcBeta}.`);
}

/**
 * Fused scores. With alpha = 0 they are z+ exactly (the negative is not read, so a -Infinity in z-
 * cannot turn into NaN).
 */
export function fuseLogits(positive: FloatArray, negative: FloatArray, options: FusionOptions): Float64Array {
  checkOptions(options);
  if (positive.length !== negative.length) throw new RangeError(`Logit lengths differ: ${positive.length} vs ${negative.length}.`);
  const { alpha, apcBeta } = options;
  const out = new Float64Array(positive.length);
  if (alpha === 0) out.set(positive);
  else for (let i = 0; i < out.length; i++) out[i] = (1 + alpha) * positive[i]! - alpha * negative[i]!;
  if (apcBeta !== null) {
    let max = -Infinity;
    for (const v of positive) if (v > max) max = v;
    const cutoff = max + Math.log(apcBeta);
    positive.forEach((v, i) => {
      if (v < cutoff) out[i] = -Infinity;
    });
  }
  return out;
}

export interface Candidate {
  readonly id: number;
  readonly positive: number;
  readonly negative: number;
  readonly fused: number;
}

export interface VatStep {
  /** argmax of the fused scores; ties to the lower token id. */
  readonly token: number;
  /** The top candidates by fused score, for the run record. */
  readonly candidates: readonly Candidate[];
}

/** One decoding step: fuse, pick greedily, and keep the top `topN` candidates for recording. */
export function vatStep(positive: FloatArray, negative: FloatArray, options: FusionOptions, topN = 5): VatStep {
  const fused = fuseLogits(positive, negative, options);
  const token = argmax(fused);
  const candidates = topKIndices(fused, topN).map((id): Candidate => {
    const [p, n, f] = [positive[id], negative[id], fused[id]];
    if (p === undefined || n === undefined || f === undefined) throw new RangeError(`Candidate token ${id} is outside the ${fused.length} logits.`);
    return { id, positive: p, negative: n, fused: f };
  });
  return { token, candidates };
}
