/**
 * The overlay figure of a run, one function for the app's export and `laser figure`: from the
 * record and what the view shows (map, cells, colours, heads, sinks) to the builder's input
 * (`attentionOverlaySvg`) and to the line that says how it was drawn (for the figure's metadata).
 * `laser figure` draws the view the app opens with (`defaultOverlayView`: the localisation map M
 * as cells on viridis); given the same record, view and picture both write the same bytes
 * (test/figures/export-parity.test.ts). Cells come unclipped from the record's views, so a
 * pad-to-square grid's padding is drawn as padding in both.
 */
import type { LaserResult } from '../contract/methods.ts';
import { attentionOverlaySvg, colorDomain, paperFigureSvg, vaqCurveSvg, viridis, type Colormap, type FigureBox, type ImageRef } from '../figures/index.ts';
import { answerText } from './answer-text.ts';
import { figureProvenance } from './provenance.ts';
import { paperFigure, vaqFigure } from './record-figures.ts';
import type { AnalysisRecordJson } from './record.ts';
import { attentionSinks } from './sinks.ts';

/** The overlay figure's width in px: a 3.5 in column at 96 px/in, in the app's export and the CLI alike. */
export const OVERLAY_FIGURE_WIDTH = 336;

export type OverlayMapId = 'M' | 'A' | 'aq' | 'a0' | 'd';

/** What an overlay shows, as the figure needs it. */
export interface OverlayFigureView {
  /** The map shown: its id, its short label (e.g. 'M', 'rel', 'A · L14') and its values in grid order. */
  map: { id: OverlayMapId; label: string; values: readonly number[] };
  /** Every cell's rectangle in original-image pixels, unclipped (pad-to-square cells reach past the picture). */
  cells: readonly FigureBox[];
  cmap: Colormap;
  domain: readonly [number, number];
  opacity: number;
  smooth: 'cells' | 'bilinear' | 'bicubic';
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
    `drawn as ${v.smooth === 'cells' ? 'cells' : `${v.smooth} upsampling`} at opacity ${v.opacity}`,
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

/**
 * The view the app opens a run with, which `laser figure` draws: the localisation map M (or
 * ViCrop's relative attention) as cells on viridis (or the colormap picked) at opacity 0.6, its own
 * scale with the sinks in it, the crop box and the masked cells; null when the run has no map.
 */
export function defaultOverlayView(
  result: Pick<LaserResult, 'inputImages' | 'views' | 'record'>,
  truth: FigureBox | null = null,
  cmap: Colormap = viridis,
): OverlayFigureView | null {
  const { record: r, views } = result;
  if (!views.map) return null;
  return {
    map: { id: 'M', label: r.method === 'vicrop-rel' ? 'rel' : 'M', values: views.map },
    cells: views.cells,
    cmap,
    domain: colorDomain(views.map, cmap),
    opacity: 0.6,
    smooth: 'cells',
    layer: r.layer,
    box: r.box,
    truth,
    showMasked: true,
    seen: seenArea(views.cells, r.image.width, r.image.height),
    headsText: `top-${r.mapHeads?.length ?? 'k'} heads at l*`,
    headsChosen: false,
    sinks: resultSinks(result),
    sinksExcluded: false,
  };
}
