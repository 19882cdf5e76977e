/**
 * What the image overlay draws for a result and the panel's view settings: the chosen map's cells
 * with their colours, the crop box and the masked cells, all in original-image pixels, so the
 * overlay only has to scale them with the picture.
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
  /** Heatmap opacity 0..1. */
  opacity: number;
}

export const defaultViewSettings: ViewSettings = { layer: null, map: 'M', showBox: true, showMasked: true, opacity: 0.6 };

export interface OverlayModel {
  imageWidth: number;
  imageHeight: number;
  map: MapChoice | null;
  domain: [number, number];
  fills: CellFill[];
  box: Rect4 | null;
  masked: Rect4[];
  opacity: number;
}

export function overlayModel(result: LaserResult, view: ViewSettings): OverlayModel {
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
