/**
 * What the image overlay draws for a result and the panel's view settings: the chosen map's cells
 * with their colours (in the chosen colormap, over the chosen heads, with or without the attention
 * sinks in the colour scale: common/laser/overlay-figure.ts's `overlayShown`, which `laser figure`
 * draws its overlay with too), the crop box, the masked cells and, for a generated world's question,
 * the target's true box, all in original-image pixels, so the overlay only has to scale them with
 * the picture. A pad-to-square input's grid reaches past the picture: the overlay then spans the
 * whole grid and shows the band outside the picture as padding, so its cells are drawn whole
 * instead of as slivers along the picture's edge.
 */
import type { HeadMaps, LaserResult } from '../../../common/contract/methods.ts';
import { COLORMAPS, viridis, type Colormap, type ColormapName } from '../../../common/figures/index.ts';
import {
  gridExtent,
  overlayShown,
  overlayViewLine,
  resultSinks,
  seenArea,
  shownValues,
  SMOOTHINGS,
  type OverlayFigureView,
  type Smoothing,
} from '../../../common/laser/overlay-figure.ts';
import { MEAN_HEADS, type HeadSelection } from '../../../common/laser/heads.ts';
import { cellFills, mapDomain, type CellFill, type Rect4 } from './heatmap.ts';
import type { MapChoice, MapId } from './maps.ts';

export { gridExtent, resultSinks, seenArea, shownValues, SMOOTHINGS, type Smoothing };

export interface ViewSettings {
  /** The layer A is shown at (the chosen layer until another is picked). */
  layer: number | null;
  map: MapId | 'off';
  showBox: boolean;
  showMasked: boolean;
  /** The target's true box, when the question is a generated world's. */
  showTruth: boolean;
  /** Heatmap opacity 0..1. */
  opacity: number;
  colormap: ColormapName;
  smooth: Smoothing;
  /** The heads the contrastive map A is averaged over (other maps are as the record has them). */
  heads: HeadSelection;
  /** Leave the attention sinks out of the colour scale (they then saturate). */
  excludeSinks: boolean;
}

export const defaultViewSettings: ViewSettings = {
  layer: null,
  map: 'M',
  showBox: true,
  showMasked: true,
  showTruth: true,
  opacity: 0.6,
  colormap: 'viridis',
  smooth: 'cells',
  heads: MEAN_HEADS,
  excludeSinks: false,
};

export interface OverlayModel {
  imageWidth: number;
  imageHeight: number;
  map: MapChoice | null;
  domain: [number, number];
  fills: CellFill[];
  box: Rect4 | null;
  masked: Rect4[];
  /** Where the evidence really is (a generated world's target box); null when unknown or hidden. */
  truth: Rect4 | null;
  /** The part of the image the model saw, when it is not all of it (a centre crop); the rest is veiled. */
  seen: Rect4 | null;
  opacity: number;
  cmap: Colormap;
  smooth: Smoothing;
  /** [gh, gw] and every cell's rectangle (token order), in image pixels. */
  grid: readonly [number, number];
  cells: readonly Rect4[];
  /** The grid's extent [x0, y0, x1, y1] in image pixels (a smooth map is drawn over it). */
  gridRect: Rect4;
  /** What the overlay spans: the picture and, for pad-to-square, the padding around it. */
  extent: Rect4;
  /** The grid's share outside the picture (pad-to-square), drawn as padding; null when there is none. */
  padding: Rect4 | null;
  /** Attention sink cells of I (heavy at nearly every layer); [] when the run has no per-layer attention on I. */
  sinks: number[];
  /** The sinks were left out of the colour scale. */
  sinksExcluded: boolean;
  /** The heads the shown map is averaged over, in words ('mean of heads' for maps that are head means). */
  headsText: string;
  /** Set while the per-head maps of the chosen heads are not loaded (the head mean is shown meanwhile). */
  headsPending: boolean;
  /** What the overlay shows, as its figure needs it (the export's input, as `laser figure`'s); null without a map. */
  figure: OverlayFigureView | null;
}

/** What a view of the map spans: the picture and the grid's extent around it (pad-to-square reaches past the picture). */
export function viewExtent(cells: readonly Rect4[], width: number, height: number): Rect4 {
  const g = gridExtent(cells, width, height);
  return [Math.min(0, g[0]), Math.min(0, g[1]), Math.max(width, g[2]), Math.max(height, g[3])];
}

/** A tile's size in px for an extent fitted within `side` x `side`. */
export function fitExtent(extent: Rect4, side: number): { width: number; height: number } {
  const w = extent[2] - extent[0];
  const h = extent[3] - extent[1];
  const s = Math.min(side / w, side / h);
  return { width: Math.max(1, Math.round(w * s)), height: Math.max(1, Math.round(h * s)) };
}

export function overlayModel(result: LaserResult, view: ViewSettings, truthBox: Rect4 | null = null, headMaps: HeadMaps | null = null): OverlayModel {
  const { record, views } = result;
  const w = record.image.width;
  const h = record.image.height;
  const shown = view.map === 'off' ? null : overlayShown(result, { ...view, map: view.map }, view.showTruth ? truthBox : null, headMaps);
  const f = shown?.figure ?? null;
  const values = f ? f.map.values : [];
  const cmap = f ? f.cmap : (COLORMAPS[view.colormap] ?? viridis);
  const domain: [number, number] = f ? [f.domain[0], f.domain[1]] : mapDomain(values, cmap);
  const gridRect = gridExtent(views.cells, w, h);
  const extent = viewExtent(views.cells, w, h);
  const padded = extent[0] < 0 || extent[1] < 0 || extent[2] > w || extent[3] > h;
  return {
    imageWidth: w,
    imageHeight: h,
    map: shown ? shown.map : null,
    domain,
    fills: f ? cellFills(views.cells, values, domain, { cmap }) : [],
    box: view.showBox ? record.box : null,
    masked: view.showMasked ? record.maskedCells.filter((j) => j >= 0 && j < views.cells.length).map((j) => views.cells[j]) : [],
    truth: view.showTruth ? truthBox : null,
    seen: seenArea(views.cells, w, h),
    opacity: view.opacity,
    cmap,
    smooth: view.smooth,
    grid: views.grid,
    cells: views.cells,
    gridRect,
    extent,
    padding: padded ? extent : null,
    sinks: f ? [...f.sinks] : [],
    sinksExcluded: f?.sinksExcluded ?? false,
    headsText: f?.headsText ?? '',
    headsPending: shown?.headsPending ?? false,
    figure: f,
  };
}

/** What the overlay shows, as the figure needs it (common/laser/overlay-figure.ts, shared with `laser figure`); null without a map. */
export function figureView(o: OverlayModel): OverlayFigureView | null {
  return o.figure;
}

/**
 * How the overlay was drawn, in one line for a figure's metadata beside the run's provenance: the
 * map, its heads, the colormap and scale, whether sinks were left out of the scale (and which).
 */
export function viewProvenance(o: OverlayModel): string {
  return overlayViewLine(figureView(o));
}

/** The grid cell under a point in original-image pixels (cells are in token order), or -1. */
export function cellAt(cells: readonly Rect4[], x: number, y: number): number {
  for (let j = 0; j < cells.length; j++) {
    const [x0, y0, x1, y1] = cells[j];
    if (x >= x0 && x < x1 && y >= y0 && y < y1) return j;
  }
  return -1;
}
