/**
 * Where the visual tokens sit in the image. Token j lies at row floor(j / gw), column j % gw of a
 * gh x gw grid. How a cell maps to pixels of the original image depends on the preprocessing
 * (pad-to-square, centre crop, dynamic resolution), which is not LASER's business: the caller hands
 * in a CellMapping, and `uniformCellMapping` covers the common case of a grid laid evenly over one
 * pixel rectangle.
 */

export interface Grid {
  readonly gh: number;
  readonly gw: number;
}

/** [x0, y0, x1, y1] in original-image pixels; x1 and y1 exclusive. Cell rects may be fractional. */
export type Rect = readonly [number, number, number, number];

/** A crop box: a Rect with integer corners inside the image. */
export type Box = Rect;

export interface ImageSize {
  readonly width: number;
  readonly height: number;
}

export interface CellMapping {
  readonly grid: Grid;
  /**
   * Pixel rectangle of cell j in the original image. It may reach outside the image (padding added
   * before the encoder) and need not be integer-aligned.
   */
  cellRect(index: number): Rect;
}

export function cellCount(grid: Grid): number {
  return grid.gh * grid.gw;
}

export function assertGrid(grid: Grid, tokens?: number): void {
  if (!Number.isInteger(grid.gh) || !Number.isInteger(grid.gw) || grid.gh < 1 || grid.gw < 1) {
    throw new RangeError(`Grid ${grid.gh}x${grid.gw} must have positive integer sides.`);
  }
  if (tokens !== undefined && tokens !== grid.gh * grid.gw) {
    throw new RangeError(`Grid ${grid.gh}x${grid.gw} has ${grid.gh * grid.gw} cells but there are ${tokens} visual tokens.`);
  }
}

/** map[j], checked to be an attention mass: finite and non-negative. */
export function cellMass(map: ArrayLike<number>, j: number): number {
  const m = map[j];
  if (m === undefined || !(m >= 0) || m === Infinity) throw new RangeError(`Map values must be finite and non-negative, got ${m}.`);
  return m;
}

export function assertImageSize(size: ImageSize): void {
  if (!Number.isInteger(size.width) || !Number.isInteger(size.height) || size.width < 1 || size.height < 1) {
    throw new RangeError(`Image size ${size.width}x${size.height} must have positive integer sides.`);
  }
}

/** A grid laid evenly over `rect` (for example the whole image, or the padded square around it). */
export function uniformCellMapping(grid: Grid, rect: Rect): CellMapping {
  assertGrid(grid);
  const [x0, y0, x1, y1] = rect;
  const cw = (x1 - x0) / grid.gw;
  const ch = (y1 - y0) / grid.gh;
  return {
    grid,
    cellRect(index: number): Rect {
      const r = Math.floor(index / grid.gw);
      const c = index % grid.gw;
      return [x0 + c * cw, y0 + r * ch, x0 + (c + 1) * cw, y0 + (r + 1) * ch];
    },
  };
}

/** The grid laid evenly over the whole image: what ViCrop assumes. */
export function fullImageMapping(grid: Grid, size: ImageSize): CellMapping {
  return uniformCellMapping(grid, [0, 0, size.width, size.height]);
}

export function rectCentre(rect: Rect): [number, number] {
  return [(rect[0] + rect[2]) / 2, (rect[1] + rect[3]) / 2];
}

export function rectArea(rect: Rect): number {
  return Math.max(0, rect[2] - rect[0]) * Math.max(0, rect[3] - rect[1]);
}

export function intersectRects(a: Rect, b: Rect): Rect {
  return [Math.max(a[0], b[0]), Math.max(a[1], b[1]), Math.min(a[2], b[2]), Math.min(a[3], b[3])];
}

/** Whether two rects share area (touching edges do not count: x1/y1 are exclusive). */
export function rectsOverlap(a: Rect, b: Rect): boolean {
  return Math.max(a[0], b[0]) < Math.min(a[2], b[2]) && Math.max(a[1], b[1]) < Math.min(a[3], b[3]);
}

export function fullImageBox(size: ImageSize): Box {
  return [0, 0, size.width, size.height];
}
