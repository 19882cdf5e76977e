/**
 * The one way the workbench colours a map: values on the model's grid, each cell filled where it
 * lies on the original image (LaserViews cell rectangles), coloured by the shared colormaps of
 * common/figures, so what the UI shows and what `laser figure` exports use the same colours. The
 * colour range starts at 0 for non-negative maps (a dark cell means no attention, on every map).
 */
import { colorAt, colorDomain, toHex, valueColor, viridis, type Colormap } from '../../../common/figures/index.ts';

export type Rect4 = readonly [number, number, number, number];

export interface CellFill {
  index: number;
  x: number;
  y: number;
  width: number;
  height: number;
  value: number;
  color: string;
}

export const MAP_COLORMAP: Colormap = viridis;

/** [lo, hi] that `values` are coloured over (colorDomain: [0, max] for a non-negative map). */
export function mapDomain(values: Iterable<number>, cmap: Colormap = MAP_COLORMAP): [number, number] {
  return colorDomain(values, cmap);
}

/** One domain for several maps (the layer strip on a shared scale). */
export function sharedDomain(maps: readonly (readonly number[])[], cmap: Colormap = MAP_COLORMAP): [number, number] {
  return colorDomain(
    (function* () {
      for (const m of maps) yield* m;
    })(),
    cmap,
  );
}

/**
 * Rectangles to draw, in original-image pixels: cells with an empty rectangle or a non-finite value
 * are left out (nothing to colour), as are, with `skipZero`, cells at exactly 0, so a sparse map
 * leaves the picture visible where the model added no attention.
 */
export function cellFills(
  cells: readonly Rect4[],
  values: readonly number[],
  domain: readonly [number, number],
  o: { cmap?: Colormap; skipZero?: boolean } = {},
): CellFill[] {
  if (cells.length !== values.length) throw new RangeError(`${values.length} values for ${cells.length} cells.`);
  const cmap = o.cmap ?? MAP_COLORMAP;
  const out: CellFill[] = [];
  for (let j = 0; j < cells.length; j++) {
    const [x0, y0, x1, y1] = cells[j];
    const v = values[j];
    if (!(x1 > x0 && y1 > y0) || !Number.isFinite(v)) continue;
    if (o.skipZero && v === 0) continue;
    out.push({ index: j, x: x0, y: y0, width: x1 - x0, height: y1 - y0, value: v, color: toHex(valueColor(cmap, v, domain)) });
  }
  return out;
}

/** `n` evenly spaced colours from low to high (ECharts' visualMap, legends). */
export function colormapStops(n: number, cmap: Colormap = MAP_COLORMAP): string[] {
  if (n < 2) throw new RangeError('A colour ramp needs at least 2 stops.');
  return Array.from({ length: n }, (_, i) => toHex(colorAt(cmap, i / (n - 1))));
}

/** A CSS gradient of the colormap, low on the left. */
export function cssGradient(cmap: Colormap = MAP_COLORMAP, stops = 9): string {
  return `linear-gradient(to right, ${colormapStops(stops, cmap).join(', ')})`;
}
