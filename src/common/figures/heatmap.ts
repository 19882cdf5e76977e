/**
 * A per-cell heatmap laid over a picture: each grid cell is filled where it lies on the original
 * image (the caller's cell boxes, in original pixels), so the colours sit on exactly the pixels the
 * model's tokens were made from. By default cells are drawn as they are; where the view showed the
 * map smooth, `heatmapSmooth` draws the grid upsampled (upsample.ts, the screen's own upsampler) as
 * finer vector cells, so the figure shows what the view showed and stays vector.
 */
import { valueColor, toHex, type Colormap } from './colormap.ts';
import { el, group, num, type Svg } from './svg.ts';
import { upsampleGrid, type Upsampling } from './upsample.ts';

/** [x0, y0, x1, y1] in original-image pixels, ends exclusive. */
export type FigureBox = readonly [number, number, number, number];

/** The original image as a figure shows it: `href` is a URL or a data: URI. */
export interface ImageRef {
  href: string;
  /** The original image's size in pixels (cell boxes and crop boxes are in these units). */
  width: number;
  height: number;
}

/** Where the image lies in the figure: figure px = (x, y) + scale * image px. */
export interface ImageFrame {
  x: number;
  y: number;
  scale: number;
}

export function frameRect(f: ImageFrame, b: FigureBox): { x: number; y: number; width: number; height: number } {
  return { x: f.x + b[0] * f.scale, y: f.y + b[1] * f.scale, width: (b[2] - b[0]) * f.scale, height: (b[3] - b[1]) * f.scale };
}

function isEmpty(b: FigureBox): boolean {
  return !(b[2] > b[0] && b[3] > b[1]);
}

export function assertCells(cells: readonly FigureBox[], values: ArrayLike<number>, what: string): void {
  if (cells.length !== values.length) throw new RangeError(`${what}: ${values.length} values for ${cells.length} cells.`);
}

/**
 * The cells as filled rectangles in a group at `opacity`, one path per colour (a 24 x 24 map has a
 * few hundred colours, so a strip of 32 maps stays a few hundred kB instead of a megabyte of
 * <rect>s). Each rectangle reaches `bleed` px past its right and bottom edges, under its neighbours,
 * so that anti-aliasing leaves no hairline seams between cells; the caller clips the group to the image.
 */
export function heatmapCells(
  frame: ImageFrame,
  cells: readonly FigureBox[],
  values: ArrayLike<number>,
  cmap: Colormap,
  domain: readonly [number, number],
  opacity: number,
  clipId: string,
  bleed = 0.5,
  /** Decimals of the coordinates: 2 by default; small multiples need only 1. */
  digits = 2,
): Svg {
  const rects = rectsByColor(bleed, digits);
  for (const [j, b] of cells.entries()) {
    const v = values[j];
    if (isEmpty(b) || v === undefined || !Number.isFinite(v)) continue;
    const r = frameRect(frame, b);
    rects.add(toHex(valueColor(cmap, v, domain)), r.x, r.y, r.width, r.height);
  }
  return el('g', { class: 'heatmap', opacity: num(opacity, 3), 'clip-path': `url(#${clipId})` }, ...rects.paths());
}

/**
 * Rectangles gathered by fill and drawn as one path per colour (a map of thousands of cells is a
 * few dozen elements), each reaching `bleed` px past its right and bottom edges, coordinates to
 * `digits` decimals.
 */
function rectsByColor(bleed: number, digits: number) {
  const byColor = new Map<string, string[]>();
  return {
    add(fill: string, x: number, y: number, width: number, height: number): void {
      const w = num(width + bleed, digits);
      const d = `M${num(x, digits)} ${num(y, digits)}h${w}v${num(height + bleed, digits)}h-${w}z`;
      const list = byColor.get(fill);
      if (list) list.push(d);
      else byColor.set(fill, [d]);
    },
    paths: (): Svg[] => [...byColor].map(([fill, d]) => el('path', { fill, d: d.join('') })),
  };
}

/** The longest side, in figure px, of a smooth map's sub-cells: small enough that no cell edges show, large enough to keep files small. */
export const SMOOTH_SUBCELL_PX = 4;

