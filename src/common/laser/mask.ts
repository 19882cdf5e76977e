/**
 * Step 9's choice of evidence: the top-kPatch cells of the localisation map and their pixel
 * rectangles on the original image. Filling those rectangles (pixels.ts) and applying the same crop
 * gives the counterfactual views I- and mask(I). kPatch reads as in cells.ts: a fraction of Nv
 * (default 0.055, i.e. 32 of 576) or an integer count; only cells with positive mass are masked.
 */
import { topCells } from './cells.ts';
import { assertGrid, type CellMapping, type Rect } from './grid.ts';

export interface MaskPlan {
  /** Masked cells, best first (ties to the lower index). */
  readonly cells: readonly number[];
  /** Their rectangles in original-image pixels, in the same order. */
  readonly rects: readonly Rect[];
}

export function maskPlan(map: ArrayLike<number>, mapping: CellMapping, kPatch: number): MaskPlan {
  assertGrid(mapping.grid, map.length);
  const cells = topCells(map, kPatch);
  return { cells, rects: cells.map((j) => mapping.cellRect(j)) };
}
