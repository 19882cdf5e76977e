/**
 * windowLayout against transformers' get_window_index (v4.49+). The expected values were worked out
 * by hand from HF's code and confirmed with a NumPy transcription of it (pad, permute, drop -100,
 * cumsum, unique_consecutive).
 */
import { describe, expect, it } from 'vitest';
import { windowLayout, windowSide } from './windows.ts';

const range = (a: number, b: number) => Array.from({ length: b - a }, (_, i) => a + i);
const repeat = (v: number, n: number) => new Array<number>(n).fill(v);

describe('windowLayout (Qwen2.5-VL get_window_index)', () => {
  it('uses window_size // merge // patch units per window side', () => {
    expect(windowSide(112, 2, 14)).toBe(4);
    expect(windowSide(56, 2, 14)).toBe(2);
    expect(() => windowSide(20, 2, 14)).toThrow(/smaller than one merged token/);
  });

  it('cuts a 6x10-unit image (12x20 patches) into 4x4-unit windows, smaller at the bottom and right edges', () => {
    const l = windowLayout([{ t: 1, h: 12, w: 20 }], 2, 14, 112);
    // Row of windows 0: units of rows 0-3; columns 0-3, 4-7, 8-9 (unit id = row * 10 + column).
    expect(l.windowIndex.slice(0, 16)).toEqual([0, 1, 2, 3, 10, 11, 12, 13, 20, 21, 22, 23, 30, 31, 32, 33]);
    expect(l.windowIndex.slice(32, 40)).toEqual([8, 9, 18, 19, 28, 29, 38, 39]);
    // Row of windows 1: rows 4-5 only (the rest is padding).
    expect(l.windowIndex.slice(40)).toEqual([40, 41, 42, 43, 50, 51, 52, 53, 44, 45, 46, 47, 54, 55, 56, 57, 48, 49, 58, 59]);
    expect(l.cuWindowSeqlens).toEqual([0, 64, 128, 160, 192, 224, 240]);
    expect(l.windowSegment).toEqual([...repeat(0, 64), ...repeat(1, 64), ...repeat(2, 32), ...repeat(3, 32), ...repeat(4, 32), ...repeat(5, 16)]);
    expect(l.reverseIndex.slice(0, 12)).toEqual([0, 1, 2, 3, 16, 17, 18, 19, 32, 33, 4, 5]);
  });

  it('pads a whole window row and column when the unit grid is already a multiple of the side; unique_consecutive drops the empty windows', () => {
    const l = windowLayout([{ t: 1, h: 8, w: 8 }], 2, 14, 112);
    expect(l.windowIndex).toEqual(range(0, 16));
    expect(l.cuWindowSeqlens).toEqual([0, 64]);
    expect(l.windowSegment).toEqual(repeat(0, 64));
  });

  it('numbers units and windows across images of different sizes', () => {
    // 2x3 units and 4x2 units, 2x2-unit windows: [0 1 | 2], [3 4 | 5]; then three windows of the second.
    const l = windowLayout(
      [
        { t: 1, h: 4, w: 6 },
        { t: 1, h: 8, w: 4 },
      ],
      2,
      14,
      56,
    );
    expect(l.windowIndex).toEqual([0, 1, 3, 4, 2, 5, 6, 7, 8, 9, 10, 11, 12, 13]);
    expect(l.cuWindowSeqlens).toEqual([0, 16, 24, 40, 56]);
    expect(l.windowSegment).toEqual([...repeat(0, 16), ...repeat(1, 8), ...repeat(2, 16), ...repeat(3, 16)]);
    expect(l.reverseIndex).toEqual([0, 1, 4, 2, 3, 5, 6, 7, 8, 9, 10, 11, 12, 13]);
  });

  it('keeps frames apart: every frame has its own windows', () => {
    const l = windowLayout([{ t: 2, h: 4, w: 4 }], 2, 14, 56);
    expect(l.windowIndex).toEqual(range(0, 8));
    expect(l.cuWindowSeqlens).toEqual([0, 16, 32]);
    expect(l.windowSegment).toEqual([...repeat(0, 16), ...repeat(1, 16)]);
  });

  it('is a permutation with its inverse, constant within each merge group', () => {
    const l = windowLayout(
      [
        { t: 1, h: 10, w: 14 },
        { t: 1, h: 6, w: 2 },
        { t: 1, h: 16, w: 16 },
      ],
      2,
      14,
      112,
    );
    const units = 5 * 7 + 3 * 1 + 8 * 8;
    expect([...l.windowIndex].sort((a, b) => a - b)).toEqual(range(0, units));
    l.windowIndex.forEach((u, i) => expect(l.reverseIndex[u]).toBe(i));
    expect(l.windowSegment.length).toBe(units * 4);
    for (let u = 0; u < units; u++) expect(new Set(l.windowSegment.slice(u * 4, u * 4 + 4)).size).toBe(1);
    expect(l.cuWindowSeqlens[l.cuWindowSeqlens.length - 1]).toBe(units * 4);
  });
});
