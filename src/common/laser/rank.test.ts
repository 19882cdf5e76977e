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
});

describe('argmax', () => {
  it('returns the first of equal maxima', () => {
    expect(argmax([0, 4, 1, 4])).toBe(1);
  });

  it('returns -1 for no values', () => {
    expect(argmax([])).toBe(-1);
  });
});
