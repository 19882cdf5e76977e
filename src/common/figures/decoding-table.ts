/**
 * Figure: the decoding, step by step. For each generated token, the top candidates with their
 * positive logit z⁺ (the input with the evidence), negative logit z⁻ (evidence masked) and the fused
 * score s that picked the token. A dagger marks steps where z⁺ alone ranks another of the recorded
 * candidates first: the steps at which contrastive decoding changed the answer.
 */
import { MARGIN, titleBlock } from './parts.ts';
import { richText, type Run } from './rich-text.ts';
import { el, svgDocument, text, type Svg } from './svg.ts';
import { FONT_MONO, FONT_SANS, INK, TYPE, fitText, formatFixed, formatNumber, monoMeasure } from './text.ts';

export interface DecodingCandidate {
  token: number;
  text: string;
  positive: number;
  /** null when there was no negative stream (plain greedy decoding). */
  negative: number | null;
  fused: number;
}

export interface DecodingStep {
  /** The token chosen at this step. */
  token: number;
  text: string;
  candidates: readonly DecodingCandidate[];
}

export interface DecodingTableOptions {
  /** Steps shown; default 12 (the rest are counted in a last row). */
  maxSteps?: number;
  /** Candidates per step; default 3 (the chosen one is always shown). */
  maxCandidates?: number;
  /** VAT's alpha, for the footnote that defines s. */
  alpha?: number | null;
  title?: string;
  subtitle?: string;
  /** Figure width in px; default 336. */
  width?: number;
}

/** A token as it reads in a table: spaces as ␣, line breaks as ↵, tabs as ⇥. */
export function tokenLabel(s: string): string {
  return s.replace(/ /g, '\u2423').replace(/\r?\n/g, '\u21B5').replace(/\t/g, '\u21E5');
}

const ROW = 15;
const NUM_W = 54;
const T_W = 24;

interface Row {
  step: number;
  first: boolean;
  cand: DecodingCandidate;
  chosen: boolean;
  flipped: boolean;
}

/** The candidates to show for one step: the best by fused score, with the chosen token always among them. */
function shownCandidates(s: DecodingStep, k: number): DecodingCandidate[] {
  const sorted = [...s.candidates].sort((a, b) => (b.fused === a.fused ? 0 : b.fused > a.fused || Number.isNaN(a.fused) ? 1 : -1));
  const top = sorted.slice(0, k);
  const chosen = sorted.find((c) => c.token === s.token);
  if (chosen && !top.includes(chosen)) top[top.length - 1] = chosen;
  return top;
}

function argmaxPositive(cands: readonly DecodingCandidate[]): number | null {
  let best: DecodingCandidate | null = null;
  for (const c of cands) if (best === null || c.positive > best.positive) best = c;
  return best?.token ?? null;
}

