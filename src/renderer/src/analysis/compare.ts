/**
 * The Compare view's own part of side-by-side analysis: the pins (up to four, one per record) and
 * the canvas fills of each panel. Which values each panel shows, on what colour range, and the
 * figure of it are common/laser/compare-panels.ts, shared with `laser figure --kind compare-maps`.
 */
import type { LaserResult } from '../../../common/contract/methods.ts';
import { modelInputsSvg } from '../../../common/figures/index.ts';
import {
  compareMapsFigure,
  compareProvenance,
  scalePanels,
  type ComparePanel,
  type CompareSettings,
  type ScaledPanel,
} from '../../../common/laser/compare-panels.ts';
import { cellFills, type CellFill } from './heatmap.ts';
import { inputCells } from './inputs.ts';

export {
  comparePanels,
  defaultCompareSettings,
  differenceProblem,
  differenceValues,
  headMapsKey,
  neededHeadMaps,
  panelValues,
  type CompareMap,
  type ComparePanel,
  type CompareSettings,
  type HeadMapsByKey,
} from '../../../common/laser/compare-panels.ts';

export const MAX_PINS = 4;

/** A pinned run's key: the record id. Pinning twice is a no-op; a fifth pin drops the oldest. */
export function addPin(pins: readonly LaserResult[], r: LaserResult): LaserResult[] {
  if (pins.some((p) => p.id === r.id)) return [...pins];
  return [...pins, r].slice(-MAX_PINS);
}

export interface DrawnPanel extends ScaledPanel {
  fills: CellFill[];
}

/** Colours for every panel: one scale over all (shared) or each its own; the difference on a diverging scale centred at 0. */
export function drawPanels(panels: readonly ComparePanel[], s: CompareSettings): DrawnPanel[] {
  return scalePanels(panels, s).map((p) => ({
    ...p,
    fills: p.values && p.domain ? cellFills(inputCells(p.image), p.values, p.domain, { cmap: p.cmap }) : [],
  }));
}

/** The view as a figure, as laser figure --kind compare-maps draws it: the drawn panels over `hrefs` (each the picture its model got), with the drawn runs' provenance. */
export function compareViewFigure(
  pins: readonly LaserResult[],
  panels: readonly ScaledPanel[],
  s: CompareSettings,
  hrefs: readonly string[],
): { svg: string; about: string } {
  return { svg: modelInputsSvg(compareMapsFigure(panels, s, hrefs, true)), about: compareProvenance(s.difference ? pins.slice(0, 2) : pins) };
}
