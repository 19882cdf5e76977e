/**
 * What the image overlay draws for a result and the panel's view settings: the chosen map's cells
 * with their colours, the crop box, the masked cells and, for a generated world's question, the
 * target's true box, all in original-image pixels, so the overlay only has to scale them with the
 * picture.
 */
import type { LaserResult } from '../../../common/contract/methods.ts';
import { cellFills, mapDomain, type CellFill, type Rect4 } from './heatmap.ts';
import { mapChoices, type MapChoice, type MapId } from './maps.ts';

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
}

export const defaultViewSettings: ViewSettings = { layer: null, map: 'M', showBox: true, showMasked: true, showTruth: true, opacity: 0.6 };

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
}

/**
 * The part of the picture the model saw: the cells tile it, so it is their extent clipped to the
 * image. Null when that is the whole picture (pad-to-square sees everything).
 */
export function seenArea(cells: readonly Rect4[], width: number, height: number): Rect4 | null {
  if (cells.length === 0) return null;
  let [x0, y0, x1, y1] = [Infinity, Infinity, -Infinity, -Infinity];
  for (const c of cells) {
    x0 = Math.min(x0, c[0]);
    y0 = Math.min(y0, c[1]);
    x1 = Math.max(x1, c[2]);
    y1 = Math.max(y1, c[3]);
  }
  const seen: Rect4 = [Math.max(0, x0), Math.max(0, y0), Math.min(width, x1), Math.min(height, y1)];
  return seen[0] <= 0 && seen[1] <= 0 && seen[2] >= width && seen[3] >= height ? null : seen;
}

export function overlayModel(result: LaserResult, view: ViewSettings, truthBox: Rect4 | null = null): OverlayModel {
  const { record, views } = result;
  const choice = view.map === 'off' ? null : (mapChoices(result, view.layer).find((c) => c.id === view.map && c.values !== null) ?? null);
  const values = choice?.values ?? [];
  const domain = mapDomain(values);
  return {
    imageWidth: record.image.width,
    imageHeight: record.image.height,
    map: choice,
    domain,
    fills: choice ? cellFills(views.cells, values, domain) : [],
    box: view.showBox ? record.box : null,
    masked: view.showMasked ? record.maskedCells.filter((j) => j >= 0 && j < views.cells.length).map((j) => views.cells[j]) : [],
    truth: view.showTruth ? truthBox : null,
    seen: seenArea(views.cells, record.image.width, record.image.height),
    opacity: view.opacity,
  };
}

/** The grid cell under a point in original-image pixels (cells are in token order), or -1. */
export function cellAt(cells: readonly Rect4[], x: number, y: number): number {
  for (let j = 0; j < cells.length; j++) {
    const [x0, y0, x1, y1] = cells[j];
    if (x >= x0 && x < x1 && y >= y0 && y < y1) return j;
  }
  return -1;
}
