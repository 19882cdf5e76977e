/**
 * Figure: VAQ per head (Eq. 4) as a layers x heads heatmap, layer 0 at the top. The chosen layer's
 * row is bracketed and the heads its map averaged are dotted, so the figure shows which heads made
 * the layer win.
 */
import { colorDomain, contrastingInk, toHex, valueColor, viridis } from './colormap.ts';
import { MARGIN, colorbar, colorbarExtent, titleBlock, type HeatmapFigureOptions } from './parts.ts';
import { integerTicks } from './scale.ts';
import { el, group, idMaker, num, svgDocument, text, type Svg } from './svg.ts';
import { FONT_SANS, INK, TYPE, textWidth } from './text.ts';

/** Figure width default 336 px. */
export interface HeadsHeatmapInput extends HeatmapFigureOptions {
  /** [layers][heads]. */
  vaqHeads: readonly (readonly number[])[];
  chosenLayer?: number | null;
  /** Heads of the chosen layer to mark (those averaged into the map). */
  markedHeads?: readonly number[];
}

export function vaqHeadsHeatmapSvg(o: HeadsHeatmapInput): string {
  const L = o.vaqHeads.length;
  const [firstRow] = o.vaqHeads;
  if (firstRow === undefined) throw new RangeError('vaqHeadsHeatmapSvg needs at least one layer.');
  const H = firstRow.length;
  if (H === 0 || o.vaqHeads.some((r) => r.length !== H)) throw new RangeError('vaqHeadsHeatmapSvg needs rows of equal, non-zero length.');
  const chosen = o.chosenLayer ?? null;
  // undefined for anything but a layer's index (negative, fractional, too large)
  const chosenRow = chosen === null ? null : o.vaqHeads[chosen];
  if (chosenRow === undefined) throw new RangeError(`Chosen layer ${chosen} is not one of the ${L} layers.`);
  const marked = o.markedHeads ?? [];
  for (const h of marked) if (!(Number.isInteger(h) && h >= 0 && h < H)) throw new RangeError(`Marked head ${h} is not one of the ${H} heads.`);

  const cmap = o.colormap ?? viridis;
  const domain = colorDomain(o.vaqHeads.flat(), cmap);
  const width = o.width ?? 336;
  const id = idMaker(o.idPrefix ?? 'heads');
  const head = titleBlock(MARGIN, MARGIN, width - 2 * MARGIN, o.title, o.subtitle);

  const yTicks = integerTicks(0, L - 1, 9);
  const xTicks = integerTicks(0, H - 1, 9);
  const tickW = Math.max(...yTicks.map((v) => textWidth(String(v), TYPE.tick)));
  const left0 = MARGIN + TYPE.label * 1.3 + 4 + tickW + 4 + 8; // axis label, ticks, room for the row marker
  const cellFor = (side: number) => Math.min((width - MARGIN - side - left0) / H, 260 / L, 14);
  let side = 8 + 10 + colorbarExtent({ domain, label: o.colorbarLabel });
  // a label longer than the bar (the plot's height) takes a second line, which needs room of its own
  const wrapped = 8 + 10 + colorbarExtent({ domain, label: o.colorbarLabel, height: cellFor(side) * L });
  if (wrapped > side) side = wrapped;
  const maxPlotW = width - MARGIN - side - left0;
  const cell = cellFor(side);
  const plotW = cell * H;
  // Centre the plot and its colour bar when the cells are capped at their largest size.
  const left = left0 + (maxPlotW - plotW) / 2;
  const plotH = cell * L;
  const top = MARGIN + head.height + 2;
  const x = (h: number) => left + h * cell;
  const y = (l: number) => top + l * cell;

  const cells: Svg[] = [];
  for (const [l, row] of o.vaqHeads.entries()) {
    for (const [h, v] of row.entries()) {
      if (!Number.isFinite(v)) throw new RangeError(`VAQ of layer ${l}, head ${h} is ${v}.`);
      // A quarter-pixel bleed under the next cell hides anti-aliasing seams.
      cells.push(el('rect', { x: x(h), y: y(l), width: cell + 0.25, height: cell + 0.25, fill: toHex(valueColor(cmap, v, domain)) }));
    }
  }
  const parts: Svg[] = [head.svg, el('g', { class: 'cells' }, ...cells)];
  parts.push(el('rect', { x: left, y: top, width: plotW, height: plotH, fill: 'none', stroke: INK.axis, 'stroke-width': 0.6 }));

  if (chosen !== null && chosenRow !== null) {
    parts.push(
      el('rect', {
        class: 'chosen-row',
        'data-layer': chosen,
        x: left - 1,
        y: y(chosen) - 1,
        width: plotW + 2,
        height: cell + 2,
        fill: 'none',
        stroke: INK.highlight,
        'stroke-width': 1.6,
      }),
      el('path', { d: `M${num(left - 8)} ${num(y(chosen) + cell / 2 - 3.5)}l6 3.5l-6 3.5z`, fill: INK.highlight }),
    );
    const r = Math.max(1.2, Math.min(2.6, cell * 0.22));
    parts.push(
      group(
        ...marked.map((h) => {
          const v = chosenRow[h];
          if (v === undefined) throw new RangeError(`Marked head ${h} is not one of the ${H} heads.`);
          const ink = contrastingInk(valueColor(cmap, v, domain));
          return el('circle', { class: 'marked-head', 'data-head': h, cx: x(h) + cell / 2, cy: y(chosen) + cell / 2, r, fill: ink });
        }),
      ),
    );
  }

  // The chosen layer's label replaces any tick label it would collide with.
  const clash = (l: number) => chosen !== null && l !== chosen && Math.abs(l - chosen) * cell < TYPE.tick + 1;
  for (const l of yTicks.filter((t) => !clash(t))) {
    const bold = l === chosen;
    parts.push(
      el(
        'text',
        {
          class: 'y-tick',
          x: left - 11,
          y: y(l) + cell / 2 + TYPE.tick * 0.35,
          'font-size': TYPE.tick,
          'text-anchor': 'end',
          fill: bold ? INK.highlight : INK.text,
          'font-weight': bold ? 'bold' : undefined,
        },
        text(String(l)),
      ),
    );
  }
  if (chosen !== null && !yTicks.includes(chosen)) {
    parts.push(
      el(
        'text',
        {
          class: 'y-tick',
          x: left - 11,
          y: y(chosen) + cell / 2 + TYPE.tick * 0.35,
          'font-size': TYPE.tick,
          'text-anchor': 'end',
          fill: INK.highlight,
          'font-weight': 'bold',
        },
        text(String(chosen)),
      ),
    );
  }
  for (const h of xTicks) {
    parts.push(
      el(
        'text',
        { class: 'x-tick', x: x(h) + cell / 2, y: top + plotH + 4 + TYPE.tick, 'font-size': TYPE.tick, 'text-anchor': 'middle', fill: INK.text },
        text(String(h)),
      ),
    );
  }
  const bottom = top + plotH + 4 + TYPE.tick + 4 + TYPE.label;
  parts.push(el('text', { x: left + plotW / 2, y: bottom, 'font-size': TYPE.label, 'text-anchor': 'middle', fill: INK.text }, text('Head')));
  const yl = { x: left - 11 - tickW - 5 - TYPE.label * 0.4, y: top + plotH / 2 };
  parts.push(
    el(
      'text',
      { x: yl.x, y: yl.y, 'font-size': TYPE.label, 'text-anchor': 'middle', fill: INK.text, transform: `rotate(-90 ${num(yl.x)} ${num(yl.y)})` },
      text('Layer'),
    ),
  );
  parts.push(colorbar({ x: left + plotW + 8, y: top, barWidth: 10, height: plotH, cmap, domain, label: o.colorbarLabel, gradientId: id('cbar') }));

  return svgDocument({ width, height: bottom + MARGIN, title: o.title ?? 'VAQ per head', fontFamily: FONT_SANS }, ...parts);
}
