/**
 * Side by side: up to four pinned analyses (any method, image, question) drawn on one layer, one map
 * kind and, by default, one colour scale, so that they compare by eye; and the difference of two
 * when they lie on the same image and grid. Each panel draws on the image the model got (I as the
 * encoder got it, from the record), whose grid tiles it evenly, so panels of different images or
 * models (any grid shape) sit side by side without geometry code.
 */
import { coolwarm, viridis, type Colormap } from '../../../common/figures/index.ts';
import type { HeadMaps, InputImage, LaserResult } from '../../../common/contract/methods.ts';
import { answerText } from '../../../common/laser/answer-text.ts';
import { MEAN_HEADS, headsLabel, headsMean, selectedHeads, type HeadSelection } from './heads.ts';
import { cellFills, mapDomain, sharedDomain, type CellFill } from './heatmap.ts';
import { inputCells } from './inputs.ts';

export const MAX_PINS = 4;

/** 'M': each run's own map (at its own l*); 'A': contrastive attention at the linked layer; 'aq': query-pass attention at the linked layer. */
export type CompareMap = 'M' | 'A' | 'aq';

export interface CompareSettings {
  map: CompareMap;
  /** The linked layer (A and a_q); null = each run's chosen layer. */
  layer: number | null;
  /** The linked heads of A: the head mean, one head or the top-k heads of each run's layer by its VAQ per head. */
  heads: HeadSelection;
  scale: 'shared' | 'per-panel';
  /** Show the difference of the first two pins (first minus second) in place of the panels' maps. */
  difference: boolean;
}

export const defaultCompareSettings: CompareSettings = { map: 'M', layer: null, heads: MEAN_HEADS, scale: 'shared', difference: false };

/** Per-head maps of A by `${record id}:${layer}` (laser.headMaps), for panels on one head or the top-k. */
export type HeadMapsByKey = ReadonlyMap<string, HeadMaps>;
export const headMapsKey = (id: string, layer: number) => `${id}:${layer}`;

/** The per-head maps the panels need for the settings: [record id, layer] pairs (none for the head mean or other maps). */
export function neededHeadMaps(pins: readonly LaserResult[], s: Pick<CompareSettings, 'map' | 'layer' | 'heads'>): { id: string; layer: number }[] {
  if (s.map !== 'A' || s.heads.kind === 'mean') return [];
  return pins.flatMap((r) => {
    const l = layerOf(r, s.layer);
    return r.views.contrastive && l !== null ? [{ id: r.id, layer: l }] : [];
  });
}

export interface ComparePanel {
  id: string;
  title: string;
  subtitle: string;
  image: InputImage;
  /** The values drawn, null when this run has no such map (the reason is in `note`). */
  values: number[] | null;
  note: string | null;
  layer: number | null;
}

/** A pinned run's key: the record id. Pinning twice is a no-op; a fifth pin drops the oldest. */
export function addPin(pins: readonly LaserResult[], r: LaserResult): LaserResult[] {
  if (pins.some((p) => p.id === r.id)) return [...pins];
  return [...pins, r].slice(-MAX_PINS);
}

function layerOf(r: LaserResult, layer: number | null): number | null {
  const L = r.record.bundle.layers;
  const l = layer ?? r.record.layer;
  return l === null ? null : Math.min(L - 1, Math.max(0, l));
}

