/**
 * The overlay figure of a run, one function for the app's export and `laser figure`: from the
 * record and what the view chooses (map kind, layer, heads, opacity, colormap, sinks left out of
 * the scale: `OverlayChoice`) to what it shows (`overlayShown`: the map's values over the chosen
 * heads, colours, sinks), to the builder's input (`attentionOverlaySvg`) and to the line that says
 * how it was drawn (for the figure's metadata). The app's overlay (renderer/analysis/overlay.ts)
 * and `laser figure`'s --map, --layer, --heads, --opacity, --colormap, --exclude-sinks and --smooth
 * both go through `overlayShown`; given the same record, choice and picture both write the same bytes
 * (test/figures/export-parity.test.ts). Per-head maps for a head choice come as laser.headMaps
 * answers them. Cells come unclipped from the record's views, so a pad-to-square grid's padding
 * is drawn as padding in both.
 */
import type { HeadMaps, LaserResult } from '../contract/methods.ts';
import {
  COLORMAPS,
  attentionOverlaySvg,
  colorDomain,
  paperFigureSvg,
  vaqCurveSvg,
  viridis,
  type Colormap,
  type ColormapName,
  type FigureBox,
  type ImageRef,
  type Upsampling,
} from '../figures/index.ts';
import { answerText } from './answer-text.ts';
import { MEAN_HEADS, headsLabel, headsMean, selectedHeads, type HeadSelection } from './heads.ts';
import { SIGNED_MAPS, mapChoices, type MapChoice, type MapId } from './overlay-maps.ts';
import { figureProvenance } from './provenance.ts';
import { paperFigure, vaqFigure } from './record-figures.ts';
import type { AnalysisRecordJson } from './record.ts';
import { attentionSinks } from './sinks.ts';

/** The overlay figure's width in px: a 3.5 in column at 96 px/in, in the app's export and the CLI alike. */
export const OVERLAY_FIGURE_WIDTH = 336;

export type OverlayMapId = MapId;

/** How a map lies over the picture in the view and its figures: its grid cells as they are, or upsampled smooth (bilinear, bicubic). */
export type Smoothing = 'cells' | 'bilinear' | 'bicubic';
export const SMOOTHINGS: readonly Smoothing[] = ['cells', 'bilinear', 'bicubic'];

/** A smoothing as the figure builders take it ('nearest' draws the cells as they are: common/figures/upsample.ts). */
export function figureUpsampling(s: Smoothing): Upsampling {
  return s === 'cells' ? 'nearest' : s;
}

/** What an overlay shows, as the figure needs it. */
export interface OverlayFigureView {
  /** The map shown: its id, its short label (e.g. 'M', 'rel', 'A · L14') and its values in grid order. */
  map: { id: OverlayMapId; label: string; values: readonly number[] };
  /** Every cell's rectangle in original-image pixels, unclipped (pad-to-square cells reach past the picture). */
  cells: readonly FigureBox[];
  /** The cells' grid [rows, cols] (cells in row-major order), which a smooth map is upsampled from. */
  grid: readonly [number, number];
  cmap: Colormap;
  domain: readonly [number, number];
  opacity: number;
  /** How the view drew the map, and so the figure draws it: the cells, or upsampled smooth as finer vector cells (common/figures heatmapSmooth). */
  smooth: Smoothing;
  /** The layer A is shown at. */
  layer: number | null;
  box: FigureBox | null;
  truth: FigureBox | null;
  /** The masked cells are drawn (hatched). */
  showMasked: boolean;
  /** The part of the picture the model saw, when it is not all of it (a centre crop). */
  seen: FigureBox | null;
  /** The heads the map is averaged over, in words. */
  headsText: string;
  /** A is averaged over a chosen head or the top-k heads, not all of them. */
  headsChosen: boolean;
  sinks: readonly number[];
  sinksExcluded: boolean;
}

type Rec = Pick<AnalysisRecordJson, 'question' | 'method' | 'layer' | 'answer' | 'stopReason' | 'maskedCells' | 'image'>;

