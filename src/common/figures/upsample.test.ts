import { describe, expect, it } from 'vitest';
import { upsampleGrid } from './upsample.ts';

describe('upsampleGrid', () => {
  it('nearest keeps each cell as a block', () => {
    expect(Array.from(upsampleGrid([1, 2, 3, 4], 2, 2, 4, 2, 'nearest'))).toEqual([1, 1, 2, 2, 3, 3, 4, 4]);
  });

  it('bilinear interpolates between cell centres and holds the edge values beyond them', () => {
    // 1 x 2 grid to 4 px: centres at x = 1 and 3 of [0, 4); pixel centres at 0.5, 1.5, 2.5, 3.5
    expect(Array.from(upsampleGrid([0, 1], 1, 2, 4, 1, 'bilinear'))).toEqual([0, 0.25, 0.75, 1]);
  });

  it('bicubic reproduces a constant and a linear ramp exactly, and passes through the samples at cell centres', () => {
    const flat = upsampleGrid([5, 5, 5, 5, 5, 5], 2, 3, 9, 6, 'bicubic');
    for (const v of flat) expect(v).toBeCloseTo(5, 12);
    const ramp = upsampleGrid([0, 1, 2, 3, 4, 5], 1, 6, 6, 1, 'bicubic');
    expect(Array.from(ramp).map((v) => Math.round(v * 1e12) / 1e12)).toEqual([0, 1, 2, 3, 4, 5]);
    // at 3x, pixel 4 is the centre of cell 1
    expect(upsampleGrid([0, 1, 0, 2], 1, 4, 12, 1, 'bicubic')[4]).toBeCloseTo(1, 12);
  });

  it('works on non-square grids and refuses a grid that does not match its values', () => {
    expect(upsampleGrid([1, 2, 3, 4, 5, 6], 2, 3, 6, 4, 'bilinear')).toHaveLength(24);
    expect(() => upsampleGrid([1, 2, 3], 2, 2, 4, 4, 'bilinear')).toThrow(/3 values for a 2x2 grid/);
    expect(() => upsampleGrid([1], 1, 1, 0, 4, 'nearest')).toThrow(/positive integers/);
  });
});
