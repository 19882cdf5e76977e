/**
 * Figure: an attention map over the image. The map's cells are coloured where they lie on the
 * original picture, the crop box is outlined, and the masked cells (the counterfactual's evidence)
 * are hatched with their outline traced, so one picture shows where the model looked, what it
 * cropped and what it hid. Where the grid reaches past the picture (pad-to-square), the figure
 * spans the whole grid and the band outside the picture is drawn as padding, so the edge cells
 * are whole, as in the app's overlay.
 */
import { colorDomain, viridis, type Colormap } from './colormap.ts';
import {
  assertCells,
  bandPath,
  cellsOutlinePath,
  frameRect,
  framedImage,
  gridSpan,
  hatchPattern,
  haloRect,
  heatmapCells,
  heatmapSmooth,
  paddingFill,
  PADDING_INK,
  type FigureBox,
  type ImageFrame,
  type ImageRef,
} from './heatmap.ts';
import { MARGIN, colorbar, colorbarExtent, legendRow, titleBlock, type LegendItem } from './parts.ts';
import { el, idMaker, num, svgDocument, type Svg } from './svg.ts';
import { FONT_SANS, INK } from './text.ts';
import type { Upsampling } from './upsample.ts';

export interface AttentionOverlayInput {
  image: ImageRef;
  /**
   * Every grid cell's rectangle in original-image pixels, in token order (empty boxes are skipped).
   * Unclipped: a cell on a pad-to-square input's padding reaches outside the picture, and is drawn there.
   */
  cells: readonly FigureBox[];
  /** One value per cell. */
  values: ArrayLike<number>;
  /** Heatmap opacity over the picture; default 0.6. */
  opacity?: number;
  /**
   * How the map is drawn: its cells as they are ('nearest', the default), or upsampled smooth
   * (bilinear, bicubic) as finer vector cells (heatmapSmooth), which needs `grid`.
   */
  smooth?: Upsampling;
  /** The cells' grid [rows, cols] (cells in row-major order); needed to draw the map smooth. */
  grid?: readonly [number, number];
  colormap?: Colormap;
  /** Colour range; default colorDomain(values). */
  range?: readonly [number, number];
  /** The crop box, in original-image pixels. */
  box?: FigureBox | null;
  /** Where the evidence really is (a generated world's target box), in original-image pixels: dashed. */
  truthBox?: FigureBox | null;
  /** Indices of masked cells. */
  maskedCells?: readonly number[];
  /** The part of the image the model saw (a centre crop sees less than the whole); the rest is veiled. */
  seen?: FigureBox | null;
  title?: string;
  subtitle?: string;
  colorbar?: boolean;
  colorbarLabel?: string;
  /** Figure width in px; default 336 (a 3.5 in column at 96 px/in). */
  width?: number;
  /** Tallest the picture may be drawn, in px; default 1.25 x its widest. */
  maxImageHeight?: number;
  /** Prefix of the document's element ids. */
  idPrefix?: string;
}

const BAR = 10;
const GAP = 8;