/** The values of one run for the settings: its map on I's own grid (row-major). */
export function panelValues(
  r: LaserResult,
  s: Pick<CompareSettings, 'map' | 'layer'> & { heads?: HeadSelection },
  headMaps?: HeadMapsByKey,
): { values: number[] | null; note: string | null; layer: number | null } {
  const image = r.inputImages[0];
  if (s.map === 'M') {
    return r.views.map ? { values: r.views.map, note: null, layer: r.record.layer } : { values: null, note: `${r.record.method} makes no map M`, layer: null };
  }
  if (s.map === 'A') {
    const l = layerOf(r, s.layer);
    const A = r.views.contrastive;
    if (!A || l === null) return { values: null, note: `${r.record.method} has no contrastive attention A`, layer: null };
    const heads = s.heads ?? MEAN_HEADS;
    if (heads.kind === 'mean') return { values: A[l], note: null, layer: l };
    const H = r.record.bundle.heads;
    if (heads.kind === 'head' && heads.head >= H) return { values: null, note: `${r.record.bundle.name} has heads 0..${H - 1} only`, layer: l };
    if (heads.kind === 'top' && !r.record.vaqHeads) return { values: null, note: `${r.record.method} has no VAQ per head to rank heads by`, layer: l };
    const maps = headMaps?.get(headMapsKey(r.id, l));
    if (!maps) return { values: null, note: `loading ${headsLabel(heads)}…`, layer: l };
    const chosen = selectedHeads(heads, maps.heads.length, r.record.vaqHeads?.[l] ?? null);
    return { values: headsMean(maps.heads, chosen), note: `${headsLabel(heads)}${heads.kind === 'top' ? ` (${chosen.join(', ')})` : ''}`, layer: l };
  }
  const l = layerOf(r, s.layer) ?? (image.attention?.length ?? 1) - 1;
  const aq = image.attention;
  return aq
    ? { values: aq[Math.min(aq.length - 1, l)], note: null, layer: Math.min(aq.length - 1, l) }
    : { values: null, note: 'no query attention recorded', layer: null };
}

export function comparePanels(pins: readonly LaserResult[], s: CompareSettings, headMaps?: HeadMapsByKey): ComparePanel[] {
  return pins.map((r) => {
    const v = panelValues(r, s, headMaps);
    const name = r.record.image.path.split(/[\\/]/).pop() ?? r.record.image.path;
    return {
      id: r.id,
      title: `${r.record.method}${v.layer === null ? '' : ` · L${v.layer}`} · ${answerText(r.record.answer, r.record.stopReason)}`,
      subtitle: `${name} · ${r.record.question}`,
      image: r.inputImages[0],
      ...v,
    };
  });
}

/** Why two pins cannot be subtracted, or null when they can (same image content and the same grid on it). */
export function differenceProblem(a: LaserResult, b: LaserResult): string | null {
  if (a.record.image.hash !== b.record.image.hash) return 'the two runs are on different images';
  const [ga, gb] = [a.inputImages[0], b.inputImages[0]];
  if (ga.grid[0] !== gb.grid[0] || ga.grid[1] !== gb.grid[1] || ga.width !== gb.width || ga.height !== gb.height)
    return 'the two runs saw the image on different grids';
  return null;
}

/** first minus second, cell by cell. */
export function differenceValues(a: readonly number[], b: readonly number[]): number[] {
  if (a.length !== b.length) throw new RangeError(`${a.length} cells against ${b.length}.`);
  return a.map((v, j) => v - b[j]);
}

export interface DrawnPanel extends ComparePanel {
  fills: CellFill[];
  domain: [number, number] | null;
  cmap: Colormap;
}

/** Colours for every panel: one scale over all (shared) or each its own; the difference on a diverging scale centred at 0. */
export function drawPanels(panels: readonly ComparePanel[], s: CompareSettings): DrawnPanel[] {
  if (s.difference && panels.length >= 2 && panels[0].values && panels[1].values) {
    const d = differenceValues(panels[0].values, panels[1].values);
    const domain = mapDomain(d, coolwarm);
    return [
      {
        ...panels[0],
        id: `${panels[0].id}-${panels[1].id}`,
        title: `difference: ${panels[0].title.split(' · ')[0]} − ${panels[1].title.split(' · ')[0]}`,
        values: d,
        fills: cellFills(inputCells(panels[0].image), d, domain, { cmap: coolwarm }),
        domain,
        cmap: coolwarm,
      },
    ];
  }
  const all = panels.map((p) => p.values).filter((v): v is number[] => v !== null);
  const shared = sharedDomain(all);
  return panels.map((p) => {
    if (!p.values) return { ...p, fills: [], domain: null, cmap: viridis };
    const domain = s.scale === 'shared' ? shared : mapDomain(p.values);
    return { ...p, fills: cellFills(inputCells(p.image), p.values, domain), domain, cmap: viridis };
  });
}
