import { describe, it, expect } from 'vitest';
import { argmax, topKIndices } from './rank.ts';

describe('topKIndices', () => {
  it('orders by value, breaking ties towards the lower index', () => {
    expect(topKIndices([1, 3, 3, 2, 3], 4)).toEqual([1, 2, 4, 3]);
  });

  it('drops non-positive values when asked', () => {
    expect(topKIndices([0, 2, -1, 1], 4, { positiveOnly: true })).toEqual([1, 3]);
  });

  it('ranks NaN below every number', () => {
    expect(topKIndices([Number.NaN, -5, 1], 2)).toEqual([2, 1]);
  });

  // The selection for small k must give what sorting everything gives, ties, infinities, NaN and -0 included.
  it('selects for small k exactly what a full sort ranks first', () => {
    const bySort = (xs: readonly number[], k: number, positiveOnly: boolean): number[] =>
      xs
        .map((v, i): [number, number] => [i, Number.isNaN(v) ? -Infinity : v])
        .filter(([i]) => !positiveOnly || (xs[i] ?? 0) > 0)
        .sort(([a, ka], [b, kb]) => kb - ka || a - b)
        .slice(0, k)
        .map(([i]) => i);
    const pool = [Number.NaN, -Infinity, Infinity, 0, -0, 1, 1, 2, -3, 0.5, 2];
    let seed = 7;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (let trial = 0; trial < 300; trial++) {
      const n = Math.floor(next() * 40);
      const xs = Array.from({ length: n }, () => (next() < 0.6 ? (pool[Math.floor(next() * pool.length)] ?? 0) : Math.round(next() * 8) - 4));
      for (const k of [0, 1, 2, 5, 64, n, n + 3, 2.7]) {
        for (const positiveOnly of [false, true]) {
          expect(topKIndices(Float32Array.from(xs), k, { positiveOnly })).toEqual(bySort(Array.from(Float32Array.from(xs)), k, positiveOnly));
          expect(topKIndices(xs, k, { positiveOnly })).toEqual(bySort(xs, k, positiveOnly));
        }
      }
    }
  });

  it('sorts when k is large', () => {
    const xs = Array.from({ length: 200 }, (_, i) => (i * 37) % 11);
    expect(topKIndices(xs, 100)).toEqual(topKIndices(xs, 200).slice(0, 100));
    expect(topKIndices(xs, 100).slice(0, 60)).toEqual(topKIndices(xs, 60));
  });
});

describe('argmax', () => {
  it('returns the first of equal maxima', () => {
    expect(argmax([0, 4, 1, 4])).toBe(1);
  });

  it('returns -1 for no values', () => {
    expect(argmax([])).toBe(-1);
  });
});
