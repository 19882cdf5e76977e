import { describe, it, expect } from 'vitest';
import { fullImageMapping } from './grid.ts';
import { blurRadiusFor, cropImage, fillRects, fillSpec, pixelImage, rectPixelSpan } from './pixels.ts';

describe('rectPixelSpan', () => {
  it('covers every pixel a fractional rectangle touches, clipped to the image', () => {
    expect(rectPixelSpan([1.5, -2, 3.2, 2], { width: 10, height: 10 })).toEqual([1, 0, 4, 2]);
    expect(rectPixelSpan([8, 8, 14, 14], { width: 10, height: 10 })).toEqual([8, 8, 10, 10]);
  });

  it('is empty for a rectangle wholly outside the image', () => {
    const [x0, , x1] = rectPixelSpan([-5, 0, -1, 3], { width: 10, height: 10 });
    expect(x1 - x0).toBe(0);
  });
});

describe('cropImage', () => {
  it('copies the box rows, channels interleaved', () => {
    const img = pixelImage(3, 2, 2, Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]));
    expect(Array.from(cropImage(img, [1, 0, 3, 2]).data)).toEqual([3, 4, 5, 6, 9, 10, 11, 12]);
  });

  it('refuses a box outside the image', () => {
    const img = pixelImage(3, 2, 1, new Uint8Array(6));
    expect(() => cropImage(img, [0, 0, 4, 2])).toThrow(/inside 3x2/);
  });
});

describe('fillRects', () => {
  it('fills with a constant colour, rounding it for 8-bit images, and leaves the input untouched', () => {
    const img = pixelImage(2, 2, 3, new Uint8Array(12).fill(9));
    const out = fillRects(img, [[0, 0, 1, 1]], fillSpec('mean', 3, [122.77, 116.75, 104.09], 1));
    expect(Array.from(out.data.slice(0, 6))).toEqual([123, 117, 104, 9, 9, 9]);
    expect(img.data[0]).toBe(9);
  });

  it('keeps exact fill values for float images', () => {
    const img = pixelImage(1, 1, 1, new Float32Array(1));
    expect(fillRects(img, [[0, 0, 1, 1]], fillSpec('gray127', 1, [0], 1)).data[0]).toBe(127);
  });

  it('replaces pixels with the box-blurred original for fill = blur', () => {
    // 3x1 image 0, 90, 0; radius 1 around the middle pixel: (0 + 90 + 0) / 3 = 30.
    const img = pixelImage(3, 1, 1, Uint8Array.from([0, 90, 0]));
    expect(Array.from(fillRects(img, [[1, 0, 2, 1]], { kind: 'blur', radius: 1 }).data)).toEqual([0, 30, 0]);
    // At the border the window is clipped: (0 + 90) / 2 = 45.
    expect(Array.from(fillRects(img, [[0, 0, 1, 1]], { kind: 'blur', radius: 1 }).data)).toEqual([45, 90, 0]);
  });
});

describe('blurRadiusFor', () => {
  it('is the larger cell side, rounded up', () => {
    expect(blurRadiusFor(fullImageMapping({ gh: 24, gw: 24 }, { width: 1000, height: 500 }))).toBe(42);
  });
});
