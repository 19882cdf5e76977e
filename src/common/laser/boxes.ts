/**
 * Step 8: from the localisation map to a crop box in original-image pixels. Three rules (knob
 * `cropRule`); every box has integer corners, lies inside the image and is non-empty.
 *
 * Side bounds shared by `centroid` and `topk-bbox`, per axis of length S (pixels):
 *   lo = min(S, minCropSide)                       (at least minCropSide, unless the image is smaller)
 *   hi = min(S, max(floor(S / 2), minCropSide))    (at most half the side, unless that is below lo)
 * `centroid` uses hi, exactly the spec's w_B and h_B. A side shorter than minCropSide is therefore
 * spanned entirely; an image smaller than minCropSide on both sides gets the full image, and every
 * result says `degenerate: true` whenever its box is the full image (the crop adds no view).
 *
 * Placement: a box of side s centred at c starts at round(c - s/2) (Math.round, halves up), then
 * shifts to lie inside [0, S).
 */
import { topCells } from './cells.ts';
import { assertGrid, assertImageSize, cellMass, rectCentre, type Box, type CellMapping, type ImageSize, type Rect } from './grid.ts';
import { vicropWindowBox, type VicropWindowResult } from './vicrop-window.ts';

export type CropRule = 'centroid' | 'topk-bbox' | 'vicrop-window';

export interface CentroidBoxResult {
  readonly rule: 'centroid';
  readonly box: Box;
  readonly degenerate: boolean;
  /** Centroid of the map in original-image pixels (before the box was shifted inside). */
  readonly centroid: readonly [number, number];
}

export interface TopkBoxResult {
  readonly rule: 'topk-bbox';
  readonly box: Box;
  readonly degenerate: boolean;
  /** The top cells, best first. */
  readonly cells: readonly number[];
  /** Their bounding box, clipped to the image, before growing and shrinking (fractional). */
  readonly cellBounds: Rect;
}

export type BoxResult = CentroidBoxResult | TopkBoxResult | VicropWindowResult;

export function sideBounds(side: number, minCropSide: number): { lo: number; hi: number } {
  const lo = Math.min(side, minCropSide);
  const hi = Math.min(side, Math.max(Math.floor(side / 2), minCropSide));
  return { lo, hi };
}

/** Start of a span of length `span` centred at `centre`, shifted into [0, side). */
export function placeSpan(centre: number, span: number, side: number): number {
  const start = Math.round(centre - span / 2);
  return Math.min(Math.max(start, 0), side - span);
}

function isFullImage(box: Box, size: ImageSize): boolean {
  return box[0] === 0 && box[1] === 0 && box[2] === size.width && box[3] === size.height;
}

function checkInputs(map: ArrayLike<number>, mapping: CellMapping, size: ImageSize, minCropSide: number): void {
  assertGrid(mapping.grid, map.length);
  assertImageSize(size);
  if (!Number.isInteger(minCropSide) || minCropSide < 1) throw new RangeError(`minCropSide must be a positive integer, got ${minCropSide}.`);
}

/** Mass-weighted centre of the cells in pixels. Throws for a map with no mass (use the fallback). */
export function mapCentroid(map: ArrayLike<number>, mapping: CellMapping): [number, number] {
  let mass = 0;
  let cx = 0;
  let cy = 0;
  for (let j = 0; j < map.length; j++) {
    const m = cellMass(map, j);
    if (m === 0) continue;
    const [x, y] = rectCentre(mapping.cellRect(j));
    mass += m;
    cx += m * x;
    cy += m * y;
  }
  if (mass === 0) throw new RangeError('The map has no mass; there is nothing to centre a crop on (use the no-activation fallback).');
  return [cx / mass, cy / mass];
}

/** Rule `centroid` (spec step 8): side min(S, max(floor(S/2), minCropSide)), centred on the centroid. */
export function centroidBox(map: ArrayLike<number>, mapping: CellMapping, size: ImageSize, minCropSide = 224): CentroidBoxResult {
  checkInputs(map, mapping, size, minCropSide);
  const [cx, cy] = mapCentroid(map, mapping);
  const w = sideBounds(size.width, minCropSide).hi;
  const h = sideBounds(size.height, minCropSide).hi;
  const x0 = placeSpan(cx, w, size.width);
  const y0 = placeSpan(cy, h, size.height);
  const box: Box = [x0, y0, x0 + w, y0 + h];
  return { rule: 'centroid', box, degenerate: isFullImage(box, size), centroid: [cx, cy] };
}

/**
 * Rule `topk-bbox`: the bounding box of the top cells (knob topkCells, a count or a fraction of Nv),
 * clipped to the image and rounded outwards to whole pixels, then grown or shrunk about its own
 * centre to [lo, hi] per axis, then shifted inside. A shrink can cut off outlying top cells; that is
 * the price of the half-side cap, which keeps the crop a zoom.
 */
export function topkBox(map: ArrayLike<number>, mapping: CellMapping, size: ImageSize, topkCells: number, minCropSide = 224): TopkBoxResult {
  checkInputs(map, mapping, size, minCropSide);
  const cells = topCells(map, topkCells);
  if (cells.length === 0) throw new RangeError('The map has no mass; there are no top cells (use the no-activation fallback).');
  let u: [number, number, number, number] = [Infinity, Infinity, -Infinity, -Infinity];
  for (const j of cells) {
    const r = mapping.cellRect(j);
    u = [Math.min(u[0], r[0]), Math.min(u[1], r[1]), Math.max(u[2], r[2]), Math.max(u[3], r[3])];
  }
  const W = size.width;
  const H = size.height;
  const clipped: Rect = [Math.max(0, u[0]), Math.max(0, u[1]), Math.min(W, u[2]), Math.min(H, u[3])];
  // Cells wholly in padding leave nothing inside the image; centre on them anyway and let the shift decide.
  const inside = clipped[0] < clipped[2] && clipped[1] < clipped[3];
  const ref = inside ? clipped : u;
  const ix0 = Math.floor(ref[0]);
  const iy0 = Math.floor(ref[1]);
  const ix1 = Math.ceil(ref[2]);
  const iy1 = Math.ceil(ref[3]);
  const bw = sideBounds(W, minCropSide);
  const bh = sideBounds(H, minCropSide);
  const w = Math.min(Math.max(inside ? ix1 - ix0 : 0, bw.lo), bw.hi);
  const h = Math.min(Math.max(inside ? iy1 - iy0 : 0, bh.lo), bh.hi);
  const x0 = placeSpan((ix0 + ix1) / 2, w, W);
  const y0 = placeSpan((iy0 + iy1) / 2, h, H);
  const box: Box = [x0, y0, x0 + w, y0 + h];
  return { rule: 'topk-bbox', box, degenerate: isFullImage(box, size), cells, cellBounds: clipped };
}

export interface CropOptions {
  readonly cropRule: CropRule;
  readonly minCropSide: number;
  /** topk-bbox: count or fraction of Nv. */
  readonly topkCells: number;
  /** vicrop-window: ViCrop's bbox_size, the model's input side. */
  readonly windowBase: number;
}

/** Dispatches on knob `cropRule`. */
export function cropBox(map: ArrayLike<number>, mapping: CellMapping, size: ImageSize, options: CropOptions): BoxResult {
  switch (options.cropRule) {
    case 'centroid':
      return centroidBox(map, mapping, size, options.minCropSide);
    case 'topk-bbox':
      return topkBox(map, mapping, size, options.topkCells, options.minCropSide);
    case 'vicrop-window':
      return vicropWindowBox(map, mapping, size, options.windowBase);
  }
}
