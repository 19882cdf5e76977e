/**
 * The Layers view's logic: which layers to show (a range such as "8-20"), how big the tiles can be
 * in the space there is, each layer's map on the chosen heads, and the view as a figure (the layer
 * strip of `laser figure --kind layers --layer-heads mean|top`).
 */
import { COLORMAPS, layerStripSvg, type ColormapName, type LayerPanel } from '../../../common/figures/index.ts';
import type { HeadMaps, LaserResult } from '../../../common/contract/methods.ts';
import { layersFigure, meanLayerPanels, topHeadsLayerPanels, type LayerHeads } from '../../../common/laser/layers-figure.ts';
import { OVERLAY_FIGURE_WIDTH } from '../../../common/laser/overlay-figure.ts';
import { figureProvenance } from '../../../common/laser/provenance.ts';

/** "8-20" (or "5", or "" for all) as the inclusive range [from, to] of a model with `layers` layers; a string saying what is wrong otherwise. */
export function parseLayerRange(text: string, layers: number): [number, number] | string {
  const t = text.trim();
  if (t === '') return [0, layers - 1];
  const m = /^(\d+)\s*(?:[-–]\s*(\d+))?$/.exec(t);
  if (!m) return `"${t}" is not a layer range; write e.g. 8-20.`;
  const from = Number(m[1]);
  const to = m[2] === undefined ? from : Number(m[2]);
  if (to < from) return `${from}-${to} runs backwards; write the lower layer first.`;
  if (to >= layers) return `This model has layers 0-${layers - 1}.`;
  return [from, to];
}

/** Columns and tile width for `n` tiles in `width` px: as many columns as keep each tile at least `minTile` wide (at most n). */
export function gridColumns(n: number, width: number, minTile: number, gap: number): { cols: number; tile: number } {
  if (n <= 0) return { cols: 1, tile: Math.max(0, width) };
  const cols = Math.max(1, Math.min(n, Math.floor((width + gap) / (minTile + gap))));
  return { cols, tile: Math.floor((width - (cols - 1) * gap) / cols) };
}

/** The longest side of the grey picture under the strip's maps for a PNG at `dpi`: what laser figure embeds at that scale. */
export function layersPictureSide(dpi: number): number {
  return Math.ceil((OVERLAY_FIGURE_WIDTH / 3) * Math.max(2, dpi / 96));
}

export interface LayersViewChoice {
  from: number;
  to: number;
  /** 'mean': the head mean the views carry; 'top': each layer's top-kHead heads by VAQ, normalised, M at l* (spec step 7, laser figure's default). */
  heads: LayerHeads;
  scale: 'shared' | 'per-layer';
  colormap: ColormapName;
}

/** Per-head maps of A by layer (laser.headMaps), for the top-k panels. */
export type LayerHeadMaps = ReadonlyMap<number, HeadMaps>;

/** The layers 'top' still needs per-head maps of (l* has its M, and the mean needs none). */
export function layersNeedingHeads(result: LaserResult, c: Pick<LayersViewChoice, 'from' | 'to' | 'heads'>, have: LayerHeadMaps): number[] {
  if (c.heads !== 'top' || !result.views.contrastive) return [];
  const out: number[] = [];
  for (let l = c.from; l <= c.to; l++) if (!(l === result.record.layer && result.views.map) && !have.has(l)) out.push(l);
  return out;
}

/** The panels of layers [from, to] on the chosen heads; null without contrastive attention, or while 'top' still misses per-head maps. */
export function layersViewPanels(
  result: LaserResult,
  c: Pick<LayersViewChoice, 'from' | 'to' | 'heads'>,
  headMaps: LayerHeadMaps = new Map(),
): LayerPanel[] | null {
  const { record, views } = result;
  if (!views.contrastive) return null;
  const layers = Array.from({ length: c.to - c.from + 1 }, (_, k) => c.from + k);
  if (c.heads === 'mean') return meanLayerPanels(record, views.contrastive, layers);
  if (layersNeedingHeads(result, c, headMaps).length > 0) return null;
  const [gh, gw] = views.grid;
  return topHeadsLayerPanels(
    record,
    { gh, gw },
    layers,
    (l) => {
      const maps = headMaps.get(l);
      if (!maps) throw new Error(`layer ${l}'s per-head maps are not loaded`);
      return Float64Array.from(maps.heads.flat());
    },
    views.map,
  );
}

/** The view's layers [from, to] as the layer strip (its heads, scale and colormap) over the picture `href`, with the run's provenance. */
export function layersViewFigure(result: LaserResult, href: string, c: LayersViewChoice, headMaps?: LayerHeadMaps): { svg: string; about: string } {
  const { record, views } = result;
  const panels = layersViewPanels(result, c, headMaps);
  if (!panels) throw new Error(views.contrastive ? 'the per-head maps are still loading' : `${record.method} makes no contrastive attention per layer`);
  const input = layersFigure(record, { href, width: record.image.width, height: record.image.height }, views.cells, panels, {
    heads: c.heads,
    colorScale: c.scale === 'shared' ? 'shared' : 'per-panel',
    colormap: COLORMAPS[c.colormap],
    titles: true,
  });
  return { svg: layerStripSvg(input), about: figureProvenance(record) };
}
