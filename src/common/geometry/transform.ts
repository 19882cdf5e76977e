/**
 * How the pixels of the original image land in the model input, and which original pixels each
 * cell of the model's patch grid saw (spec steps 8 and 9: "grid cells map to pixels of the image
 * as the model saw it").
 *
 * Every preprocessing path the workbench runs is a chain of axis-aligned steps (paste onto a
 * canvas, resize, crop), so the whole chain is one affine map per axis in edge coordinates:
 *     input_x = image_x * scaleX + offsetX      (likewise y)
 * where pixel x covers [x, x + 1). Pillow's resize maps edges to edges (output pixel i samples
 * around input (i + 0.5) * in / out), so this is the map the model's pixels actually follow.
 */
import { clipBox, type Box } from './box.ts';

export type PreprocessStep =
  /** paste the current picture at (left, top) on a width x height canvas (LLaVA expand2square) */
  | { kind: 'pad'; left: number; top: number; width: number; height: number; fill: [number, number, number] }
  /** resample the current picture to width x height */
  | { kind: 'resize'; width: number; height: number }
  /** keep [left, left + width) x [top, top + height) of the current picture */
  | { kind: 'crop'; left: number; top: number; width: number; height: number };

export interface InputTransform {
  /** 'crop': the model saw a centre crop; 'pad': the whole image on a letterbox; 'resize': the whole image, stretched to the input size */
  mode: 'crop' | 'pad' | 'resize';
  imageWidth: number;
  imageHeight: number;
  inputWidth: number;
  inputHeight: number;
  scaleX: number;
  scaleY: number;
  offsetX: number;
  offsetY: number;
  /** the steps, in order, for the record */
  steps: PreprocessStep[];
}

/** An InputTransform plus the model's patch grid over the input (for Qwen2-VL: the merged grid). */
export interface GridTransform extends InputTransform {
  gridWidth: number;
  gridHeight: number;
}

export function composeTransform(mode: InputTransform['mode'], imageWidth: number, imageHeight: number, steps: PreprocessStep[]): InputTransform {
  let w = imageWidth;
  let h = imageHeight;
  let scaleX = 1;
  let scaleY = 1;
  let offsetX = 0;
  let offsetY = 0;
  for (const s of steps) {
    if (s.kind === 'pad') {
      offsetX += s.left;
      offsetY += s.top;
    } else if (s.kind === 'resize') {
      const fx = s.width / w;
      const fy = s.height / h;
      scaleX *= fx;
      offsetX *= fx;
      scaleY *= fy;
      offsetY *= fy;
    } else {
      offsetX -= s.left;
      offsetY -= s.top;
    }
    w = s.width;
    h = s.height;
  }
  return { mode, imageWidth, imageHeight, inputWidth: w, inputHeight: h, scaleX, scaleY, offsetX, offsetY, steps };
}

export function withGrid(t: InputTransform, gridWidth: number, gridHeight: number): GridTransform {
  if (!(Number.isInteger(gridWidth) && Number.isInteger(gridHeight) && gridWidth > 0 && gridHeight > 0)) {
    throw new Error(`grid ${gridWidth}x${gridHeight}: sides must be positive integers`);
  }
  return { ...t, gridWidth, gridHeight };
}

/**
 * The original-image coordinate of the k-th grid line along an axis (k = 0 .. cells), rounded to a
 * pixel edge, half up. Two things make the cells tile exactly:
 * - neighbouring cells use the very same line for their common edge, so there are no gaps or
 *   overlaps whatever the rounding does;
 * - the line is computed in exact rational arithmetic by undoing the steps one by one, so a line
 *   that falls exactly on a half pixel (common: 336/500 scales, centre crops at x.5) rounds the
 *   same way on every machine instead of by float noise. All the integers stay far below 2^53.
 *
 * gridLineFraction gives the line as the exact fraction num / den (den > 0); gridLine rounds it.
 */
export function gridLineFraction(t: GridTransform, axis: 'x' | 'y', k: number): { num: number; den: number } {
  const cells = axis === 'x' ? t.gridWidth : t.gridHeight;
  // each step with the side of the picture it was applied to, so the steps can be undone last first
  const undo: { s: PreprocessStep; before: number }[] = [];
  let side = axis === 'x' ? t.imageWidth : t.imageHeight;
  for (const s of t.steps) {
    undo.push({ s, before: side });
    side = axis === 'x' ? s.width : s.height;
  }
  let num = k * side;
  let den = cells;
  for (const { s, before } of undo.reverse()) {
    if (s.kind === 'crop') num += (axis === 'x' ? s.left : s.top) * den;
    else if (s.kind === 'pad') num -= (axis === 'x' ? s.left : s.top) * den;
    else {
      num *= before;
      den *= axis === 'x' ? s.width : s.height;
    }
  }
  return { num, den };
}