/**
 * Sub-cells per cell side for a smooth map whose cells are `cellPx` figure px on their shorter side:
 * each sub-cell 2-4 px, and at least 2 a side however small the cells (one sample a cell would give
 * back the grid's own values: cells, not the smoothing the figure says it draws).
 */
export function smoothSubdivision(cellPx: number): number {
  return Number.isFinite(cellPx) && cellPx > 2 * SMOOTH_SUBCELL_PX ? Math.ceil(cellPx / SMOOTH_SUBCELL_PX) : 2;
}

/** Where sub-cell edge i of k lies on [a, b]: its ends exactly a and b, so neighbouring cells' sub-cells meet. */
function subEdge(a: number, b: number, i: number, k: number): number {
  return i === 0 ? a : i === k ? b : a + ((b - a) * i) / k;
}

/**
 * The map upsampled (bilinear or bicubic, `upsampleGrid`) and drawn as vector: each cell of the
 * `grid` ([rows, cols], `cells` in row-major token order) split into k x k sub-cells
 * (`smoothSubdivision` of the cells' size in the figure), each coloured by the upsampled value at
 * its centre (the value the screen's upsampler gives there, coloured as the screen colours it),
 * runs of one colour merged along each row and then down the rows below, so flat stretches are one
 * rectangle; one path per colour, as heatmapCells draws, with the same bleed under the right and
 * bottom neighbours and the same group at `opacity`. Coordinates are written to 0.1 px (`digits`),
 * which the 0.5 px bleed covers. A sub-cell whose value is not finite (the grid has a NaN within
 * the kernel's reach) is left out, as heatmapCells leaves such a cell out.
 */
export function heatmapSmooth(
  frame: ImageFrame,
  cells: readonly FigureBox[],
  grid: readonly [number, number],
  values: ArrayLike<number>,
  mode: Exclude<Upsampling, 'nearest'>,
  cmap: Colormap,
  domain: readonly [number, number],
  opacity: number,
  clipId: string,
  bleed = 0.5,
  digits = 1,
): Svg {
  const [rows, cols] = grid;
  if (rows * cols !== cells.length) throw new RangeError(`heatmapSmooth: ${cells.length} cells for a ${rows}x${cols} grid.`);
  let cellPx = Infinity;
  for (const b of cells) if (!isEmpty(b)) cellPx = Math.min(cellPx, (b[2] - b[0]) * frame.scale, (b[3] - b[1]) * frame.scale);
  const k = smoothSubdivision(cellPx);
  const w = cols * k;
  const up = upsampleGrid(values, rows, cols, w, rows * k, mode);
  const rects = rectsByColor(bleed, digits);
  type Run = { fill: string; x0: number; y0: number; x1: number; y1: number };
  const emit = (u: Run) =>
    rects.add(u.fill, frame.x + u.x0 * frame.scale, frame.y + u.y0 * frame.scale, (u.x1 - u.x0) * frame.scale, (u.y1 - u.y0) * frame.scale);
  // runs still open below: a run of the sub-row above with the same colour and ends is extended down instead of drawn again
  let open = new Map<string, Run>();
  for (let r = 0; r < rows; r++) {
    for (let i = 0; i < k; i++) {
      const runs: Run[] = [];
      let run: Run | null = null;
      for (let c = 0; c < cols; c++) {
        const b = cells[r * cols + c];
        if (b === undefined || isEmpty(b)) continue;
        const y0 = subEdge(b[1], b[3], i, k);
        const y1 = subEdge(b[1], b[3], i + 1, k);
        for (let j = 0; j < k; j++) {
          // (r * k + i, c * k + j) is in range: up has rows * k rows of w = cols * k
          const v = up[(r * k + i) * w + c * k + j]!;
          const x0 = subEdge(b[0], b[2], j, k);
          const x1 = subEdge(b[0], b[2], j + 1, k);
          if (!Number.isFinite(v)) {
            if (run) runs.push(run);
            run = null;
            continue;
          }
          const fill = toHex(valueColor(cmap, v, domain));
          if (run && run.fill === fill && run.x1 === x0 && run.y0 === y0 && run.y1 === y1) run.x1 = x1;
          else {
            if (run) runs.push(run);
            run = { fill, x0, y0, x1, y1 };
          }
        }
      }
      if (run) runs.push(run);
      const next = new Map<string, Run>();
      for (const u of runs) {
        const key = `${u.fill} ${u.x0} ${u.x1}`;
        const above = open.get(key);
        if (above && above.y1 === u.y0) {
          above.y1 = u.y1;
          open.delete(key);
          next.set(key, above);
        } else next.set(key, u);
      }
      for (const u of open.values()) emit(u);
      open = next;
    }
  }
  for (const u of open.values()) emit(u);
  return el('g', { class: 'heatmap', 'data-smooth': mode, opacity: num(opacity, 3), 'clip-path': `url(#${clipId})` }, ...rects.paths());
}

