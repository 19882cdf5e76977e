/**
 * ViCrop's relative attention ("MLLMs know where to look", ICLR 2025): the head-mean attention of
 * the last prompt position at one fixed layer, divided elementwise by the same read-out for the
 * generic prompt "Write a general description of the image.".
 *
 * Source: saccharomycetes/mllms_know, llava_methods.py `rel_attention_llava` (and
 * qwen2_5_methods.py, blip_methods.py): `att_map = att_map / general_att_map`. The original adds no
 * epsilon; the default here is therefore 0. Attention after a softmax is positive, but a
 * low-precision read-out can underflow to exactly 0, where the original yields Inf or NaN and its
 * window search then misbehaves. Those cells are set to 0 here and listed in `undefinedCells`, so a
 * run record shows when it happened; the knob `epsilon` (added to the denominator) avoids it.
 */
import { headMean, sameShape, type AttentionStack } from './attention.ts';
import { assertGrid, type Grid } from './grid.ts';

/** ViCrop's fixed layers (0-based decoder layer), from llava_methods.py and qwen2_5_methods.py. */
export const VICROP_LAYER = { 'llava-1.5': 14, 'qwen2.5-vl': 22 } as const;

export const VICROP_GENERIC_PROMPT = 'Write a general description of the image.';

export interface RelativeAttention {
  readonly grid: Grid;
  /** Row-major gh x gw ratio map; not normalised (ViCrop's window search does not need it). */
  readonly map: Float64Array;
  /** Cells whose denominator was 0 (set to 0 in `map`). */
  readonly undefinedCells: readonly number[];
}

export function relativeAttention(query: AttentionStack, generic: AttentionStack, layer: number, grid: Grid, epsilon = 0): RelativeAttention {
  if (!sameShape(query, generic)) {
    throw new RangeError('Relative attention: the query and generic read-outs have different shapes.');
  }
  if (!(epsilon >= 0) || !Number.isFinite(epsilon)) throw new RangeError(`epsilon must be finite and >= 0, got ${epsilon}.`);
  assertGrid(grid, query.tokens);
  const num = headMean(query, layer);
  const den = headMean(generic, layer);
  const map = new Float64Array(num.length);
  const undefinedCells: number[] = [];
  for (const [j, n] of num.entries()) {
    const d = den[j]! + epsilon;
    if (d === 0) {
      undefinedCells.push(j);
      continue;
    }
    map[j] = n / d;
  }
  return { grid, map, undefinedCells };
}
