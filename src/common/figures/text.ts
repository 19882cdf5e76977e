/**
 * Typography shared by every figure, and text measurement without a DOM.
 *
 * The sans-serif stack lists only faces with Helvetica's metrics (Arial and Liberation Sans were
 * drawn to match its advance widths), so the layout computed here from Helvetica's widths holds in
 * a browser on macOS or Windows, in Inkscape or Illustrator, and in the PNG that librsvg renders on
 * Linux, where fontconfig maps Helvetica and Arial to Liberation Sans. Sizes are fixed CSS pixels:
 * a figure drawn 336 px wide is a 3.5 in column at 96 px/in, where 11 px text prints at 8.25 pt.
 */

import { MONO_BOLD_WIDTHS, MONO_WIDTHS, SANS_BOLD_WIDTHS, SANS_WIDTHS } from './liberation-widths.ts';

export const FONT_SANS = 'Helvetica, Arial, Liberation Sans, Nimbus Sans, sans-serif';
export const FONT_MONO = 'DejaVu Sans Mono, Menlo, Consolas, Liberation Mono, monospace';

/** Font sizes in px. */
export const TYPE = {
  title: 12,
  label: 11,
  tick: 10,
  small: 9,
} as const;

/** Colours. Highlights use Okabe & Ito's vermillion, which no sequential map here contains and which colour-blind readers tell from blue. */
export const INK = {
  text: '#1a1a1a',
  muted: '#5f5f5f',
  axis: '#3c3c3c',
  grid: '#e4e4e4',
  band: '#f3f3f3',
  line: '#0072B2',
  highlight: '#D55E00',
  reference: '#7a7a7a',
  /** Ground truth (a target's true box): Okabe & Ito's bluish green, apart from the highlight's vermillion. */
  truth: '#009E73',
} as const;

/** Okabe & Ito's colour-blind-safe palette (black left out), for categories such as methods. */
export const CATEGORICAL = ['#D55E00', '#0072B2', '#009E73', '#E69F00', '#CC79A7', '#56B4E9', '#F0E442', '#000000'] as const;

/**
 * Advance widths in 1/1000 em for U+0020..U+007E: Adobe's Helvetica and Helvetica-Bold AFM files
 * (Core 14 fonts), which Arial and Liberation Sans reproduce.
 */
// prettier-ignore
const HELVETICA = [
  278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278,
  556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556,
  1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, 722, 778,
  667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469, 556,
  333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556,
  556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584,
];
// prettier-ignore
const HELVETICA_BOLD = [
  278, 333, 474, 556, 556, 889, 722, 238, 333, 333, 389, 584, 278, 333, 278, 278,
  556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 333, 333, 584, 584, 584, 611,
  975, 722, 722, 722, 722, 667, 611, 778, 722, 278, 556, 722, 611, 833, 722, 778,
  667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 333, 278, 333, 584, 556,
  333, 556, 611, 556, 611, 556, 333, 611, 611, 278, 278, 556, 278, 889, 611, 611,
  611, 611, 389, 556, 333, 611, 556, 778, 556, 556, 500, 389, 280, 389, 584,
];

/** A widths table of liberation-widths.ts as code point → width. */
function widthTable(runs: string): Map<number, number> {
  const out = new Map<number, number>();
  for (const segment of runs.split(' ')) {
    const [start, widths] = segment.split(':');
    if (start === undefined || widths === undefined) continue;
    let cp = parseInt(start, 16);
    for (const part of widths.split(',')) {
      const [w, n = '1'] = part.split('*');
      for (let k = 0; k < Number(n); k++) out.set(cp++, Number(w));
    }
  }
  return out;
}

const tables = new Map<string, Map<number, number>>();
const RUNS = { normal: SANS_WIDTHS, bold: SANS_BOLD_WIDTHS, mono: MONO_WIDTHS, monoBold: MONO_BOLD_WIDTHS } as const;

/** The widths beyond ASCII of one Liberation face, read when first measured with. */
function liberation(face: keyof typeof RUNS): Map<number, number> {
  let t = tables.get(face);
  if (!t) {
    t = widthTable(RUNS[face]);
    tables.set(face, t);
  }
  return t;
}

/** Wide scripts (CJK, Hangul, fullwidth forms, most emoji) take a full em. */
function isWide(cp: number): boolean {
  return (
    (cp >= 0x1100 && cp <= 0x115f) ||
    (cp >= 0x2e80 && cp <= 0xa4cf) ||
    (cp >= 0xac00 && cp <= 0xd7a3) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0xfe30 && cp <= 0xfe4f) ||
    (cp >= 0xff00 && cp <= 0xff60) ||
    (cp >= 0xffe0 && cp <= 0xffe6) ||
    (cp >= 0x1f300 && cp <= 0x1faff) ||
    (cp >= 0x20000 && cp <= 0x3fffd)
  );
}

/** Combining marks and zero-width characters take no space. */
function isZeroWidth(cp: number): boolean {
  return (cp >= 0x0300 && cp <= 0x036f) || (cp >= 0x200b && cp <= 0x200f) || cp === 0xfeff;
}

