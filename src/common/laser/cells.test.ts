import { describe, it, expect } from 'vitest';
import { resolveCellCount, topCells } from './cells.ts';

describe('resolveCellCount', () => {
  it("reads the spec's 5.5 % of 576 tokens as 32 cells", () => {
    expect(resolveCellCount(0.055, 576)).toBe(32);
  });

  it('rounds a fraction to the nearest count, at least 1 and at most all cells', () => {
    expect(resolveCellCount(0.01, 16)).toBe(1);
    expect(resolveCellCount(0.09, 16)).toBe(1);
    expect(resolveCellCount(0.1, 16)).toBe(2);
    expect(resolveCellCount(0.999, 16)).toBe(16);
  });

  it('takes an integer >= 1 as a count, capped at the number of cells', () => {
    expect(resolveCellCount(1, 16)).toBe(1);
    expect(resolveCellCount(40, 16)).toBe(16);
  });

  it('refuses a non-integer count above 1', () => {
    expect(() => resolveCellCount(1.5, 16)).toThrow(/integer/);
  });
});

describe('topCells', () => {
  it('takes the largest cells first, ties to the lower index, and never a cell without mass', () => {
    expect(topCells([0, 0.2, 0.5, 0.2, 0.1], 3)).toEqual([2, 1, 3]);
    expect(topCells([0, 0.6, 0, 0.4], 3)).toEqual([1, 3]);
  });
});
