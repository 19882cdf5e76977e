import { describe, it, expect } from 'vitest';
import { fullImageMapping, intersectRects, rectArea, rectsOverlap, uniformCellMapping } from './grid.ts';

describe('uniformCellMapping', () => {
  it('puts token j at row j // gw, column j % gw of the rectangle', () => {
    const m = uniformCellMapping({ gh: 2, gw: 3 }, [10, -20, 40, 20]);
    expect(m.cellRect(0)).toEqual([10, -20, 20, 0]);
    expect(m.cellRect(5)).toEqual([30, 0, 40, 20]);
  });

  it('covers the whole image with fullImageMapping', () => {
    const m = fullImageMapping({ gh: 24, gw: 24 }, { width: 336, height: 336 });
    expect(m.cellRect(575)).toEqual([322, 322, 336, 336]);
  });
});

describe('rectsOverlap', () => {
  it('does not count rectangles that only touch at an edge (ends are exclusive)', () => {
    expect(rectsOverlap([0, 0, 10, 10], [10, 0, 20, 10])).toBe(false);
    expect(rectsOverlap([0, 0, 10, 10], [9.5, 0, 20, 10])).toBe(true);
  });
});

describe('intersectRects and rectArea', () => {
  it('measure the shared area, zero when disjoint', () => {
    expect(rectArea(intersectRects([0, 0, 10, 10], [5, 5, 20, 20]))).toBe(25);
    expect(rectArea(intersectRects([0, 0, 1, 1], [5, 5, 6, 6]))).toBe(0);
  });
});