export type Weight = 'normal' | 'bold';

/**
 * Advance width, in px, of `s` in the sans-serif stack: Helvetica's for ASCII, Liberation Sans'
 * (Arial's) for every other character it has (liberation-widths.ts), which are the widths the PDF
 * draws with; other characters are estimated: wide scripts 1 em, combining marks 0, the rest 0.6 em.
 */
export function textWidth(s: string, size: number, weight: Weight = 'normal'): number {
  const table = weight === 'bold' ? HELVETICA_BOLD : HELVETICA;
  const beyond = liberation(weight);
  let units = 0;
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    const known = cp >= 0x20 && cp <= 0x7e ? table[cp - 0x20] : beyond.get(cp);
    if (known !== undefined) units += known;
    else if (isZeroWidth(cp)) continue;
    else if (isWide(cp)) units += 1000;
    else units += 600;
  }
  return (units * size) / 1000;
}

/**
 * Width, in px, of `s` in the monospace stack: 0.6 em a character, and Liberation Mono's own width
 * (0 for combining marks) for every character it has; others: wide scripts 1.2 em, combining marks 0.
 */
export function monoWidth(s: string, size: number, weight: Weight = 'normal'): number {
  const beyond = liberation(weight === 'bold' ? 'monoBold' : 'mono');
  let units = 0;
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    const known = cp >= 0x20 && cp <= 0x7e ? 600 : beyond.get(cp);
    if (known !== undefined) units += known;
    else if (isZeroWidth(cp)) continue;
    else units += isWide(cp) ? 1200 : 600;
  }
  return (units * size) / 1000;
}

export type Measure = (s: string) => number;

export function sansMeasure(size: number, weight: Weight = 'normal'): Measure {
  return (s) => textWidth(s, size, weight);
}

export function monoMeasure(size: number): Measure {
  return (s) => monoWidth(s, size);
}

const ELLIPSIS = '\u2026';

/** `s`, or its longest prefix that fits with an ellipsis appended. */
export function fitText(s: string, maxWidth: number, measure: Measure): string {
  if (measure(s) <= maxWidth) return s;
  const chars = Array.from(s);
  let lo = 0;
  let hi = chars.length;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (measure(chars.slice(0, mid).join('').trimEnd() + ELLIPSIS) <= maxWidth) lo = mid;
    else hi = mid - 1;
  }
  return lo === 0 ? (measure(ELLIPSIS) <= maxWidth ? ELLIPSIS : '') : chars.slice(0, lo).join('').trimEnd() + ELLIPSIS;
}

/**
 * Greedy word wrap into at most `maxLines` lines; if text is left over, the last line ends in an
 * ellipsis. A single word wider than the line is cut.
 */
export function wrapText(s: string, maxWidth: number, measure: Measure, maxLines: number): string[] {
  const words = s
    .trim()
    .split(/\s+/)
    .filter((w) => w !== '');
  const lines: string[] = [];
  let line = '';
  const overflow = (): string[] => {
    lines[maxLines - 1] = fitText(lines[maxLines - 1] + ELLIPSIS, maxWidth, measure);
    return lines;
  };
  for (const word of words) {
    const candidate = line === '' ? word : `${line} ${word}`;
    if (measure(candidate) <= maxWidth) {
      line = candidate;
      continue;
    }
    if (line !== '') lines.push(line);
    if (lines.length === maxLines) return overflow();
    line = measure(word) <= maxWidth ? word : '';
    if (line === '') lines.push(fitText(word, maxWidth, measure));
  }
  if (line !== '') {
    if (lines.length === maxLines) return overflow();
    lines.push(line);
  }
  return lines;
}

/** A number for a label: `digits` significant figures, U+2212 for minus, ∞ for infinities. */
export function formatNumber(v: number, digits = 3): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '\u221E';
  if (v === -Infinity) return '\u2212\u221E';
  if (v === 0) return '0';
  const abs = Math.abs(v);
  let s: string;
  if (abs >= 1e-3 && abs < 1e6) {
    const decimals = Math.max(0, digits - 1 - Math.floor(Math.log10(abs)));
    s = abs.toFixed(decimals);
    if (s.includes('.')) s = s.replace(/\.?0+$/, '');
  } else {
    const exponential = abs.toExponential(digits - 1);
    const at = exponential.indexOf('e');
    const m = exponential.slice(0, at);
    const e = exponential.slice(at + 1);
    s = `${m.includes('.') ? m.replace(/\.?0+$/, '') : m}e${e.replace('+', '').replace('-', '\u2212')}`;
  }
  return v < 0 ? `\u2212${s}` : s;
}

/** A number with fixed decimals (table columns), U+2212 for minus, ∞ for infinities. */
export function formatFixed(v: number, decimals: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '\u221E';
  if (v === -Infinity) return '\u2212\u221E';
  const s = Math.abs(v).toFixed(decimals);
  const zero = Number(s) === 0;
  return v < 0 && !zero ? `\u2212${s}` : s;
}
