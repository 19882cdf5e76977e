/**
 * "The top-k cells of M", shared by the mask (kPatch) and the topk-bbox crop (topkCells), so both
 * read a count the same way and pick the same cells.
 *
 * A count knob is either a fraction of the Nv cells (a number in (0, 1)) or an integer count (>= 1).
 * A fraction becomes round(fraction * Nv), at least 1: the spec's 5.5 % of 576 is 31.68, and the
 * spec says 32. A count above Nv is capped at Nv.
 *
 * Only cells with positive mass are candidates. A cell with M = 0 carries no evidence, and letting it
 * in would fill the remaining slots with the lowest indices (the top-left corner) purely by the
 * tie-break, which would stretch a bounding box or mask an arbitrary corner.
 */
import { topKIndices } from './rank.ts';

export function resolveCellCount(value: number, cells: number): number {
  if (!Number.isInteger(cells) || cells < 1) throw new RangeError(`Cell count must be a positive integer, got ${cells}.`);
  if (!(value > 0) || !Number.isFinite(value)) throw new RangeError(`A cell count knob must be positive, got ${value}.`);
  if (value < 1) return Math.min(cells, Math.max(1, Math.round(value * cells)));
  if (!Number.isInteger(value)) throw new RangeError(`A cell count >= 1 must be an integer, got ${value}.`);
  return Math.min(cells, value);
}

/** The top cells of a map for a count knob, best first; ties to the lower index; positive cells only. */
export function topCells(map: ArrayLike<number>, countKnob: number): number[] {
  return topKIndices(map, resolveCellCount(countKnob, map.length), { positiveOnly: true });
}
