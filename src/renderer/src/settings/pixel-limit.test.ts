import { describe, expect, it } from 'vitest';
import { describePixels, parsePixelLimit } from './pixel-limit.ts';

const ceiling = 2_147_483_647;

describe('parsePixelLimit', () => {
  it('reads whole numbers, with thousands separators, and empty as the default', () => {
    expect(parsePixelLimit('200000000', ceiling)).toEqual({ ok: true, value: 200_000_000 });
    expect(parsePixelLimit(' 200,000,000 ', ceiling)).toEqual({ ok: true, value: 200_000_000 });
    expect(parsePixelLimit("1_000 000'000", ceiling)).toEqual({ ok: true, value: 1_000_000_000 });
    expect(parsePixelLimit('', ceiling)).toEqual({ ok: true, value: null });
    expect(parsePixelLimit('   ', ceiling)).toEqual({ ok: true, value: null });
  });

  it('refuses what is not a whole number of pixels in 1..ceiling, saying why', () => {
    expect(parsePixelLimit('1.5', ceiling)).toEqual({ ok: false, reason: '"1.5" is not a whole number of pixels.' });
    expect(parsePixelLimit('-5', ceiling)).toEqual({ ok: false, reason: '"-5" is not a whole number of pixels.' });
    expect(parsePixelLimit('1e9', ceiling)).toEqual({ ok: false, reason: '"1e9" is not a whole number of pixels.' });
    expect(parsePixelLimit('0', ceiling)).toEqual({ ok: false, reason: 'The limit must be at least 1 pixel.' });
    expect(parsePixelLimit('2147483648', ceiling)).toEqual({ ok: false, reason: 'The limit can be at most 2,147,483,647 pixels.' });
  });
});

describe('describePixels', () => {
  it('gives the count, megapixels and a square that fits', () => {
    expect(describePixels(100_000_000)).toBe('100,000,000 (100 megapixels, e.g. 10000 x 10000)');
    expect(describePixels(2_500_000)).toBe('2,500,000 (2.5 megapixels, e.g. 1581 x 1581)');
    expect(describePixels(5000)).toBe('5,000 (e.g. 70 x 70)');
  });
});
