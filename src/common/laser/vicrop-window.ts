/**
 * ViCrop's adaptive sliding-window crop, ported from saccharomycetes/mllms_know, utils.py,
 * `bbox_from_att_image_adaptive(att_map, image_size, bbox_size=336)` (commit a64c5d5, April 2025).
 *
 * For each ratio r in 1, 1.2, ..., 2 it slides a window of about bbox_size * r pixels, in whole grid
 * cells, over the map, keeps the window with the largest attention sum, and scores its sharpness as
 * (that sum - mean of the four neighbouring window sums) / window cells. The sharpest ratio wins; the
 * crop is a bbox_size * r square (halved with floor, then doubled) centred on that window, clamped
 * into the image. `bbox_size` is the model's input side (LLaVA-1.5: 336; BLIP and Qwen2.5-VL: 224).
 *
 * Kept from the original, on purpose: truncation (Python int()) of cell counts and centres; the scan
 * order (columns outer, rows inner) with a strict '>' so the first maximum wins; argmax over ratios
 * taking the first best; the early full-image answer when even the ratio-1 window covers the grid.
 *
 * Generalised: the original assumes the grid covers the whole image (cell size = image size / grid).
 * Here the grid covers the pixel rectangle given by the CellMapping (padding, centre crop), so cell
 * size = that rectangle / grid and window centres are offset by its origin; with
 * `fullImageMapping` the two agree exactly.
 *
 * Deviations, only where the original breaks: a window is at least one cell (the original gets zero
 * cells for images more than bbox_size * grid wide and divides 0 by 0 — it tiles such images first,
 * in `high_res`); a NaN sharpness never wins (np.argmax would pick the first NaN).
 */
import { argmax } from './rank.ts';
import { assertGrid, assertImageSize, cellCount, type Box, type CellMapping, type ImageSize } from './grid.ts';

export const VICROP_RATIOS = [1, 1.2, 1.4, 1.6, 1.8, 2] as const;

export interface VicropWindow {
  /** Top-left cell of the chosen window and its size in cells. */
  readonly col: number;
  readonly row: number;
  readonly cols: number;
  readonly rows: number;
}

export interface VicropWindowResult {
  readonly rule: 'vicrop-window';
  readonly box: Box;
  /** The box is the whole image. */
  readonly degenerate: boolean;
  /** The winning ratio, null when the ratio-1 window already covers the grid. */
  readonly ratio: number | null;
  readonly window: VicropWindow | null;
  /** Sharpness per tried ratio, in ratio order (ratios whose window covers the grid are not tried). */
  readonly sharpness: readonly number[];
}

export function vicropWindowBox(map: ArrayLike<number>, mapping: CellMapping, size: ImageSize, bboxSize = 336): VicropWindowResult {
  const { gh, gw } = mapping.grid;
  assertGrid(mapping.grid, map.length);
  assertImageSize(size);
  if (!(bboxSize >= 2) || !Number.isFinite(bboxSize)) throw new RangeError(`bboxSize must be >= 2 (a crop of at least 2 px), got ${bboxSize}.`);
  const W = size.width;
  const H = size.height;
  const first = mapping.cellRect(0);
  const last = mapping.cellRect(cellCount(mapping.grid) - 1);
  const blockW = (last[2] - first[0]) / gw;
  const blockH = (last[3] - first[1]) / gh;
  const at = (y: number, x: number): number => map[y * gw + x]!;

  const tried: { ratio: number; cols: number; rows: number; x: number; y: number; sharpness: number }[] = [];
  for (const ratio of VICROP_RATIOS) {
    const cols = Math.max(1, Math.min(Math.trunc((bboxSize * ratio) / blockW), gw));
    const rows = Math.max(1, Math.min(Math.trunc((bboxSize * ratio) / blockH), gh));
    if (gw - cols < 1 && gh - rows < 1) {
      if (ratio === 1) return { rule: 'vicrop-window', box: [0, 0, W, H], degenerate: true, ratio: null, window: null, sharpness: [] };
      continue;
    }
    const sw = gw - cols + 1;
    const sh = gh - rows + 1;
    const sliding = new Float64Array(sw * sh);
    let maxAtt = -Infinity;
    let mx = 0;
    let my = 0;
    for (let x = 0; x < sw; x++) {
      for (let y = 0; y < sh; y++) {
        let s = 0;
        for (let yy = y; yy < y + rows; yy++) for (let xx = x; xx < x + cols; xx++) s += at(yy, xx);
        sliding[y * sw + x] = s;
        if (s > maxAtt) {
          maxAtt = s;
          mx = x;
          my = y;
        }
      }
    }
    const slidingAt = (x: number, y: number): number => {
      const v = sliding[y * sw + x];
      if (v === undefined) throw new RangeError(`ViCrop window: (${x}, ${y}) is outside the ${sw}x${sh} sliding sums.`);
      return v;
    };
    const adjacent: number[] = [];
    if (mx > 0) adjacent.push(slidingAt(mx - 1, my));
    if (mx < sw - 1) adjacent.push(slidingAt(mx + 1, my));
    if (my > 0) adjacent.push(slidingAt(mx, my - 1));
    if (my < sh - 1) adjacent.push(slidingAt(mx, my + 1));
    const meanAdjacent = adjacent.reduce((a, b) => a + b, 0) / adjacent.length;
    tried.push({ ratio, cols, rows, x: mx, y: my, sharpness: (maxAtt - meanAdjacent) / (cols * rows) });
  }

  const best = tried[argmax(tried.map((t) => t.sharpness))];
  if (best === undefined) throw new RangeError(`ViCrop window: no ratio of ${VICROP_RATIOS.join(', ')} gave a window smaller than the ${gw}x${gh} grid.`);
  const selected = bboxSize * best.ratio;
  const half = Math.floor(selected / 2);
  // Same operation order as the original so that the truncation lands on the same pixel.
  let xc = Math.trunc(first[0] + (best.x * blockW + (blockW * best.cols) / 2));
  let yc = Math.trunc(first[1] + (best.y * blockH + (blockH * best.rows) / 2));
  xc = xc < half ? half : xc;
  yc = yc < half ? half : yc;
  xc = xc > W - half ? W - half : xc;
  yc = yc > H - half ? H - half : yc;
  const box: Box = [Math.max(0, xc - half), Math.max(0, yc - half), Math.min(W, xc + half), Math.min(H, yc + half)];
  return {
    rule: 'vicrop-window',
    box,
    degenerate: box[0] === 0 && box[1] === 0 && box[2] === W && box[3] === H,
    ratio: best.ratio,
    window: { col: best.x, row: best.y, cols: best.cols, rows: best.rows },
    sharpness: tried.map((t) => t.sharpness),
  };
}
