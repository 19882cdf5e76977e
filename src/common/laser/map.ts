/**
 * Step 7: the localisation map M, the mean over the top-kHead heads of layer l* of the contrastive
 * attention, on the gh x gw grid, normalised to sum 1. If nothing is left to normalise the question
 * changed no attention at all, and the honest answer is "no localisation": the caller falls back to
 * the full image and records why.
 */
import { assertLayer, headMean, type AttentionStack } from './attention.ts';
import { assertGrid, type Grid } from './grid.ts';

export type LocalisationMap =
  | {
      readonly ok: true;
      readonly grid: Grid;
      /** Row-major gh x gw, non-negative, sums to 1. */
      readonly map: Float64Array;
      readonly layer: number;
      readonly heads: readonly number[];
      /** Sum of the head-mean before normalisation (how much attention the question added). */
      readonly mass: number;
    }
  | {
      readonly ok: false;
      readonly fallback: 'no-activation';
      readonly layer: number;
      readonly heads: readonly number[];
    };

/**
 * `heads` are the layer's top-kHead heads by VAQ (VaqScores.topHeads[layer]), so the map is made
 * of exactly the heads that earned the layer its score.
 */
export function localisationMap(contrastive: AttentionStack, layer: number, heads: readonly number[], grid: Grid): LocalisationMap {
  assertGrid(grid, contrastive.tokens);
  assertLayer(contrastive, layer);
  for (const h of heads) {
    if (!Number.isInteger(h) || h < 0 || h >= contrastive.heads) throw new RangeError(`Head ${h} is outside 0..${contrastive.heads - 1}.`);
  }
  const mean = headMean(contrastive, layer, heads);
  return normaliseMap(mean, grid, layer, heads);
}

/** Normalises a non-negative map to sum 1, or reports that it carries no mass. */
export function normaliseMap(values: Float64Array, grid: Grid, layer: number, heads: readonly number[]): LocalisationMap {
  let mass = 0;
  for (const v of values) {
    if (!(v >= 0) || v === Infinity) throw new RangeError(`A localisation map needs finite non-negative values, got ${v}.`);
    mass += v;
  }
  if (mass === 0) return { ok: false, fallback: 'no-activation', layer, heads };
  const map = values.map((v) => v / mass);
  return { ok: true, grid, map, layer, heads, mass };
}
