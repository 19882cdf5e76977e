/**
 * Figure: VAQ per layer (Eq. 5) as a line over the layer index, with the chosen layer marked and,
 * for reference, the fixed "magic" layer a static method would have read. Layers outside the
 * searched range (knob layerRange) are shaded.
 */
import { MARGIN, titleBlock } from './parts.ts';
import { integerTicks, linearScale, niceDomain, niceTicks, tickLabel } from './scale.ts';
import { el, group, num, svgDocument, text, type Svg } from './svg.ts';
import { FONT_SANS, INK, TYPE, formatNumber, sansMeasure, textWidth } from './text.ts';

export interface VaqCurveInput {
  vaq: readonly number[];
  /** The layer the map was read from, or null. */
  chosen: number | null;
  /** A fixed layer to mark for comparison (e.g. 14, ViCrop's layer for LLaVA-1.5-7B). */
  fixedLayerRef?: number | null;
  /** The layers the argmax ran over, inclusive; others are shaded. */
  searched?: readonly [number, number] | null;
  title?: string;
  subtitle?: string;
  xLabel?: string;
  yLabel?: string;
  /** Default 336 x 210 px. */
  width?: number;
  height?: number;
}

export interface VaqCurveLayout {
  /** Plot area. */
  left: number;
  right: number;
  top: number;
  bottom: number;
  x: (layer: number) => number;
  y: (v: number) => number;
}

function checkLayer(l: number | null | undefined, n: number, what: string): void {
  if (l === null || l === undefined) return;
  if (!Number.isInteger(l) || l < 0 || l >= n) throw new RangeError(`${what} ${l} is not a layer of the ${n} plotted.`);
}

/** Where everything goes; exported so a viewer can hit-test the same geometry. */
export function vaqCurveLayout(o: VaqCurveInput, headHeight: number): VaqCurveLayout {
  const width = o.width ?? 336;
  const height = o.height ?? 210;
  const [lo, hi] = niceDomain(Math.min(0, ...o.vaq), Math.max(...o.vaq), 4);
  const t = niceTicks(lo, hi, 4);
  const widest = Math.max(...t.values.map((v) => textWidth(tickLabel(v, t), TYPE.tick)));
  const left = MARGIN + TYPE.label * 1.3 + 4 + widest + 5;
  const right = width - MARGIN - 4;
  const top = MARGIN + headHeight + 14;
  const bottom = height - MARGIN - TYPE.label * 1.3 - TYPE.tick - 8;
  const n = o.vaq.length;
  // Half a layer of room at each end, so the first and last points do not sit on the axes.
  return { left, right, top, bottom, x: linearScale([-0.5, n - 0.5], [left, right]), y: linearScale([lo, hi], [bottom, top]) };
}

