/**
 * Figure: every image the model got (I, the crop I+, mask(I), VAT's contrast image I-, VCD's noised
 * image), side by side as the encoder got them, each with the attention the model paid to it laid
 * on its own grid (the grid tiles the encoder's input evenly, whatever its shape), each on its own
 * colour scale, with what it is, its size and grid, and the rule that made it underneath. The same
 * panels serve the app's Compare view (common/laser/compare-panels.ts): runs side by side, each on
 * the image its model got, on one colour scale given as each panel's domain, with one colour bar.
 */
import { colorDomain, viridis, type Colormap } from './colormap.ts';
import { framedImage, heatmapCells, heatmapSmooth, type FigureBox, type ImageFrame, type ImageRef } from './heatmap.ts';
import { MARGIN, colorbar, colorbarExtent, titleBlock } from './parts.ts';
import { el, idMaker, svgDocument, text, type Svg } from './svg.ts';
import { FONT_SANS, INK, TYPE, sansMeasure, wrapText } from './text.ts';
import type { Upsampling } from './upsample.ts';

export interface InputPanel {
  /** The picture as the encoder got it. */
  image: ImageRef;
  /** Its token grid [rows, cols]. */
  grid: readonly [number, number];
  /** Attention per cell, row-major; null: the picture alone (the input was not fed, or none is recorded). */
  values: ArrayLike<number> | null;
  /** What it is, e.g. "I+ · the crop". */
  label: string;
  /** Lines under the label: size and grid, the rule that made it. */
  lines: readonly string[];
  /** The colour range of its values; default their own (colorDomain). */
  domain?: readonly [number, number];
}

export interface ModelInputsInput {
  panels: readonly InputPanel[];
  title?: string;
  subtitle?: string;
  opacity?: number;
  colormap?: Colormap;
  /** How each panel's map is drawn: its cells as they are ('nearest', the default), or upsampled smooth as finer vector cells (heatmapSmooth). */
  smooth?: Upsampling;
  /** Figure width in px; default 700. */
  width?: number;
  idPrefix?: string;
  /** A colour bar at the right, for panels on one shared domain. */
  colorbar?: { domain: readonly [number, number]; label?: string };
  /** The document's <title> when there is no title; default "What the model got". */
  name?: string;
}

const GAP = 10;
const MAX_SIDE = 200;

/** The grid's cells on the picture, in the picture's pixels. */
export function gridCells(width: number, height: number, [rows, cols]: readonly [number, number]): FigureBox[] {
  const out: FigureBox[] = [];
  for (let r = 0; r < rows; r++)
    for (let c = 0; c < cols; c++) out.push([(c * width) / cols, (r * height) / rows, ((c + 1) * width) / cols, ((r + 1) * height) / rows]);
  return out;
}

export function modelInputsSvg(o: ModelInputsInput): string {
  const n = o.panels.length;
  if (n === 0) throw new RangeError('modelInputsSvg needs at least one input.');
  const width = o.width ?? 700;
  const id = idMaker(o.idPrefix ?? 'inputs');
  const cmap = o.colormap ?? viridis;
  const bar = o.colorbar;
  const barSide = bar ? 10 + 10 + colorbarExtent({ domain: bar.domain, label: bar.label, height: MAX_SIDE }) : 0;
  const side = Math.min(MAX_SIDE, (width - 2 * MARGIN - barSide - (n - 1) * GAP) / n);
  // with a bar: the bar right after the last panel, and the figure no wider than its panels and bar
  const barX = MARGIN + n * side + (n - 1) * GAP + 10;
  const drawnWidth = bar ? Math.min(width, barX - 10 + barSide + MARGIN) : width;
  const head = titleBlock(MARGIN, MARGIN, drawnWidth - 2 * MARGIN, o.title, o.subtitle);
  const top = MARGIN + head.height;
  const labelMeasure = sansMeasure(TYPE.label, 'bold');
  const lineMeasure = sansMeasure(TYPE.small);
  const parts: Svg[] = [head.svg];
  let bottom = top;
  o.panels.forEach((p, i) => {
    const [rows, cols] = p.grid;
    if (p.values && p.values.length !== rows * cols) throw new RangeError(`modelInputsSvg, ${p.label}: ${p.values.length} values for a ${rows}x${cols} grid.`);
    const scale = Math.min(side / p.image.width, side / p.image.height);
    const w = p.image.width * scale;
    const h = p.image.height * scale;
    const x0 = MARGIN + i * (side + GAP);
    const frame: ImageFrame = { x: x0 + (side - w) / 2, y: top + (side - h) / 2, scale };
    const clip = id('clip');
    const panel: Svg[] = [framedImage(frame, p.image, clip)];
    if (p.values) {
      const cells = gridCells(p.image.width, p.image.height, p.grid);
      const domain = p.domain ?? colorDomain(Array.from(p.values), cmap);
      const smooth = o.smooth ?? 'nearest';
      panel.push(
        smooth === 'nearest'
          ? heatmapCells(frame, cells, p.values, cmap, domain, o.opacity ?? 0.6, clip)
          : heatmapSmooth(frame, cells, p.grid, p.values, smooth, cmap, domain, o.opacity ?? 0.6, clip),
      );
    }
    panel.push(el('rect', { x: frame.x, y: frame.y, width: w, height: h, fill: 'none', stroke: INK.axis, 'stroke-width': 0.5 }));
    let y = top + side + 4 + TYPE.label;
    for (const line of wrapText(p.label, side, labelMeasure, 2)) {
      panel.push(el('text', { x: x0, y, 'font-size': TYPE.label, 'font-weight': 'bold', fill: INK.text }, text(line)));
      y += TYPE.label + 2;
    }
    for (const l of p.lines) {
      for (const line of wrapText(l, side, lineMeasure, 3)) {
        panel.push(el('text', { x: x0, y, 'font-size': TYPE.small, fill: INK.muted }, text(line)));
        y += TYPE.small + 2;
      }
    }
    bottom = Math.max(bottom, y);
    parts.push(el('g', { class: 'input', 'data-grid': `${rows}x${cols}` }, ...panel));
  });
  if (bar) parts.push(colorbar({ x: barX, y: top, barWidth: 10, height: side, cmap, domain: bar.domain, label: bar.label, gradientId: id('cbar') }));
  return svgDocument({ width: drawnWidth, height: bottom + MARGIN, title: o.title ?? o.name ?? 'What the model got', fontFamily: FONT_SANS }, ...parts);
}