export function attentionOverlaySvg(o: AttentionOverlayInput): string {
  assertCells(o.cells, o.values, 'attentionOverlaySvg');
  const cmap = o.colormap ?? viridis;
  const domain = o.range ?? colorDomain(Array.from(o.values), cmap);
  const width = o.width ?? 336;
  const id = idMaker(o.idPrefix ?? 'overlay');
  const inner = width - 2 * MARGIN;

  const head = titleBlock(MARGIN, MARGIN, inner, o.title, o.subtitle);
  // A pad-to-square grid reaches past the picture: the figure spans the grid, the band outside the picture is drawn as padding, and edge cells are whole.
  const span = gridSpan(o.cells, o.image.width, o.image.height);
  const padded = span[0] < 0 || span[1] < 0 || span[2] > o.image.width || span[3] > o.image.height;
  const scaleFor = (side: number) => {
    const maxW = inner - side;
    const maxH = o.maxImageHeight ?? 1.25 * maxW;
    return Math.min(maxW / (span[2] - span[0]), maxH / (span[3] - span[1]));
  };
  let side = o.colorbar ? GAP + BAR + colorbarExtent({ domain, label: o.colorbarLabel }) : 0;
  let scale = scaleFor(side);
  if (o.colorbar) {
    // a label longer than the bar this gives takes a second line (colorbarLabelLines), which needs room of its own
    const wrapped = GAP + BAR + colorbarExtent({ domain, label: o.colorbarLabel, height: (span[3] - span[1]) * scale });
    if (wrapped > side) {
      side = wrapped;
      scale = scaleFor(side);
    }
  }
  const imgW = o.image.width * scale;
  const imgH = o.image.height * scale;
  const spanW = (span[2] - span[0]) * scale;
  const spanH = (span[3] - span[1]) * scale;
  const left = MARGIN + (inner - (spanW + side)) / 2;
  const top = MARGIN + head.height;
  const frame: ImageFrame = { x: left - span[0] * scale, y: top - span[1] * scale, scale };

  const clip = id('clip');
  const pad = id('pad');
  const band = padded ? bandPath(frame, span, o.image) : '';
  const parts: Svg[] = [head.svg, framedImage(frame, o.image, clip, undefined, padded ? span : undefined)];
  const spanBox = { x: left, y: top, width: spanW, height: spanH };
  if (padded) parts.push(paddingFill(band, spanBox, pad));
  const smooth = o.smooth ?? 'nearest';
  if (smooth === 'nearest') parts.push(heatmapCells(frame, o.cells, o.values, cmap, domain, o.opacity ?? 0.6, clip));
  else {
    if (!o.grid) throw new RangeError(`attentionOverlaySvg: a ${smooth} map needs the cells' grid.`);
    // the padding band is drawn under and over it as over the cells, so padding stays padding
    parts.push(heatmapSmooth(frame, o.cells, o.grid, o.values, smooth, cmap, domain, o.opacity ?? 0.6, clip));
  }
  if (padded) {
    // the padding shows through the map's colours, and the picture's edge is traced
    parts.push(
      paddingFill(band, spanBox, id('pad'), 0.45),
      el('rect', {
        x: frame.x,
        y: frame.y,
        width: imgW,
        height: imgH,
        fill: 'none',
        stroke: '#ffffff',
        'stroke-opacity': 0.8,
        'stroke-width': 0.8,
        'stroke-dasharray': '3 2',
      }),
    );
  }

  const legend: LegendItem[] = [];
  if (padded)
    legend.push({
      swatch: el(
        'g',
        {},
        el('rect', { x: 0, y: 0, width: 14, height: 10, fill: PADDING_INK.fill }),
        el('path', { d: 'M4 0l-4 4M9 0l-9 9M14 0l-10 10M14 5l-5 5', stroke: PADDING_INK.stripe, 'stroke-width': 1.3 }),
        el('rect', { x: 0, y: 0, width: 14, height: 10, fill: 'none', stroke: INK.axis, 'stroke-width': 0.6 }),
      ),
      label: 'padding',
    });
  const seen = o.seen;
  if (seen && (seen[0] > 0 || seen[1] > 0 || seen[2] < o.image.width || seen[3] < o.image.height)) {
    const r = frameRect(frame, seen);
    const d =
      `M${num(frame.x)} ${num(frame.y)}h${num(imgW)}v${num(imgH)}h${num(-imgW)}z` +
      `M${num(r.x)} ${num(r.y)}v${num(r.height)}h${num(r.width)}v${num(-r.height)}z`;
    parts.push(el('path', { class: 'unseen', d, fill: '#ffffff', 'fill-opacity': 0.6, 'fill-rule': 'evenodd' }));
    legend.push({
      swatch: el('rect', { x: 0.5, y: 0.5, width: 13, height: 9, fill: '#e6e6e6', stroke: INK.reference, 'stroke-width': 0.6 }),
      label: 'not seen by the model',
    });
  }
  // the masked cells' boxes; o.cells[j] is undefined for anything but a cell's index
  const masked = (o.maskedCells ?? []).map((j) => {
    const box = Number.isInteger(j) && j >= 0 ? o.cells[j] : undefined;
    if (box === undefined) throw new RangeError(`Masked cell ${j} is not one of the ${o.cells.length} cells.`);
    return box;
  });
  if (masked.length > 0) {
    const hatch = id('hatch');
    const boxes = masked;
    parts.push(
      el('defs', {}, hatchPattern(hatch)),
      el('g', { class: 'masked', 'clip-path': `url(#${clip})` }, ...boxes.map((b) => el('rect', { ...frameRect(frame, b), fill: `url(#${hatch})` }))),
      el('path', {
        class: 'masked-outline',
        d: cellsOutlinePath(frame, boxes),
        fill: 'none',
        stroke: '#000000',
        'stroke-opacity': 0.55,
        'stroke-width': 2.4,
        'stroke-linecap': 'square',
      }),
      el('path', { d: cellsOutlinePath(frame, boxes), fill: 'none', stroke: '#ffffff', 'stroke-width': 1.1, 'stroke-linecap': 'square' }),
    );
    legend.push({
      swatch: el(
        'g',
        {},
        el('rect', { x: 0, y: 0, width: 14, height: 10, fill: '#7f7f7f' }),
        el('rect', { x: 0, y: 0, width: 14, height: 10, fill: `url(#${hatch})`, stroke: '#ffffff', 'stroke-width': 1 }),
      ),
      label: `masked cells (${masked.length})`,
    });
  }
  if (o.truthBox) {
    const r = frameRect(frame, o.truthBox);
    parts.push(
      el(
        'g',
        { class: 'truth-box' },
        el('rect', { ...r, fill: 'none', stroke: '#ffffff', 'stroke-width': 3.4, 'stroke-opacity': 0.85 }),
        el('rect', { ...r, fill: 'none', stroke: INK.truth, 'stroke-width': 1.8, 'stroke-dasharray': '4 2.5' }),
      ),
    );
    legend.push({
      swatch: el('rect', { x: 1, y: 1, width: 12, height: 8, fill: 'none', stroke: INK.truth, 'stroke-width': 1.8, 'stroke-dasharray': '4 2.5' }),
      label: 'true box',
    });
  }
  if (o.box) {
    parts.push(haloRect(frameRect(frame, o.box), INK.highlight, 1.8, { class: 'crop-box' }));
    legend.push({ swatch: el('rect', { x: 1, y: 1, width: 12, height: 8, fill: 'none', stroke: INK.highlight, 'stroke-width': 1.8 }), label: 'crop box' });
  }
  parts.push(el('rect', { x: left, y: top, width: spanW, height: spanH, fill: 'none', stroke: INK.axis, 'stroke-width': 0.6 }));

  if (o.colorbar) {
    parts.push(colorbar({ x: left + spanW + GAP, y: top, barWidth: BAR, height: spanH, cmap, domain, label: o.colorbarLabel, gradientId: id('cbar') }));
  }
  let bottom = top + spanH;
  if (legend.length > 0) {
    const row = legendRow(left, bottom + 6, legend);
    parts.push(row.svg);
    bottom += 6 + row.height;
  }
  return svgDocument({ width, height: bottom + MARGIN, title: o.title ?? 'Attention map over the image', fontFamily: FONT_SANS }, ...parts);
}
