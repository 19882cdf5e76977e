/**
 * The layer strip's inputs (common/figures' layerStripSvg), shared by `laser figure --kind layers`
 * and the app's Layers view export: which layers, which heads each map averages, the colour scale
 * and colormap, the titles. Two ways to pick each layer's heads: 'top', spec step 7 at every layer
 * (the mean of the layer's top-kHead heads by VAQ, as M is made at l*; the chosen layer's panel is
 * M itself), computed from the tensors by the engine; and 'mean', the head mean the app's views
 * carry (LaserViews.contrastive), which is what the Layers view shows.
 */
import type { Colormap, FigureBox, ImageRef, LayerPanel, LayerStripInput } from '../figures/index.ts';
import { attentionStack, type FloatArray } from './attention.ts';
import type { Grid } from './grid.ts';
import { localisationMap } from './map.ts';
import type { AnalysisRecord } from './record.ts';
import { layerVaq } from './vaq.ts';

/** How each panel's map averages the layer's heads. */
export type LayerHeads = 'top' | 'mean';
export const LAYER_HEADS: readonly LayerHeads[] = ['top', 'mean'];

export interface LayersFigureOptions {
  heads: LayerHeads;
  /** 'shared' (default): one colour scale and bar; 'per-panel': each layer its own [0, max]. */
  colorScale?: 'shared' | 'per-panel';
  colormap?: Colormap;
  titles: boolean;
}

/**
 * Each of `layers` as a panel of the head mean of A (`contrastive`: [L][cells], as LaserViews
 * carries it), with the layer's VAQ.
 */
export function meanLayerPanels(r: Pick<AnalysisRecord, 'vaq'>, contrastive: readonly (readonly number[])[], layers: readonly number[]): LayerPanel[] {
  return layers.map((l) => {
    const values = contrastive[l];
    if (!Number.isInteger(l) || values === undefined) throw new RangeError(`Layer ${l} is not one of the record's ${contrastive.length} layers.`);
    return { layer: l, vaq: r.vaq?.[l] ?? null, values };
  });
}

/**
 * Each of `layers` made as step 7 makes the map at the chosen layer: the mean of that layer's
 * top-kHead heads by VAQ, normalised to sum 1 (all zeros when the layer has no mass); the chosen
 * layer's panel is `chosenMap` (the record's M) where there is one. `headsOf(l)`: layer l's
 * contrastive attention per head, row-major [heads, cells] (the engine reads it from tensor A, the
 * app from laser.headMaps).
 */
export function topHeadsLayerPanels(
  r: Pick<AnalysisRecord, 'vaq' | 'vaqHeads' | 'knobs' | 'layer'>,
  grid: Grid,
  layers: readonly number[],
  headsOf: (layer: number) => FloatArray,
  chosenMap: ArrayLike<number> | null,
): LayerPanel[] {
  const vaqHeads = r.vaqHeads;
  const L = vaqHeads?.length ?? 0;
  const H = vaqHeads?.[0]?.length ?? 0;
  if (!vaqHeads || L === 0 || H === 0) throw new RangeError("The record has no VAQ per head to pick each layer's heads by.");
  const kHead = typeof r.knobs.kHead === 'number' ? r.knobs.kHead : 8;
  const scores = layerVaq(Float64Array.from(vaqHeads.flat()), L, H, kHead);
  const N = grid.gh * grid.gw;
  return layers.map((l) => {
    if (!Number.isInteger(l) || l < 0 || l >= L) throw new RangeError(`Layer ${l} is not one of the record's ${L} layers.`);
    const vaq = r.vaq?.[l] ?? null;
    if (l === r.layer && chosenMap) return { layer: l, vaq, values: chosenMap };
    const top = scores.topHeads[l];
    if (top === undefined) throw new RangeError(`Layer ${l} has no head scores; the record's VAQ covers ${scores.topHeads.length} layers.`);
    const m = localisationMap(attentionStack(1, H, N, headsOf(l)), 0, top, grid);
    return { layer: l, vaq, values: m.ok ? m.map : new Float64Array(N) };
  });
}

export function layersFigure(
  r: Pick<AnalysisRecord, 'question' | 'method' | 'layer'>,
  image: ImageRef | null,
  cells: readonly FigureBox[],
  panels: readonly LayerPanel[],
  o: LayersFigureOptions,
): LayerStripInput {
  const how = o.heads === 'mean' ? 'mean over heads, ' : '';
  return {
    image,
    cells,
    panels,
    chosen: r.layer,
    colorbarLabel: 'share of map mass',
    ...(o.colorScale ? { colorScale: o.colorScale } : {}),
    ...(o.colormap ? { colormap: o.colormap } : {}),
    ...(o.titles ? { title: 'Contrastive attention per layer', subtitle: `${r.question} \u00B7 ${r.method}, ${how}chosen layer framed` } : {}),
  };
}