/**
 * The picture itself, and a clip path (for the heatmap) of its rectangle or of `clip` (in image
 * pixels: a pad-to-square grid's extent, which reaches past the picture).
 */
export function framedImage(frame: ImageFrame, image: ImageRef, clipId: string, imageId?: string, clip?: FigureBox): Svg {
  const w = image.width * frame.scale;
  const h = image.height * frame.scale;
  const picture = imageId
    ? el('use', { 'xlink:href': `#${imageId}`, transform: `translate(${num(frame.x)} ${num(frame.y)}) scale(${num(frame.scale, 6)})` })
    : el('image', { x: frame.x, y: frame.y, width: w, height: h, 'xlink:href': image.href, preserveAspectRatio: 'none' });
  const c = clip ? frameRect(frame, clip) : { x: frame.x, y: frame.y, width: w, height: h };
  return group(el('clipPath', { id: clipId }, el('rect', c)), picture);
}

/**
 * What a map over the picture spans: the picture and the cells' extent around it. A pad-to-square
 * grid reaches past the picture (its edge cells lie partly on the padding); other grids do not.
 */
export function gridSpan(cells: readonly FigureBox[], width: number, height: number): FigureBox {
  let [x0, y0, x1, y1] = [0, 0, width, height];
  for (const b of cells) {
    if (isEmpty(b)) continue;
    x0 = Math.min(x0, b[0]);
    y0 = Math.min(y0, b[1]);
    x1 = Math.max(x1, b[2]);
    y1 = Math.max(y1, b[3]);
  }
  return [x0, y0, x1, y1];
}

/**
 * Path data of the band between the span `outer` and the picture (both in image pixels): the
 * outer rectangle clockwise, the picture's counter-clockwise, so it fills under either fill rule.
 */
export function bandPath(frame: ImageFrame, outer: FigureBox, image: { width: number; height: number }): string {
  const o = frameRect(frame, outer);
  const i = frameRect(frame, [0, 0, image.width, image.height]);
  return (
    `M${num(o.x)} ${num(o.y)}h${num(o.width)}v${num(o.height)}h${num(-o.width)}z` +
    `M${num(i.x)} ${num(i.y)}v${num(i.height)}h${num(i.width)}v${num(-i.height)}z`
  );
}

export const PADDING_INK = { fill: '#3a3a3a', stripe: '#8a8a8a' } as const;

/**
 * Padding drawn as padding: dark grey with lighter diagonal stripes every `spacing` px, so it reads
 * as "no picture here" under any colormap. The stripes are one path of lines clipped to `d` (not a
 * tiled pattern, which a PDF would draw tile by tile); `box` is the band's bounding rectangle.
 */
export function paddingFill(d: string, box: { x: number; y: number; width: number; height: number }, clipId: string, opacity = 1, spacing = 5): Svg {
  const lines: string[] = [];
  for (let x = box.x; x < box.x + box.width + box.height; x += spacing) lines.push(`M${num(x)} ${num(box.y)}l${num(-box.height)} ${num(box.height)}`);
  return el(
    'g',
    { class: 'padding', 'clip-path': `url(#${clipId})`, ...(opacity < 1 ? { opacity: num(opacity, 3) } : {}) },
    el('clipPath', { id: clipId }, el('path', { d })),
    el('path', { d, fill: PADDING_INK.fill }),
    el('path', { d: lines.join(''), fill: 'none', stroke: PADDING_INK.stripe, 'stroke-width': 1.3 }),
  );
}

