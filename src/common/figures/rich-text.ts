/** Text with superscripts (z⁺, z⁻) drawn as raised tspans, which every SVG renderer supports, rather than Unicode superscript glyphs, which many fonts lack. */
import { el, text, type Attrs, type Svg } from './svg.ts';
import { textWidth, type Weight } from './text.ts';

export type Run = string | { sup: string };

const SUP_SCALE = 0.72;
const SUP_RISE = 0.38;

/**
 * One <text> element; `attrs` carries position, size and anchor. Spaces at the ends of a run
 * become a dx on the next span: renderers drop them otherwise (librsvg drops even no-break spaces
 * there), and xml:space is deprecated.
 */
export function richText(runs: readonly Run[], size: number, attrs: Attrs): Svg {
  let raised = false;
  let pending = 0;
  const space = textWidth(' ', size);
  const spans: Svg[] = [];
  for (const r of runs) {
    const raw = typeof r === 'string' ? r : r.sup;
    const lead = raw.length - raw.trimStart().length;
    const trail = raw.trimStart().length - raw.trim().length;
    const body = raw.trim();
    const dx = pending + lead * space;
    pending = trail * space;
    if (body === '') {
      pending += dx;
      continue;
    }
    let dy: number | undefined;
    if (typeof r === 'string') {
      dy = raised ? size * SUP_RISE : undefined;
      raised = false;
    } else {
      dy = raised ? undefined : -size * SUP_RISE;
      raised = true;
    }
    spans.push(el('tspan', { dx: dx > 0 ? dx : undefined, dy, 'font-size': typeof r === 'string' ? undefined : size * SUP_SCALE }, text(body)));
  }
  return el('text', { 'font-size': size, ...attrs }, ...spans);
}

export function richTextWidth(runs: readonly Run[], size: number, weight: Weight = 'normal'): number {
  return runs.reduce((w, r) => w + (typeof r === 'string' ? textWidth(r, size, weight) : textWidth(r.sup, size * SUP_SCALE, weight)), 0);
}
