/**
 * Side by side: pinned analyses (any method, image, question) drawn on one layer, one map kind and,
 * by default, one colour scale, so that they compare by eye; and the difference of two when they lie
 * on the same image and grid. Each panel draws on the image the model got (I as the encoder got it,
 * from the record), whose grid tiles it evenly, so panels of different images or models (any grid
 * shape) sit side by side without geometry code. Pure: the app's Compare view and `laser figure
 * --kind compare-maps` both draw from what this gives (compareMapsFigure feeds the figure builder).
 */
import { colorDomain, coolwarm, viridis, type Colormap } from '../figures/colormap.ts';
import type { ImageRef, InputPanel, ModelInputsInput } from '../figures/index.ts';
import type { HeadMaps, InputImage, LaserResult } from '../contract/methods.ts';
import { answerText } from './answer-text.ts';
import { figureProvenance } from './provenance.ts';
import { MEAN_HEADS, headsLabel, headsMean, selectedHeads, type HeadSelection } from './heads.ts';

/** 'M': each run's own map (at its own l*); 'A': contrastive attention at the linked layer; 'aq': query-pass attention at the linked layer. */
export type CompareMap = 'M' | 'A' | 'aq';
export const COMPARE_MAPS: readonly CompareMap[] = ['M', 'A', 'aq'];

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

function layerOf(r: LaserResult, layer: number | null): number | null {
  const L = r.record.bundle.layers;
  const l = layer ?? r.record.layer;
  return l === null ? null : Math.min(L - 1, Math.max(0, l));
}

/** The image the model got of a run (I), on which its panel is drawn. */
function firstInput(r: LaserResult): InputImage {
  const image = r.inputImages[0];
  if (image === undefined) throw new RangeError(`The ${r.record.method} run ${r.id.slice(0, 8)} lists no input image.`);
  return image;
}

/** The values of one run for the settings: its map on I's own grid (row-major). */
export function panelValues(
  r: LaserResult,
  s: Pick<CompareSettings, 'map' | 'layer'> & { heads?: HeadSelection },
  headMaps?: HeadMapsByKey,
): { values: number[] | null; note: string | null; layer: number | null } {
  const image = firstInput(r);
  if (s.map === 'M') {
    return r.views.map ? { values: r.views.map, note: null, layer: r.record.layer } : { values: null, note: `${r.record.method} makes no map M`, layer: null };
  }
  if (s.map === 'A') {
    const l = layerOf(r, s.layer);
    const A = r.views.contrastive;
    const values = l === null ? undefined : A?.[l];
    if (!A || l === null || values === undefined) return { values: null, note: `${r.record.method} has no contrastive attention A`, layer: null };
    const heads = s.heads ?? MEAN_HEADS;
    if (heads.kind === 'mean') return { values, note: null, layer: l };
    const H = r.record.bundle.heads;
    if (heads.kind === 'head' && heads.head >= H) return { values: null, note: `${r.record.bundle.name} has heads 0..${H - 1} only`, layer: l };
    if (heads.kind === 'top' && !r.record.vaqHeads) return { values: null, note: `${r.record.method} has no VAQ per head to rank heads by`, layer: l };
    const maps = headMaps?.get(headMapsKey(r.id, l));
    if (!maps) return { values: null, note: `loading ${headsLabel(heads)}…`, layer: l };
    const chosen = selectedHeads(heads, maps.heads.length, r.record.vaqHeads?.[l] ?? null);
    return { values: headsMean(maps.heads, chosen), note: `${headsLabel(heads)}${heads.kind === 'top' ? ` (${chosen.join(', ')})` : ''}`, layer: l };
  }
  const aq = image.attention;
  const l = Math.min((aq?.length ?? 1) - 1, layerOf(r, s.layer) ?? (aq?.length ?? 1) - 1);
  const values = aq?.[l];
  return values ? { values, note: null, layer: l } : { values: null, note: 'no query attention recorded', layer: null };
}

export function comparePanels(pins: readonly LaserResult[], s: CompareSettings, headMaps?: HeadMapsByKey): ComparePanel[] {
  return pins.map((r) => {
    const v = panelValues(r, s, headMaps);
    const name = r.record.image.path.split(/[\\/]/).pop() ?? r.record.image.path;
    return {
      id: r.id,
      title: `${r.record.method}${v.layer === null ? '' : ` · L${v.layer}`} · ${answerText(r.record.answer, r.record.stopReason)}`,
      subtitle: `${name} · ${r.record.question}`,
      image: firstInput(r),
      ...v,
    };
  });
}

/** Why two pins cannot be subtracted, or null when they can (same image content and the same grid on it). */
export function differenceProblem(a: LaserResult, b: LaserResult): string | null {
  if (a.record.image.hash !== b.record.image.hash) return 'the two runs are on different images';
  const [ga, gb] = [firstInput(a), firstInput(b)];
  if (ga.grid[0] !== gb.grid[0] || ga.grid[1] !== gb.grid[1] || ga.width !== gb.width || ga.height !== gb.height)
    return 'the two runs saw the image on different grids';
  return null;
}

