import { describe, expect, it } from 'vitest';
import { boxArea, boxContains, centredBox, clipBox, intersectBoxes, isEmptyBox, shiftBoxInside } from './box.ts';

describe('boxes', () => {
  it('treats x1 and y1 as exclusive', () => {
    expect(boxArea([2, 3, 5, 7])).toBe(12);
    expect(boxContains([2, 3, 5, 7], 4, 6)).toBe(true);
    expect(boxContains([2, 3, 5, 7], 5, 6)).toBe(false);
    expect(boxContains([2, 3, 5, 7], 4, 7)).toBe(false);
  });

  it('clips to the image and keeps empty results inside it, never inverted', () => {
    expect(clipBox([-10, -5, 20, 30], 15, 25)).toEqual([0, 0, 15, 25]);
    const left = clipBox([-30, 2, -10, 8], 100, 100);
    expect(left).toEqual([0, 2, 0, 8]);
    expect(isEmptyBox(left)).toBe(true);
    expect(clipBox([120, 2, 140, 8], 100, 100)).toEqual([100, 2, 100, 8]);
  });

  it('intersects, with disjoint boxes giving an empty box', () => {
    expect(intersectBoxes([0, 0, 10, 10], [5, 5, 20, 20])).toEqual([5, 5, 10, 10]);
    expect(boxArea(intersectBoxes([0, 0, 10, 10], [12, 0, 20, 10]))).toBe(0);
  });

  it('shifts a box inside the image without changing its size', () => {
    expect(shiftBoxInside([-20, 10, 80, 60], 500, 375)).toEqual([0, 10, 100, 60]);
    expect(shiftBoxInside([450, 340, 550, 400], 500, 375)).toEqual([400, 315, 500, 375]);
    expect(shiftBoxInside([10, 10, 50, 50], 500, 375)).toEqual([10, 10, 50, 50]);
    // wider than the image: centred (floor), the overhang split evenly
    expect(shiftBoxInside([0, 0, 103, 10], 100, 100)).toEqual([-2, 0, 101, 10]);
  });

  it('centres a box of a given size on a point', () => {
    expect(centredBox(250, 188, 250, 224)).toEqual([125, 76, 375, 300]);
  });
});