/** The grid line rounded to a pixel edge, half up. */
function gridLine(t: GridTransform, axis: 'x' | 'y', k: number): number {
  const { num, den } = gridLineFraction(t, axis, k);
  return floorDiv(2 * num + den, 2 * den);
}

/** floor(a / b) for integers, b > 0, exact (the float quotient is only a first guess). */
function floorDiv(a: number, b: number): number {
  let q = Math.floor(a / b);
  while (q * b > a) q--;
  while ((q + 1) * b <= a) q++;
  return q;
}

const gridLineX = (t: GridTransform, k: number): number => gridLine(t, 'x', k);
const gridLineY = (t: GridTransform, k: number): number => gridLine(t, 'y', k);

/**
 * The original-image pixels that grid cell (col, row) was made from, clipped to the image. A cell
 * that lies on padding gives an empty box; a cell on the letterbox edge gives the part that shows
 * image. In crop mode every cell maps inside the centre region the model saw.
 */
export function cellToImageBox(t: GridTransform, col: number, row: number): Box {
  if (col < 0 || row < 0 || col >= t.gridWidth || row >= t.gridHeight) {
    throw new Error(`cell (${col}, ${row}) is outside the ${t.gridWidth}x${t.gridHeight} grid`);
  }
  const b: Box = [gridLineX(t, col), gridLineY(t, row), gridLineX(t, col + 1), gridLineY(t, row + 1)];
  return clipBox(b, t.imageWidth, t.imageHeight);
}

/**
 * Every cell's box in token order (index j = row * gridWidth + col, which is LLaVA's patch order
 * and Qwen2-VL's merged-token order), e.g. to mask the top-k cells of a map (spec step 9).
 */
export function cellBoxes(t: GridTransform): Box[] {
  const boxes: Box[] = [];
  for (let row = 0; row < t.gridHeight; row++) for (let col = 0; col < t.gridWidth; col++) boxes.push(cellToImageBox(t, col, row));
  return boxes;
}

/** The original-image region the model saw at all: the union of all cell boxes. */
export function seenRegion(t: GridTransform): Box {
  return clipBox([gridLineX(t, 0), gridLineY(t, 0), gridLineX(t, t.gridWidth), gridLineY(t, t.gridHeight)], t.imageWidth, t.imageHeight);
}

/**
 * The cell whose box contains original pixel (x, y), or null if the model never saw that pixel
 * (outside the image, or cut off by a centre crop). Exactly consistent with cellToImageBox.
 */
export function imageToCell(t: GridTransform, x: number, y: number): { col: number; row: number } | null {
  if (!(Number.isInteger(x) && Number.isInteger(y))) throw new Error(`pixel (${x}, ${y}) must have integer coordinates`);
  if (x < 0 || y < 0 || x >= t.imageWidth || y >= t.imageHeight) return null;
  const col = findCell(x, t.gridWidth, ((x + 0.5) * t.scaleX + t.offsetX) / (t.inputWidth / t.gridWidth), (k) => gridLineX(t, k));
  const row = findCell(y, t.gridHeight, ((y + 0.5) * t.scaleY + t.offsetY) / (t.inputHeight / t.gridHeight), (k) => gridLineY(t, k));
  return col === null || row === null ? null : { col, row };
}

/** The k with line(k) <= p < line(k + 1), starting from a guess; null if p is before line(0) or at/after line(n). */
function findCell(p: number, n: number, guess: number, line: (k: number) => number): number | null {
  let k = Math.min(n - 1, Math.max(0, Math.floor(guess)));
  while (k > 0 && line(k) > p) k--;
  while (k < n - 1 && line(k + 1) <= p) k++;
  return line(k) <= p && p < line(k + 1) ? k : null;
}

/**
 * A point in grid units (cell (c, r) spans [c, c + 1) x [r, r + 1), so its centre is
 * (c + 0.5, r + 0.5)) to original-image coordinates, unrounded and unclipped: the centroid of an
 * attention map over the grid becomes the crop centre this way.
 */
export function gridToImagePoint(t: GridTransform, gx: number, gy: number): [number, number] {
  return [((gx * t.inputWidth) / t.gridWidth - t.offsetX) / t.scaleX, ((gy * t.inputHeight) / t.gridHeight - t.offsetY) / t.scaleY];
}

/** The inverse of gridToImagePoint. */
export function imageToGridPoint(t: GridTransform, x: number, y: number): [number, number] {
  return [((x * t.scaleX + t.offsetX) * t.gridWidth) / t.inputWidth, ((y * t.scaleY + t.offsetY) * t.gridHeight) / t.inputHeight];
}
