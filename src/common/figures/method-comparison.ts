/**
 * Figure: several methods on the same sample. A table of each method's answer and the layer its map
 * came from; with the image, each method's crop box is drawn on it in its own colour and dash, keyed
 * to the table (dashes keep the boxes apart in greyscale print too).
 */
import { frameRect, insetRect, type FigureBox, type ImageFrame, type ImageRef } from './heatmap.ts';
import { MARGIN, titleBlock } from './parts.ts';
import { el, svgDocument, text, type Svg } from './svg.ts';
import { CATEGORICAL, FONT_SANS, INK, TYPE, fitText, sansMeasure, wrapText } from './text.ts';

export interface MethodRow {
  method: string;
  answer: string;
  /** The layer the method's map came from, or null. */
  layer: number | null;
  /** The crop box in original-image pixels, or null. */
  box: FigureBox | null;
}

export interface MethodComparisonInput {
  rows: readonly MethodRow[];
  /** Draws the boxes on the image when given. */
  image?: ImageRef | null;
  title?: string;
  subtitle?: string;
  /** The method to draw in the highlight colour with a solid line, on top (e.g. 'laser'). */
  highlight?: string;
  /** Figure width in px; default 520 with an image, 336 without. */
  width?: number;
}

/** The figure's width when it shows the image (336 px without). */
export const METHODS_FIGURE_WIDTH = 520;

const DASHES = ['5 2.5', '1.5 2', '6 2 1.5 2', '3 3'] as const;
const OTHERS = CATEGORICAL.filter((c) => c !== INK.highlight);

export interface BoxStyle {
  color: string;
  dash: string | undefined;
}

/**
 * The colour and dash of each row's box: the highlighted method solid in the highlight colour, the
 * others dashed in the remaining palette colours, in row order (rows without a box take none).
 */
export function methodBoxStyles(rows: readonly MethodRow[], highlight?: string): (BoxStyle | null)[] {
  let k = 0;
  return rows.map((r) => {
    if (!r.box) return null;
    if (r.method === highlight) return { color: INK.highlight, dash: undefined };
    const color = OTHERS[k % OTHERS.length];
    const dash = DASHES[k % DASHES.length];
    if (color === undefined || dash === undefined) throw new Error('methodBoxStyles: the palette or the dash list is empty.');
    k++;
    return { color, dash };
  });
}

function boxText(b: FigureBox | null): string {
  return b === null ? '\u2014' : `[${b.map((v) => Math.round(v)).join(', ')}]`;
}

