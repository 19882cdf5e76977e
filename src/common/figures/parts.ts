/** Pieces several figures share: the title block, the colour bar, and a legend row. */
import { colorAt, toHex, type Colormap } from './colormap.ts';
import { linearScale, niceTicks, tickLabel } from './scale.ts';
import { el, group, num, text, type Svg } from './svg.ts';
import { INK, TYPE, sansMeasure, wrapText } from './text.ts';

export const MARGIN = 10;

/** What the colour-mapped heatmap figures (heads heatmap, layer strip) take alike. */
export interface HeatmapFigureOptions {
  colormap?: Colormap;
  title?: string;
  subtitle?: string;
  colorbarLabel?: string;
  /** Figure width in px; each figure names its default. */
  width?: number;
  /** Prefix of the document's element ids. */
  idPrefix?: string;
}

export interface Block {
  svg: Svg;
  height: number;
}

/**
 * A bold title (up to two lines) and a muted subtitle (one line), left-aligned at x, top at y;
 * height 0 when both are absent.
 */
export function titleBlock(x: number, y: number, width: number, title?: string, subtitle?: string): Block {
  const parts: Svg[] = [];
  let h = 0;
  if (title) {
    for (const line of wrapText(title, width, sansMeasure(TYPE.title, 'bold'), 2)) {
      h += TYPE.title * 1.25;
      parts.push(el('text', { x, y: y + h - 3, 'font-size': TYPE.title, 'font-weight': 'bold', fill: INK.text }, text(line)));
    }
  }
  if (subtitle) {
    for (const line of wrapText(subtitle, width, sansMeasure(TYPE.tick), 1)) {
      h += TYPE.tick * 1.35;
      parts.push(el('text', { x, y: y + h - 3, 'font-size': TYPE.tick, fill: INK.muted }, text(line)));
    }
  }
  return { svg: group(...parts), height: h === 0 ? 0 : h + 6 };
}

export interface ColorbarOptions {
  x: number;
  y: number;
  /** Bar size; the tick labels and the axis label sit to its right. */
  barWidth: number;
  height: number;
  cmap: Colormap;
  domain: readonly [number, number];
  label?: string;
  gradientId: string;
}

/**
 * The colour bar's label as drawn along a bar of `height` px: one line when it fits, else wrapped
 * onto two, the second cut with an ellipsis if even that is too long, so it never runs past the bar.
 */
export function colorbarLabelLines(label: string, height: number): string[] {
  return wrapText(label, height, sansMeasure(TYPE.small), 2);
}

/**
 * Width the tick labels and label of a colour bar need to the right of the bar; `height`: the
 * bar's, when known (a label too long for it takes a second line); one line otherwise.
 */
export function colorbarExtent(o: Pick<ColorbarOptions, 'domain' | 'label'> & { height?: number }): number {
  const t = niceTicks(o.domain[0], o.domain[1], 5);
  const measure = sansMeasure(TYPE.small);
  const widest = Math.max(0, ...t.values.map((v) => measure(tickLabel(v, t))));
  const lines = !o.label ? 0 : o.height === undefined ? 1 : colorbarLabelLines(o.label, o.height).length;
  return 3 + 3 + widest + (lines > 0 ? 4 + TYPE.small * 1.2 * lines : 0);
}

/**
 * A vertical colour bar (low at the bottom) with nice ticks. The gradient has a stop per 1/32 of
 * the map, so linear interpolation between stops stays within a fraction of an 8-bit level of the map.
 */
export function colorbar(o: ColorbarOptions): Svg {
  const stops: Svg[] = [];
  const n = 32;
  for (let i = 0; i <= n; i++) stops.push(el('stop', { offset: num(i / n, 4), 'stop-color': toHex(colorAt(o.cmap, i / n)) }));
  const y = linearScale(o.domain, [o.y + o.height, o.y]);
  // About one tick per 24 px, so that labels never crowd a short bar.
  const t = niceTicks(o.domain[0], o.domain[1], Math.max(2, Math.min(5, Math.floor(o.height / 24))));
  const right = o.x + o.barWidth;
  // a bar too short for all of them keeps the ticks a line height apart, from the low end up
  const shown: number[] = [];
  for (const v of t.values) {
    const last = shown.at(-1);
    if (last === undefined || Math.abs(y(v) - y(last)) >= TYPE.small * 1.2) shown.push(v);
  }
  const ticks = shown.map((v) =>
    el(
      'g',
      { class: 'tick' },
      el('line', { x1: right, x2: right + 3, y1: y(v), y2: y(v), stroke: INK.axis, 'stroke-width': 0.8 }),
      el('text', { x: right + 5, y: y(v) + TYPE.small * 0.35, 'font-size': TYPE.small, fill: INK.text }, text(tickLabel(v, t))),
    ),
  );
  const measure = sansMeasure(TYPE.small);
  const labelX = right + 6 + Math.max(0, ...t.values.map((v) => measure(tickLabel(v, t)))) + 4 + TYPE.small * 0.9;
  const cy = o.y + o.height / 2;
  // each line a column further right, read bottom to top along the bar
  const lines = o.label ? colorbarLabelLines(o.label, o.height) : [];
  return el(
    'g',
    { class: 'colorbar' },
    el('defs', {}, el('linearGradient', { id: o.gradientId, x1: 0, y1: 1, x2: 0, y2: 0 }, ...stops)),
    el('rect', { x: o.x, y: o.y, width: o.barWidth, height: o.height, fill: `url(#${o.gradientId})`, stroke: INK.axis, 'stroke-width': 0.6 }),
    ...ticks,
    ...lines.map((line, i) => {
      const x = labelX + i * TYPE.small * 1.2;
      return el(
        'text',
        { x, y: cy, 'font-size': TYPE.small, fill: INK.muted, 'text-anchor': 'middle', transform: `rotate(-90 ${num(x)} ${num(cy)})` },
        text(line),
      );
    }),
  );
}

export interface LegendItem {
  /** A 14 x 10 px swatch drawn at (0, 0). */
  swatch: Svg;
  label: string;
}

/** Legend items in a row from (x, y) (the row's top); height 14. */
export function legendRow(x: number, y: number, items: readonly LegendItem[]): Block {
  const measure = sansMeasure(TYPE.small);
  let cx = x;
  const parts = items.map((it) => {
    const g = el(
      'g',
      { transform: `translate(${num(cx)} ${num(y + 2)})` },
      it.swatch,
      el('text', { x: 19, y: 8.5, 'font-size': TYPE.small, fill: INK.text }, text(it.label)),
    );
    cx += 19 + measure(it.label) + 14;
    return g;
  });
  return { svg: group(...parts), height: items.length === 0 ? 0 : 14 };
}