export function decodingTableSvg(steps: readonly DecodingStep[], o: DecodingTableOptions = {}): string {
  const maxSteps = o.maxSteps ?? 12;
  const k = Math.max(1, o.maxCandidates ?? 3);
  const width = o.width ?? 336;
  const inner = width - 2 * MARGIN;
  const hasNegative = steps.some((s) => s.candidates.some((c) => c.negative !== null));
  const hasFused = hasNegative || steps.some((s) => s.candidates.some((c) => c.fused !== c.positive));

  const rows: Row[] = [];
  let anyFlip = false;
  steps.slice(0, maxSteps).forEach((s, i) => {
    const cands = shownCandidates(s, k);
    const flipped = hasFused && argmaxPositive(s.candidates) !== s.token;
    anyFlip ||= flipped;
    cands.forEach((c, j) => rows.push({ step: i + 1, first: j === 0, cand: c, chosen: c.token === s.token, flipped }));
  });

  const head = titleBlock(MARGIN, MARGIN, inner, o.title, o.subtitle);
  const numCols: { key: 'positive' | 'negative' | 'fused'; header: Run[] }[] = [{ key: 'positive', header: hasFused ? ['z', { sup: '+' }] : ['logit'] }];
  if (hasNegative) numCols.push({ key: 'negative', header: ['z', { sup: '\u2212' }] });
  if (hasFused) numCols.push({ key: 'fused', header: ['s'] });
  const tokenW = inner - T_W - numCols.length * NUM_W;
  const tokenX = MARGIN + T_W;
  const colRight = (i: number) => tokenX + tokenW + (i + 1) * NUM_W - 4;

  const parts: Svg[] = [head.svg];
  let y = MARGIN + head.height;
  const headerY = y + TYPE.label;
  const hdr = { 'font-size': TYPE.label, 'font-weight': 'bold', fill: INK.text };
  parts.push(
    el('text', { ...hdr, x: MARGIN + 2, y: headerY }, text('t')),
    el('text', { ...hdr, x: tokenX, y: headerY }, text('candidate')),
    ...numCols.map((c, i) => richText(c.header, TYPE.label, { ...hdr, x: colRight(i), y: headerY, 'text-anchor': 'end' })),
  );
  y += TYPE.label + 6;
  parts.push(el('line', { x1: MARGIN, x2: width - MARGIN, y1: y, y2: y, stroke: INK.axis, 'stroke-width': 0.9 }));
  y += 1;

  const mono = monoMeasure(TYPE.tick);
  for (const r of rows) {
    if (r.first && r.step > 1) parts.push(el('line', { x1: MARGIN, x2: width - MARGIN, y1: y, y2: y, stroke: INK.grid, 'stroke-width': 0.8 }));
    if (r.step % 2 === 0) parts.push(el('rect', { x: MARGIN, y: y + 0.5, width: inner, height: ROW - 0.5, fill: INK.band }));
    const base = y + ROW - 4;
    const ink = r.chosen ? INK.text : INK.muted;
    const weight = r.chosen ? 'bold' : undefined;
    if (r.first) parts.push(el('text', { x: MARGIN + 2, y: base, 'font-size': TYPE.tick, fill: INK.text }, text(String(r.step))));
    const dagger = r.chosen && r.flipped;
    const label = r.cand.text === '' ? '\u2205' : tokenLabel(r.cand.text);
    parts.push(
      el(
        'text',
        {
          class: r.chosen ? 'token chosen' : 'token',
          x: tokenX,
          y: base,
          'font-size': TYPE.tick,
          'font-family': FONT_MONO,
          'font-weight': weight,
          fill: r.chosen ? INK.text : INK.muted,
        },
        text(fitText(label, tokenW - 8 - (dagger ? 12 : 0), mono)),
        dagger ? el('tspan', { dx: 2, 'font-family': FONT_SANS, fill: INK.highlight, 'font-weight': 'bold' }, text('\u2020')) : null,
      ),
    );
    numCols.forEach((c, i) => {
      const v = r.cand[c.key];
      parts.push(
        el(
          'text',
          { class: `num ${c.key}`, x: colRight(i), y: base, 'font-size': TYPE.tick, 'text-anchor': 'end', 'font-weight': weight, fill: ink },
          text(v === null ? '\u2014' : formatFixed(v, 2)),
        ),
      );
    });
    y += ROW;
  }
  if (steps.length > maxSteps) {
    const more = steps.length - maxSteps;
    parts.push(
      el(
        'text',
        { x: tokenX, y: y + ROW - 4, 'font-size': TYPE.small, fill: INK.muted, 'font-style': 'italic' },
        text(`\u2026 ${more} more step${more === 1 ? '' : 's'}`),
      ),
    );
    y += ROW;
  }
  if (rows.length === 0) {
    parts.push(el('text', { x: tokenX, y: y + ROW - 4, 'font-size': TYPE.tick, fill: INK.muted, 'font-style': 'italic' }, text('no tokens were generated')));
    y += ROW;
  }
  parts.push(el('line', { x1: MARGIN, x2: width - MARGIN, y1: y + 1, y2: y + 1, stroke: INK.axis, 'stroke-width': 0.9 }));
  y += 4;

  const notes: Run[][] = [];
  if (hasNegative) {
    const a = o.alpha ?? null;
    notes.push(
      a === null
        ? ['s: fused score from z', { sup: '+' }, ' and z', { sup: '\u2212' }, '; bold: the chosen token']
        : ['s = (1 + \u03B1) z', { sup: '+' }, ' \u2212 \u03B1 z', { sup: '\u2212' }, `, \u03B1 = ${formatNumber(a, 3)}; bold: the chosen token`],
    );
  } else notes.push(['bold: the chosen token']);
  if (anyFlip) notes.push(['\u2020 z', { sup: '+' }, ' alone ranks another candidate first']);
  for (const n of notes) {
    y += TYPE.small + 4;
    parts.push(richText(n, TYPE.small, { x: MARGIN, y, fill: INK.muted }));
  }
  return svgDocument({ width, height: y + MARGIN, title: o.title ?? 'Decoding, step by step', fontFamily: FONT_SANS }, ...parts);
}