export function methodComparisonSvg(o: MethodComparisonInput): string {
  if (o.rows.length === 0) throw new RangeError('methodComparisonSvg needs at least one row.');
  const withImage = !!o.image;
  const width = o.width ?? (withImage ? METHODS_FIGURE_WIDTH : 336);
  const inner = width - 2 * MARGIN;
  const head = titleBlock(MARGIN, MARGIN, inner, o.title, o.subtitle);
  const top = MARGIN + head.height;
  const parts: (Svg | null)[] = [head.svg];
  const styles = methodBoxStyles(o.rows, o.highlight);

  let imageBottom = top;
  let tableX = MARGIN;
  if (o.image) {
    const img = o.image;
    const maxW = inner * 0.42;
    const scale = Math.min(maxW / img.width, (1.2 * maxW) / img.height);
    const frame: ImageFrame = { x: MARGIN, y: top, scale };
    const w = img.width * scale;
    const h = img.height * scale;
    parts.push(el('image', { x: frame.x, y: frame.y, width: w, height: h, 'xlink:href': img.href, preserveAspectRatio: 'none' }));
    parts.push(el('rect', { x: frame.x, y: frame.y, width: w, height: h, fill: 'none', stroke: INK.axis, 'stroke-width': 0.6 }));
    // The highlighted box last, so that it is on top.
    const order = [...o.rows.entries()].sort(([, a], [, b]) => Number(a.method === o.highlight) - Number(b.method === o.highlight));
    for (const [i, r] of order) {
      const s = styles[i];
      if (!r.box || !s) continue;
      const w = s.dash ? 1.8 : 2.2;
      parts.push(
        el('rect', {
          class: 'method-box',
          'data-method': r.method,
          ...insetRect(frameRect(frame, r.box), w / 2),
          fill: 'none',
          stroke: s.color,
          'stroke-width': w,
          'stroke-dasharray': s.dash,
        }),
      );
    }
    imageBottom = top + h;
    tableX = MARGIN + w + 14;
  }

  // Columns: [swatch] method | answer | layer | (box, without an image).
  const tableW = width - MARGIN - tableX;
  const bold = sansMeasure(TYPE.tick, 'bold');
  const normal = sansMeasure(TYPE.tick);
  const swatchW = withImage ? 20 : 0;
  const methodW = Math.min(tableW * 0.34, Math.max(bold('Method'), ...o.rows.map((r) => bold(r.method))) + 10);
  const layerW = 38;
  const boxW = withImage ? 0 : Math.max(normal('Box'), ...o.rows.map((r) => normal(boxText(r.box)))) + 8;
  const answerW = tableW - swatchW - methodW - layerW - boxW;
  const xMethod = tableX + swatchW;
  const xAnswer = xMethod + methodW;
  const xLayerRight = xAnswer + answerW + layerW - 4;
  const xBox = xAnswer + answerW + layerW + 6;

  let y = top;
  const hdr = { 'font-size': TYPE.tick, 'font-weight': 'bold', fill: INK.text };
  y += TYPE.tick;
  parts.push(
    el('text', { ...hdr, x: xMethod, y }, text('Method')),
    el('text', { ...hdr, x: xAnswer, y }, text('Answer')),
    el('text', { ...hdr, x: xLayerRight, y, 'text-anchor': 'end' }, text('Layer')),
    withImage ? null : el('text', { ...hdr, x: xBox, y }, text('Box')),
  );
  y += 5;
  parts.push(el('line', { x1: tableX, x2: width - MARGIN, y1: y, y2: y, stroke: INK.axis, 'stroke-width': 0.9 }));

  const lineH = TYPE.tick + 3;
  o.rows.forEach((r, i) => {
    const answer = r.answer.trim() === '' ? ['(empty)'] : wrapText(r.answer, answerW - 8, normal, 3);
    const rowH = Math.max(1, answer.length) * lineH + 5;
    const base = y + lineH;
    const s = styles[i];
    if (i % 2 === 1) parts.push(el('rect', { x: tableX, y: y + 0.5, width: tableW, height: rowH - 0.5, fill: INK.band }));
    if (withImage && s) {
      parts.push(
        el('line', { x1: tableX + 1, x2: tableX + 15, y1: base - 3.5, y2: base - 3.5, stroke: s.color, 'stroke-width': 2.2, 'stroke-dasharray': s.dash }),
      );
    }
    parts.push(
      el(
        'text',
        { class: 'method', x: xMethod, y: base, 'font-size': TYPE.tick, 'font-weight': 'bold', fill: r.method === o.highlight ? INK.highlight : INK.text },
        text(fitText(r.method, methodW - 6, bold)),
      ),
      el(
        'text',
        { class: 'answer', x: xAnswer, y: base, 'font-size': TYPE.tick, fill: INK.text, 'font-style': r.answer.trim() === '' ? 'italic' : undefined },
        ...answer.map((line, k) => el('tspan', { x: xAnswer, dy: k === 0 ? undefined : lineH }, text(line))),
      ),
      el(
        'text',
        { class: 'layer', x: xLayerRight, y: base, 'font-size': TYPE.tick, 'text-anchor': 'end', fill: INK.text },
        text(r.layer === null ? '\u2014' : String(r.layer)),
      ),
      withImage ? null : el('text', { class: 'box', x: xBox, y: base, 'font-size': TYPE.tick, fill: INK.text }, text(boxText(r.box))),
    );
    y += rowH;
  });
  parts.push(el('line', { x1: tableX, x2: width - MARGIN, y1: y, y2: y, stroke: INK.axis, 'stroke-width': 0.9 }));
  return svgDocument({ width, height: Math.max(y, imageBottom) + MARGIN, title: o.title ?? 'Methods compared', fontFamily: FONT_SANS }, ...parts);
}