/** The builder's input for the overlay figure of `r` as `v` shows it, over `image`. */
export function overlayFigureInput(r: Rec, image: ImageRef, v: OverlayFigureView, o: { titles?: boolean; width?: number } = {}) {
  const m = v.map;
  const subtitle =
    `${r.method} · ${m.label}${r.layer !== null && m.id === 'M' ? ` · layer ${r.layer}` : ''}` +
    `${m.id === 'A' && v.headsChosen ? ` · ${v.headsText}` : ''}${v.sinksExcluded ? ' · sinks out of scale' : ''} · answer: ${answerText(r.answer, r.stopReason)}`;
  return {
    image,
    cells: v.cells,
    values: m.values,
    opacity: v.opacity,
    smooth: figureUpsampling(v.smooth),
    grid: v.grid,
    colormap: v.cmap,
    range: v.domain,
    box: v.box,
    truthBox: v.truth,
    maskedCells: v.showMasked ? r.maskedCells : [],
    seen: v.seen,
    ...((o.titles ?? true) ? { title: r.question, subtitle } : {}),
    colorbar: true as const,
    colorbarLabel: m.id === 'M' ? (r.method === 'vicrop-rel' ? 'relative attention' : 'share of map mass') : m.id === 'd' ? 'a_q − a_0' : 'attention',
    width: o.width ?? OVERLAY_FIGURE_WIDTH,
  };
}

/** The overlay figure's SVG (without its description: the caller adds the provenance and `overlayViewLine`). */
export function overlayFigureSvg(r: Rec, image: ImageRef, v: OverlayFigureView, o: { titles?: boolean; width?: number } = {}): string {
  return attentionOverlaySvg(overlayFigureInput(r, image, v, o));
}

/**
 * The overlay figure as a file: its SVG (no description yet) and what the file says about it, the
 * run's provenance and how the overlay was drawn (the SVG's <desc>, the PDF's Subject).
 */
export function overlayFigureFile(
  r: Rec & Parameters<typeof figureProvenance>[0],
  image: ImageRef,
  v: OverlayFigureView,
  o: { titles?: boolean; width?: number } = {},
): { svg: string; about: string } {
  return { svg: overlayFigureSvg(r, image, v, o), about: `${figureProvenance(r)}; ${overlayViewLine(v)}` };
}

/**
 * The paper figure as a file: the overlay as `v` shows it (without titles) and the VAQ curve
 * placed whole, the crop I+ as the model got it (`crop`; null without one), the answers and a
 * caption; described as the overlay is.
 */
export function paperFigureFile(
  r: Rec & Parameters<typeof paperFigure>[0] & Parameters<typeof vaqFigure>[0],
  image: ImageRef,
  v: OverlayFigureView,
  crop: ImageRef | null,
  o: { titles?: boolean } = {},
): { svg: string; about: string } {
  const { svg: overlay, about } = overlayFigureFile(r, image, v, { titles: false });
  return { svg: paperFigureSvg(paperFigure(r, { overlay, vaq: vaqCurveSvg(vaqFigure(r, false)), crop }, o.titles ?? true)), about };
}

/**
 * How the overlay was drawn, in one line for a figure's metadata beside the run's provenance: the
 * map, its heads, the colormap and scale, whether sinks were left out of the scale (and which).
 */
export function overlayViewLine(v: OverlayFigureView | null): string {
  if (!v) return 'view: no map';
  const parts = [
    `view: map ${v.map.id}${v.map.id === 'A' && v.layer !== null ? ` at layer ${v.layer}` : ''}`,
    `heads ${v.headsText}`,
    `colormap ${v.cmap.name} over [${v.domain.map((x) => Number(x.toPrecision(4))).join(', ')}]`,
    // as the figure draws it (common/figures/heatmap.ts): the grid's cells, or upsampled smooth
    `${v.smooth === 'cells' ? 'drawn as cells' : `drawn with ${v.smooth} upsampling of the grid's cells`} at opacity ${v.opacity}`,
    v.sinks.length === 0
      ? 'no attention sinks found'
      : v.sinksExcluded
        ? `attention sinks excluded from the scale: cells ${v.sinks.join(', ')}`
        : `attention sinks in the scale: cells ${v.sinks.join(', ')}`,
  ];
  return parts.join('; ');
}