export function vaqCurveSvg(o: VaqCurveInput): string {
  const n = o.vaq.length;
  if (n === 0) throw new RangeError('vaqCurveSvg needs at least one layer.');
  for (const v of o.vaq) if (!Number.isFinite(v)) throw new RangeError(`VAQ values must be finite, got ${v}.`);
  checkLayer(o.chosen, n, 'Chosen layer');
  checkLayer(o.fixedLayerRef, n, 'Reference layer');
  if (o.searched) {
    checkLayer(o.searched[0], n, 'Searched range start');
    checkLayer(o.searched[1], n, 'Searched range end');
  }
  const width = o.width ?? 336;
  const height = o.height ?? 210;
  const head = titleBlock(MARGIN, MARGIN, width - 2 * MARGIN, o.title, o.subtitle);
  const L = vaqCurveLayout(o, head.height);
  const [lo, hi] = niceDomain(Math.min(0, ...o.vaq), Math.max(...o.vaq), 4);
  const yt = niceTicks(lo, hi, 4);
  const parts: Svg[] = [head.svg];

  if (o.searched && (o.searched[0] > 0 || o.searched[1] < n - 1)) {
    const shade = (a: number, b: number) =>
      el('rect', { class: 'unsearched', x: L.x(a - 0.5), y: L.top, width: L.x(b + 0.5) - L.x(a - 0.5), height: L.bottom - L.top, fill: INK.band });
    if (o.searched[0] > 0) parts.push(shade(0, o.searched[0] - 1));
    if (o.searched[1] < n - 1) parts.push(shade(o.searched[1] + 1, n - 1));
  }

  // Grid and y axis.
  for (const v of yt.values) {
    parts.push(
      el('line', { x1: L.left, x2: L.right, y1: L.y(v), y2: L.y(v), stroke: INK.grid, 'stroke-width': 0.8 }),
      el(
        'text',
        { class: 'y-tick', x: L.left - 5, y: L.y(v) + TYPE.tick * 0.35, 'font-size': TYPE.tick, 'text-anchor': 'end', fill: INK.text },
        text(tickLabel(v, yt)),
      ),
    );
  }
  // x axis.
  const xt = integerTicks(0, n - 1, 9);
  for (const l of xt) {
    parts.push(
      el('line', { x1: L.x(l), x2: L.x(l), y1: L.bottom, y2: L.bottom + 3, stroke: INK.axis, 'stroke-width': 0.8 }),
      el('text', { class: 'x-tick', x: L.x(l), y: L.bottom + 4 + TYPE.tick, 'font-size': TYPE.tick, 'text-anchor': 'middle', fill: INK.text }, text(String(l))),
    );
  }
  parts.push(
    el('path', { d: `M${num(L.left)} ${num(L.top)}V${num(L.bottom)}H${num(L.right)}`, fill: 'none', stroke: INK.axis, 'stroke-width': 0.8 }),
    el(
      'text',
      { x: (L.left + L.right) / 2, y: height - MARGIN - 1, 'font-size': TYPE.label, 'text-anchor': 'middle', fill: INK.text },
      text(o.xLabel ?? 'Layer'),
    ),
  );
  const yl = { x: MARGIN + TYPE.label * 0.9, y: (L.top + L.bottom) / 2 };
  parts.push(
    el(
      'text',
      { x: yl.x, y: yl.y, 'font-size': TYPE.label, 'text-anchor': 'middle', fill: INK.text, transform: `rotate(-90 ${num(yl.x)} ${num(yl.y)})` },
      text(o.yLabel ?? 'VAQ'),
    ),
  );

  // Markers behind the curve.
  const labels: { x: number; text: string; color: string; bold: boolean }[] = [];
  if (o.fixedLayerRef !== null && o.fixedLayerRef !== undefined && o.fixedLayerRef !== o.chosen) {
    const x = L.x(o.fixedLayerRef);
    parts.push(
      el('line', {
        class: 'fixed-marker',
        'data-layer': o.fixedLayerRef,
        x1: x,
        x2: x,
        y1: L.top,
        y2: L.bottom,
        stroke: INK.reference,
        'stroke-width': 1,
        'stroke-dasharray': '3 2.5',
      }),
    );
    labels.push({ x, text: `fixed ${o.fixedLayerRef}`, color: INK.muted, bold: false });
  }
  const chosenVaq = o.chosen === null ? undefined : o.vaq[o.chosen];
  if (o.chosen !== null && chosenVaq !== undefined) {
    const x = L.x(o.chosen);
    parts.push(
      el('line', { class: 'chosen-marker', 'data-layer': o.chosen, x1: x, x2: x, y1: L.top, y2: L.bottom, stroke: INK.highlight, 'stroke-width': 1.2 }),
    );
    labels.push({ x, text: `l* = ${o.chosen} \u00B7 ${formatNumber(chosenVaq, 3)}`, color: INK.highlight, bold: true });
  }

  const points = o.vaq.map((v, l) => [L.x(l), L.y(v)] as const);
  parts.push(
    el('path', {
      class: 'curve',
      d: points.map(([x, y], i) => `${i === 0 ? 'M' : 'L'}${num(x)} ${num(y)}`).join(''),
      fill: 'none',
      stroke: INK.line,
      'stroke-width': 1.5,
      'stroke-linejoin': 'round',
    }),
    group(...points.map(([x, y], l) => el('circle', { class: 'point', 'data-layer': l, cx: x, cy: y, r: n > 48 ? 1.3 : 2, fill: INK.line }))),
  );
  const chosenPoint = o.chosen === null ? undefined : points[o.chosen];
  if (chosenPoint !== undefined) {
    const [x, y] = chosenPoint;
    parts.push(el('circle', { class: 'chosen-point', cx: x, cy: y, r: 3.6, fill: INK.highlight, stroke: '#ffffff', 'stroke-width': 1.2 }));
  }
  parts.push(markerLabels(labels, L));
  return svgDocument({ width, height, title: o.title ?? 'VAQ per layer', fontFamily: FONT_SANS }, ...parts);
}

/** Marker labels above the plot, each centred on its line unless that would overlap the other or leave the plot. */
function markerLabels(labels: { x: number; text: string; color: string; bold: boolean }[], L: VaqCurveLayout): Svg {
  const placed = labels.map((l) => {
    const w = sansMeasure(TYPE.small, l.bold ? 'bold' : 'normal')(l.text);
    return { ...l, w, anchor: 'middle' as 'middle' | 'start' | 'end' };
  });
  const [a, b, ...more] = placed;
  if (a !== undefined && b !== undefined && more.length === 0) {
    if (Math.abs(a.x - b.x) < (a.w + b.w) / 2 + 6) {
      const [left, right]: [typeof a, typeof b] = a.x <= b.x ? [a, b] : [b, a];
      left.anchor = 'end';
      right.anchor = 'start';
    }
  }
  return group(
    ...placed.map((l) => {
      let anchor = l.anchor;
      if (anchor === 'middle' && l.x - l.w / 2 < L.left) anchor = 'start';
      if (anchor === 'middle' && l.x + l.w / 2 > L.right) anchor = 'end';
      const x = anchor === 'start' ? Math.max(l.x - 2, L.left) : anchor === 'end' ? Math.min(l.x + 2, L.right) : l.x;
      return el(
        'text',
        { class: 'marker-label', x, y: L.top - 4, 'font-size': TYPE.small, 'font-weight': l.bold ? 'bold' : undefined, 'text-anchor': anchor, fill: l.color },
        text(l.text),
      );
    }),
  );
}
