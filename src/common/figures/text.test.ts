import { describe, expect, it } from 'vitest';
import { fitText, formatFixed, formatNumber, monoWidth, sansMeasure, textWidth, wrapText } from './text.ts';
import { at, first } from '../../../test/support/index-access.ts';

describe('text measurement', () => {
  it('uses Helvetica advance widths', () => {
    // Digits are 556/1000 em, 'i' 222, 'W' 944; bold 'a' 556, bold 'b' 611.
    expect(textWidth('0123456789', 10)).toBeCloseTo(55.6, 10);
    expect(textWidth('iW', 10)).toBeCloseTo(11.66, 10);
    expect(textWidth('ab', 10, 'bold')).toBeCloseTo(11.67, 10);
  });

  it('gives wide scripts a full em and combining marks none', () => {
    expect(textWidth('\u732B', 10)).toBe(10);
    expect(textWidth('e\u0301', 10)).toBeCloseTo(5.56, 10);
    expect(monoWidth('ab\u732B', 10)).toBeCloseTo(24, 10);
  });

  it('fits text with an ellipsis, or leaves it alone when it fits', () => {
    const m = sansMeasure(10);
    expect(fitText('short', 100, m)).toBe('short');
    const cut = fitText('a rather long answer', 50, m);
    expect(cut.endsWith('\u2026')).toBe(true);
    expect(m(cut)).toBeLessThanOrEqual(50);
    // The longest prefix that fits: one more letter would not.
    const abc = 'abcdefghijklmnopqrstuvwxyz';
    const k = fitText(abc, 50, m).length - 1;
    expect(m(abc.slice(0, k) + '\u2026')).toBeLessThanOrEqual(50);
    expect(m(abc.slice(0, k + 1) + '\u2026')).toBeGreaterThan(50);
  });

  it('wraps words into lines, ending the last line in an ellipsis when text is left over', () => {
    const m = sansMeasure(10);
    expect(wrapText('one two three', 1000, m, 2)).toEqual(['one two three']);
    const lines = wrapText('What colour is the small ball to the left of the large red cube?', 120, m, 2);
    expect(lines).toHaveLength(2);
    for (const l of lines) expect(m(l)).toBeLessThanOrEqual(120);
    expect(lines[0]).toBe('What colour is the small');
    expect(at(lines, 1).endsWith('\u2026')).toBe(true);
    expect(wrapText('', 100, m, 2)).toEqual([]);
    expect(first(wrapText('Supercalifragilistic', 40, m, 3)).endsWith('\u2026')).toBe(true);
  });

  it('formats numbers with a true minus sign and infinity symbols', () => {
    expect(formatNumber(0.036796)).toBe('0.0368');
    expect(formatNumber(-12.345)).toBe('\u221212.3');
    expect(formatNumber(0.00012345)).toBe('1.23e\u22124');
    expect(formatNumber(-Infinity)).toBe('\u2212\u221E');
    expect(formatFixed(-Infinity, 2)).toBe('\u2212\u221E');
    expect(formatFixed(-0.001, 2)).toBe('0.00');
    expect(formatFixed(-3.14159, 2)).toBe('\u22123.14');
  });
});