/** The rectangle the cells tile (their union's bounds); the image's own rectangle when there are none. */
export function gridExtent(cells: readonly FigureBox[], width: number, height: number): FigureBox {
  if (cells.length === 0) return [0, 0, width, height];
  let [x0, y0, x1, y1] = [Infinity, Infinity, -Infinity, -Infinity];
  for (const c of cells) {
    x0 = Math.min(x0, c[0]);
    y0 = Math.min(y0, c[1]);
    x1 = Math.max(x1, c[2]);
    y1 = Math.max(y1, c[3]);
  }
  return [x0, y0, x1, y1];
}

/**
 * The part of the picture the model saw: the cells tile it, so it is their extent clipped to the
 * image. Null when that is the whole picture (pad-to-square sees everything).
 */
export function seenArea(cells: readonly FigureBox[], width: number, height: number): FigureBox | null {
  if (cells.length === 0) return null;
  const [x0, y0, x1, y1] = gridExtent(cells, width, height);
  const seen: FigureBox = [Math.max(0, x0), Math.max(0, y0), Math.min(width, x1), Math.min(height, y1)];
  return seen[0] <= 0 && seen[1] <= 0 && seen[2] >= width && seen[3] >= height ? null : seen;
}

/**
 * The attention sinks of a result: cells of I heavy at nearly every layer of its query-pass
 * attention (sinks.ts) and, where the run has the no-query pass, heavy there too (at least 5x a
 * uniform share of a_0 at the chosen layer), so a cell the question itself draws attention to is
 * not taken for one: a sink holds its share whatever the question.
 */
export function resultSinks(result: Pick<LaserResult, 'inputImages' | 'views' | 'record'>): number[] {
  const att = result.inputImages.find((i) => i.role === 'image')?.attention;
  const cells = att?.[0]?.length;
  if (!att || cells !== result.views.cells.length) return [];
  const sinks = attentionSinks(att);
  const a0 = result.views.baseAttention;
  if (!a0 || a0.length !== cells || result.record.method === 'vicrop-rel') return sinks;
  const total = a0.reduce((t, v) => t + (Number.isFinite(v) && v > 0 ? v : 0), 0);
  return total > 0 ? sinks.filter((j) => (a0[j] ?? 0) / total >= 5 / a0.length) : sinks;
}

/** What the overlay's controls choose: the app's view settings, `laser figure`'s --map, --layer, --heads, --opacity, --colormap, --smooth, --exclude-sinks. */
export interface OverlayChoice {
  map: MapId;
  /** The layer A is shown at (the others are at the chosen layer l*); null: none picked. */
  layer: number | null;
  /** The heads A is averaged over (the other maps are as the record has them). */
  heads: HeadSelection;
  /** Heatmap opacity 0..1. */
  opacity: number;
  colormap: ColormapName;
  smooth: Smoothing;
  /** Leave the attention sinks out of the colour scale (they then saturate). */
  excludeSinks: boolean;
  showBox: boolean;
  showMasked: boolean;
}

/** The choice the app opens a run with: M (or ViCrop's relative attention) as cells on viridis at opacity 0.6, the head mean of A, the sinks in the scale. */
export const DEFAULT_OVERLAY_CHOICE: OverlayChoice = {
  map: 'M',
  layer: null,
  heads: MEAN_HEADS,
  opacity: 0.6,
  colormap: 'viridis',
  smooth: 'cells',
  excludeSinks: false,
  showBox: true,
  showMasked: true,
};

type ResultPart = Pick<LaserResult, 'inputImages' | 'views' | 'record'>;