/** An <image> at the original size, to put in <defs> once and <use> in several panels. */
export function imageDef(image: ImageRef, id: string): Svg {
  return el('image', { id, x: 0, y: 0, width: image.width, height: image.height, 'xlink:href': image.href, preserveAspectRatio: 'none' });
}

/**
 * The outline of the union of the given cells: every cell edge that is not shared with another
 * cell of the set. Grid cells share exact edges (the geometry module rounds every grid line once),
 * so shared edges cancel exactly. Collinear pieces are merged. Returns path data, or '' for none.
 */
export function cellsOutlinePath(frame: ImageFrame, boxes: readonly FigureBox[]): string {
  const count = new Map<string, number>();
  const add = (k: string) => count.set(k, (count.get(k) ?? 0) + 1);
  for (const b of boxes) {
    if (isEmpty(b)) continue;
    add(`h ${b[1]} ${b[0]} ${b[2]}`);
    add(`h ${b[3]} ${b[0]} ${b[2]}`);
    add(`v ${b[0]} ${b[1]} ${b[3]}`);
    add(`v ${b[2]} ${b[1]} ${b[3]}`);
  }
  // Group the surviving edges by line and merge touching pieces along it.
  const lines = new Map<string, [number, number][]>();
  for (const [k, n] of count) {
    if (n % 2 === 0) continue;
    const [dir, at, a, b] = k.split(' ');
    const key = `${dir} ${at}`;
    if (!lines.has(key)) lines.set(key, []);
    lines.get(key)!.push([Number(a), Number(b)]);
  }
  const d: string[] = [];
  for (const [key, spans] of lines) {
    const [dir, atText] = key.split(' ');
    const at = Number(atText);
    spans.sort((p, q) => p[0] - q[0]);
    const merged: [number, number][] = [];
    for (const s of spans) {
      const last = merged[merged.length - 1];
      if (last && s[0] <= last[1]) last[1] = Math.max(last[1], s[1]);
      else merged.push([s[0], s[1]]);
    }
    for (const [a, b] of merged) {
      if (dir === 'h') d.push(`M${num(frame.x + a * frame.scale)} ${num(frame.y + at * frame.scale)}H${num(frame.x + b * frame.scale)}`);
      else d.push(`M${num(frame.x + at * frame.scale)} ${num(frame.y + a * frame.scale)}V${num(frame.y + b * frame.scale)}`);
    }
  }
  return d.join('');
}

/** Diagonal hatching in user space (so its spacing is the same in every cell). */
export function hatchPattern(id: string, color = '#ffffff', spacing = 4.5): Svg {
  return el(
    'pattern',
    { id, patternUnits: 'userSpaceOnUse', width: spacing, height: spacing, patternTransform: 'rotate(45)' },
    el('rect', { x: 0, y: 0, width: 1.6, height: spacing, fill: '#000000', 'fill-opacity': 0.35 }),
    el('rect', { x: 0.3, y: 0, width: 1, height: spacing, fill: color }),
  );
}

type Rect = { x: number; y: number; width: number; height: number };

/** `r` shrunk by d on every side (a stroke inset by half its width stays inside the box it outlines). */
export function insetRect(r: Rect, d: number): Rect {
  const w = Math.max(0, r.width - 2 * d);
  const h = Math.max(0, r.height - 2 * d);
  return { x: r.x + Math.min(d, r.width / 2), y: r.y + Math.min(d, r.height / 2), width: w, height: h };
}

/**
 * A box outline drawn just inside the box, over a thin white halo, visible on dark and light
 * pictures alike.
 */
export function haloRect(r: Rect, color: string, width: number, attrs: Record<string, string> = {}): Svg {
  const halo = width + 1.6;
  return el(
    'g',
    attrs,
    el('rect', { ...insetRect(r, halo / 2), fill: 'none', stroke: '#ffffff', 'stroke-width': halo, 'stroke-opacity': 0.85 }),
    el('rect', { ...insetRect(r, width / 2 + 0.4), fill: 'none', stroke: color, 'stroke-width': width }),
  );
}
