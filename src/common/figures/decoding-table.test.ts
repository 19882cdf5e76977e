import { describe, expect, it } from 'vitest';
import { decodingTableSvg, tokenLabel, type DecodingStep } from './decoding-table.ts';
import { byClass, parseXml, texts, textContent } from './testing/xml.ts';
import { at } from '../../../test/support/index-access.ts';

const vat: DecodingStep[] = [
  {
    token: 11,
    text: ' Red',
    candidates: [
      { token: 12, text: ' Brown', positive: 15.5, negative: 15.25, fused: 15.75 },
      { token: 11, text: ' Red', positive: 14.25, negative: 9.5, fused: 19 },
      { token: 13, text: ' <b>&', positive: 11, negative: 10.5, fused: 11.5 },
      { token: 14, text: 'x', positive: 1, negative: 0, fused: 2 },
    ],
  },
  {
    token: 2,
    text: '</s>',
    candidates: [
      { token: 2, text: '</s>', positive: 21, negative: 18, fused: 24 },
      { token: 15, text: '\n', positive: -3.5, negative: 4, fused: -Infinity },
    ],
  },
];

describe('decodingTableSvg', () => {
  const root = parseXml(decodingTableSvg(vat, { alpha: 1, title: 'Decoding' }));

  it('lists the top candidates of each step by fused score, chosen token in bold', () => {
    const tokens = byClass(root, 'token').map(textContent);
    expect(tokens).toEqual(['\u2423Red\u2020', '\u2423Brown', '\u2423<b>&', '</s>', '\u21B5']);
    const chosen = byClass(root, 'chosen');
    expect(chosen.map(textContent)).toEqual(['\u2423Red\u2020', '</s>']);
    expect(chosen.every((e) => e.attrs['font-weight'] === 'bold')).toBe(true);
  });

  it('prints z+, z- and s with two decimals, -Infinity as a minus and the infinity sign', () => {
    expect(byClass(root, 'positive').map(textContent)).toEqual(['14.25', '15.50', '11.00', '21.00', '\u22123.50']);
    expect(byClass(root, 'negative').map(textContent)).toEqual(['9.50', '15.25', '10.50', '18.00', '4.00']);
    expect(byClass(root, 'fused').map(textContent)).toEqual(['19.00', '15.75', '11.50', '24.00', '\u2212\u221E']);
  });

  it('daggers the steps where z+ alone would have picked another token, and says so', () => {
    expect(byClass(root, 'token').filter((e) => textContent(e).includes('\u2020'))).toHaveLength(1);
    // Spaces at the ends of superscript runs are drawn as offsets, not characters: compare without spaces.
    const notes = texts(root).map((t) => t.replace(/\s/g, ''));
    expect(notes).toContain('\u2020z+aloneranksanothercandidatefirst');
    expect(notes.some((t) => t.startsWith('s=(1+\u03B1)z+\u2212\u03B1z\u2212,\u03B1=1;'))).toBe(true);
  });

  it('shows one logit column for plain greedy decoding', () => {
    const greedy: DecodingStep[] = [{ token: 5, text: 'yes', candidates: [{ token: 5, text: 'yes', positive: 3, negative: null, fused: 3 }] }];
    const r = parseXml(decodingTableSvg(greedy));
    expect(texts(r)).toContain('logit');
    expect(byClass(r, 'negative')).toHaveLength(0);
    expect(byClass(r, 'fused')).toHaveLength(0);
    expect(byClass(r, 'positive').map(textContent)).toEqual(['3.00']);
  });

  it('counts the steps it leaves out, and says when nothing was generated', () => {
    const many = Array.from({ length: 5 }, () => at(vat, 1));

    expect(texts(parseXml(decodingTableSvg(many, { maxSteps: 3 })))).toContain('\u2026 2 more steps');
    expect(texts(parseXml(decodingTableSvg([])))).toContain('no tokens were generated');
  });

  it('keeps the chosen token even when it is not among the top candidates shown', () => {
    const r = parseXml(decodingTableSvg(vat, { maxCandidates: 1 }));
    expect(byClass(r, 'token').map(textContent)).toEqual(['\u2423Red\u2020', '</s>']);
  });

  it('shows spaces, line breaks and tabs in tokens', () => {
    expect(tokenLabel(' a\tb\nc')).toBe('\u2423a\u21E5b\u21B5c');
  });
});