/** first minus second, cell by cell. */
export function differenceValues(a: readonly number[], b: readonly number[]): number[] {
  if (a.length !== b.length) throw new RangeError(`${a.length} cells against ${b.length}.`);
  return a.map((v, j) => v - (b[j] ?? 0));
}

export interface ScaledPanel extends ComparePanel {
  /** The colour range of its map (null: no map). */
  domain: [number, number] | null;
  cmap: Colormap;
}

/** One colour range over every map given (common/figures' colorDomain over all their values). */
function domainOf(maps: readonly (readonly number[])[], cmap: Colormap): [number, number] {
  return colorDomain(
    (function* () {
      for (const m of maps) yield* m;
    })(),
    cmap,
  );
}

/**
 * What each panel is coloured on: one scale over all (shared) or each its own, on `cmap`; or, for
 * the difference, a single panel of first minus second on a diverging scale centred at 0.
 */
export function scalePanels(panels: readonly ComparePanel[], s: Pick<CompareSettings, 'scale' | 'difference'>, cmap: Colormap = viridis): ScaledPanel[] {
  const [a, b] = panels;
  if (s.difference && a?.values && b?.values) {
    const d = differenceValues(a.values, b.values);
    return [
      {
        ...a,
        id: `${a.id}-${b.id}`,
        title: `difference: ${a.title.split(' · ')[0]} − ${b.title.split(' · ')[0]}`,
        values: d,
        domain: domainOf([d], coolwarm),
        cmap: coolwarm,
      },
    ];
  }
  const shared = domainOf(
    panels.flatMap((p) => (p.values ? [p.values] : [])),
    cmap,
  );
  return panels.map((p) => ({ ...p, domain: p.values ? (s.scale === 'shared' ? shared : domainOf([p.values], cmap)) : null, cmap }));
}

/** The map the panels show, in words (the figure's subtitle and the colour bar's label). */
export function compareMapText(s: Pick<CompareSettings, 'map' | 'layer' | 'heads' | 'difference'>): string {
  const map =
    s.map === 'M'
      ? "each run's map M at its own l*"
      : s.map === 'A'
        ? `contrastive attention A at ${s.layer === null ? "each run's l*" : `layer ${s.layer}`}, ${headsLabel(s.heads)}`
        : `query attention a_q at ${s.layer === null ? "each run's l*" : `layer ${s.layer}`}`;
  return s.difference ? `${map}, first minus second` : map;
}

/**
 * The Compare view as a figure (modelInputsSvg's panels): each panel over the image the model got,
 * its title, the image and question, its note and colour range; one colour bar when the scale is
 * shared. `hrefs`: each panel's picture (by panel index) as the figure embeds it.
 */
export function compareMapsFigure(
  panels: readonly ScaledPanel[],
  s: Pick<CompareSettings, 'map' | 'layer' | 'heads' | 'scale' | 'difference'>,
  hrefs: readonly string[],
  titles: boolean,
): ModelInputsInput {
  const first = panels[0];
  if (first === undefined) throw new RangeError('The comparison has no panels.');
  const barDomain = panels.find((p) => p.domain !== null)?.domain ?? null;
  const drawn: InputPanel[] = panels.map((p, i) => {
    const href = hrefs[i];
    if (href === undefined) throw new RangeError(`Panel ${i + 1} of the comparison has no picture.`);
    const image: ImageRef = { href, width: p.image.width, height: p.image.height };
    const range = p.domain ? `scale ${p.domain[0].toPrecision(2)} … ${p.domain[1].toPrecision(2)}` : null;
    return {
      image,
      grid: [p.image.grid[0], p.image.grid[1]],
      values: p.values,
      ...(p.domain ? { domain: p.domain } : {}),
      label: p.title,
      lines: [p.subtitle, ...(p.note ? [p.note] : []), ...(range ? [range] : [])],
    };
  });
  const shared = s.difference || s.scale === 'shared';
  const label = s.difference ? 'difference of map mass' : 'share of map mass';
  return {
    panels: drawn,
    colormap: first.cmap,
    opacity: 0.7,
    idPrefix: 'compare',
    ...(shared && barDomain ? { colorbar: { domain: barDomain, label } } : {}),
    name: 'Runs compared',
    ...(titles ? { title: s.difference ? 'Difference of two runs' : 'Runs compared', subtitle: compareMapText(s) } : {}),
  };
}

/** What the figure carries as its provenance: each drawn run's (model, method, layer, knobs), numbered in panel order. */
export function compareProvenance(drawn: readonly LaserResult[]): string {
  return drawn.map((r, i) => `run ${i + 1}: ${figureProvenance(r.record)}`).join(' | ');
}