/**
 * The values of the shown map: A over the chosen heads when per-head maps of its layer are at hand
 * (`headMaps`, as laser.headMaps answers), the map as the views carry it otherwise. `pending`: a head
 * choice waits for its maps. A head outside the layer's heads is a RangeError (selectedHeads).
 */
export function shownValues(
  result: Pick<LaserResult, 'record'>,
  c: Pick<OverlayChoice, 'layer' | 'heads'>,
  choice: MapChoice,
  headMaps: HeadMaps | null,
): { values: number[]; headsText: string; pending: boolean } {
  const values = choice.values ?? [];
  if (choice.id !== 'A' || c.heads.kind === 'mean')
    return { values, headsText: choice.id === 'M' ? `top-${result.record.mapHeads?.length ?? 'k'} heads at l*` : headsLabel(MEAN_HEADS), pending: false };
  if (!headMaps || headMaps.layer !== c.layer) return { values, headsText: headsLabel(MEAN_HEADS), pending: true };
  const vaq = c.layer !== null ? (result.record.vaqHeads?.[c.layer] ?? null) : null;
  const heads = selectedHeads(c.heads, headMaps.heads.length, vaq);
  return {
    values: headsMean(headMaps.heads, heads),
    headsText: `${headsLabel(c.heads)}${c.heads.kind === 'top' ? ` (${heads.join(', ')})` : ''}`,
    pending: false,
  };
}

/** What the overlay shows for a choice: the figure's view, the map chosen (its values over the chosen heads) and whether a head choice waits for its per-head maps. */
export interface ShownOverlay {
  figure: OverlayFigureView;
  map: MapChoice & { values: number[] };
  headsPending: boolean;
}

/**
 * The overlay of `result` as choice `c` shows it, over the true box `truth` (null: none or hidden);
 * null when the run has no such map. A signed map is always on the diverging map centred at 0
 * (colorDomain makes it symmetric); with `excludeSinks` the scale is set without the sinks
 * (unless every cell is one).
 */
export function overlayShown(result: ResultPart, c: OverlayChoice, truth: FigureBox | null = null, headMaps: HeadMaps | null = null): ShownOverlay | null {
  const { record: r, views } = result;
  const choice = mapChoices(result, c.layer).find((x) => x.id === c.map && x.values !== null);
  if (!choice) return null;
  const shown = shownValues(result, c, choice, headMaps);
  const values = shown.values;
  const cmap = SIGNED_MAPS.includes(choice.id) ? COLORMAPS.coolwarm : (COLORMAPS[c.colormap] ?? viridis);
  const sinks = resultSinks(result);
  const excluded = c.excludeSinks && sinks.length > 0 && sinks.length < values.length;
  const domain = colorDomain(excluded ? values.filter((_, j) => !sinks.includes(j)) : values, cmap);
  return {
    map: { ...choice, values },
    headsPending: shown.pending,
    figure: {
      map: { id: choice.id, label: choice.label, values },
      cells: views.cells,
      grid: views.grid,
      cmap,
      domain,
      opacity: c.opacity,
      smooth: c.smooth,
      layer: c.layer,
      box: c.showBox ? r.box : null,
      truth,
      showMasked: c.showMasked,
      seen: seenArea(views.cells, r.image.width, r.image.height),
      headsText: shown.headsText,
      headsChosen: c.heads.kind !== 'mean',
      sinks,
      sinksExcluded: excluded,
    },
  };
}

/**
 * The view the app opens a run with, which `laser figure` draws without view flags: the localisation
 * map M (or ViCrop's relative attention) as cells on viridis (or the colormap picked) at opacity 0.6,
 * its own scale with the sinks in it, the crop box and the masked cells; null when the run has no map.
 */
export function defaultOverlayView(result: ResultPart, truth: FigureBox | null = null, colormap: ColormapName = 'viridis'): OverlayFigureView | null {
  return overlayShown(result, { ...DEFAULT_OVERLAY_CHOICE, layer: result.record.layer, colormap }, truth)?.figure ?? null;
}
