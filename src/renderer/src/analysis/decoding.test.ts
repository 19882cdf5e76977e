import { describe, expect, it } from 'vitest';
import { decodingRows, formatLogit, type JsonStep } from './decoding.ts';

describe('decoding table', () => {
  it('writes logits with two decimals and a true minus sign, and non-finite ones as symbols', () => {
    expect(formatLogit(3.14159)).toBe('3.14');
    expect(formatLogit(-2.5)).toBe('\u22122.50');
    expect(formatLogit('-Infinity')).toBe('−∞');
    expect(formatLogit('Infinity')).toBe('+∞');
    expect(formatLogit('NaN')).toBe('NaN');
    expect(formatLogit(null)).toBe('');
  });

  const step = (token: number, cands: [number, number | string, number | string | null, number | string][]): JsonStep => ({
    token,
    text: `w${token}`,
    candidates: cands.map(([t, positive, negative, fused]) => ({ token: t, text: `w${t}`, positive, negative, fused }) as JsonStep['candidates'][number]),
  });

  it('orders candidates by fused score, puts -Infinity last and keeps the chosen token in view', () => {
    const rows = decodingRows(
      [
        step(7, [
          [5, 4, 1, 7],
          [6, 3, 3, 3],
          [7, 2, 2, '-Infinity'],
          [8, 1, 0, 2],
        ]),
      ],
      2,
    );
    expect(rows[0].candidates.map((c) => c.token)).toEqual([5, 7]);
    expect(rows[0].candidates.find((c) => c.chosen)?.token).toBe(7);
  });

  it('flags a step where z+ alone would have picked another token', () => {
    const rows = decodingRows(
      [
        step(5, [
          [5, 2, -1, 5],
          [6, 3, 3, 3],
        ]),
        step(9, [
          [9, 4, 0, 8],
          [2, 1, 1, 1],
        ]),
      ],
      3,
    );
    expect(rows.map((r) => r.flipped)).toEqual([true, false]);
    // numbered from 1, as the exported decoding table (common/figures) numbers them
    expect(rows.map((r) => r.step)).toEqual([1, 2]);
  });
});
