/**
 * Visual Attention Quantity. Eq. 4 scores each head by the L2 norm of its contrastive attention;
 * Eq. 5 scores each layer by the mean of its top-kHead head scores; the layer LASER reads is the
 * argmax (step 6). Ties between layers go to the lowest layer: it is deterministic, and the
 * shallower of two equally good layers is the cheaper to stop at.
 */
import { WorkbenchError } from '../contract/errors.ts';
import type { AttentionStack } from './attention.ts';
import { argmax, topKIndices } from './rank.ts';

export interface VaqScores {
  readonly layers: number;
  readonly heads: number;
  /** Eq. 4, row-major [layers, heads]. */
  readonly perHead: Float64Array;
  /** Eq. 5, one score per layer. */
  readonly perLayer: Float64Array;
  /** The heads whose mean is perLayer[l], best first (ties to the lower head index). */
  readonly topHeads: readonly (readonly number[])[];
  /** kHead after capping at the number of heads. */
  readonly kHeadUsed: number;
}

/** Eq. 4: VAQ[l,h] = ||A[l,h,:]||_2, row-major [layers, heads]. */
export function headVaq(contrastive: AttentionStack): Float64Array {
  const { layers, heads, tokens, data } = contrastive;
  const out = new Float64Array(layers * heads);
  for (let r = 0; r < layers * heads; r++) {
    let s = 0;
    const o = r * tokens;
    for (let j = 0; j < tokens; j++) {
      const v = data[o + j]!;
      s += v * v;
    }
    out[r] = Math.sqrt(s);
  }
  return out;
}

function assertKHead(kHead: number): void {
  if (!Number.isInteger(kHead) || kHead < 1) {
    throw new WorkbenchError('bad-request', `kHead = ${kHead} is out of range.`, 'kHead must be an integer >= 1.');
  }
}

/** Eq. 5 from per-head scores: mean of the top-kHead heads of each layer (kHead capped at heads). */
export function layerVaq(perHead: Float64Array, layers: number, heads: number, kHead: number): VaqScores {
  assertKHead(kHead);
  if (perHead.length !== layers * heads) {
    throw new RangeError(`Per-head VAQ has ${perHead.length} values; [${layers}, ${heads}] needs ${layers * heads}.`);
  }
  const k = Math.min(kHead, heads);
  const perLayer = new Float64Array(layers);
  const topHeads: number[][] = [];
  for (let l = 0; l < layers; l++) {
    const row = perHead.subarray(l * heads, (l + 1) * heads);
    const top = topKIndices(row, k);
    let s = 0;
    for (const h of top) s += row[h]!;
    perLayer[l] = s / k;
    topHeads.push(top);
  }
  return { layers, heads, perHead, perLayer, topHeads, kHeadUsed: k };
}

/** Eqs. 4 and 5 on one contrastive stack (vaqSteps = 'prefill'). */
export function computeVaq(contrastive: AttentionStack, kHead: number): VaqScores {
  return layerVaq(headVaq(contrastive), contrastive.layers, contrastive.heads, kHead);
}

/**
 * vaqSteps = 'answer': the per-head scores of each teacher-forced answer position, averaged
 * elementwise. Averaging happens per head, before the top-kHead selection, so a head counts for a
 * layer when it is strong across the answer rather than at one lucky position.
 */
export function averageHeadVaq(perPosition: readonly Float64Array[]): Float64Array {
  const [first] = perPosition;
  if (first === undefined) throw new RangeError('averageHeadVaq needs at least one position.');
  const n = first.length;
  const out = new Float64Array(n);
  for (const p of perPosition) {
    if (p.length !== n) throw new RangeError(`Per-head VAQ lengths differ: ${n} vs ${p.length}.`);
    for (let i = 0; i < n; i++) out[i]! += p[i]!;
  }
  for (let i = 0; i < n; i++) out[i]! /= perPosition.length;
  return out;
}

export interface LayerChoiceOptions {
  /** Restrict the argmax to layers lo..hi inclusive. */
  layerRange?: readonly [number, number] | null;
  /** Skip the argmax and use this layer (the static-layer baseline). */
  fixedLayer?: number | null;
}

export interface LayerChoice {
  readonly layer: number;
  readonly mode: 'argmax' | 'fixed';
  /** The layers the argmax ran over, inclusive (the fixed layer twice in fixed mode). */
  readonly searched: readonly [number, number];
}

/** Step 6: l* = argmax over the allowed layers; ties to the lowest layer. */
export function chooseLayer(perLayer: ArrayLike<number>, options: LayerChoiceOptions = {}): LayerChoice {
  const L = perLayer.length;
  if (L === 0) throw new RangeError('chooseLayer needs at least one layer score.');
  const { layerRange = null, fixedLayer = null } = options;
  if (layerRange !== null && fixedLayer !== null) {
    throw new WorkbenchError(
      'bad-request',
      'fixedLayer and layerRange were both set.',
      'Set fixedLayer for a static layer, or layerRange to restrict the search, not both.',
    );
  }
  if (fixedLayer !== null) {
    if (!Number.isInteger(fixedLayer) || fixedLayer < 0 || fixedLayer >= L) {
      throw new WorkbenchError('bad-request', `fixedLayer = ${fixedLayer} is out of range.`, `This model has layers 0..${L - 1}.`);
    }
    return { layer: fixedLayer, mode: 'fixed', searched: [fixedLayer, fixedLayer] };
  }
  const [lo, hi] = layerRange ?? [0, L - 1];
  if (!Number.isInteger(lo) || !Number.isInteger(hi) || lo < 0 || hi >= L || lo > hi) {
    throw new WorkbenchError(
      'bad-request',
      `layerRange = [${lo}, ${hi}] is out of range.`,
      `layerRange must be [lo, hi] with 0 <= lo <= hi <= ${L - 1} for this model.`,
    );
  }
  const window = Array.from(perLayer).slice(lo, hi + 1);
  return { layer: lo + argmax(window), mode: 'argmax', searched: [lo, hi] };
}
