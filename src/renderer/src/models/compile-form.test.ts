import { describe, expect, it } from 'vitest';
import { compileRequestOf, compileSummary, DEFAULT_COMPILE_FIELDS } from './compile-form.ts';

describe('the compile options form', () => {
  it('makes the request laser compile would, quantisation only for int8/int4', () => {
    expect(compileRequestOf(DEFAULT_COMPILE_FIELDS)).toEqual({ ok: true, request: { dtype: 'fp32', imageMode: 'pad' } });
    const int8 = compileRequestOf({ ...DEFAULT_COMPILE_FIELDS, dtype: 'int8', blockSize: 64, vision: true, minPixels: ' 3136 ' });
    expect(int8).toEqual({
      ok: true,
      request: {
        dtype: 'int8',
        imageMode: 'pad',
        quantize: { blockSize: 64, symmetric: true, accuracyLevel: 4, lmHead: true, embeddings: true, vision: true },
        minPixels: 3136,
      },
    });
    expect(compileRequestOf({ ...DEFAULT_COMPILE_FIELDS, dtype: 'fp16', blockSize: 128 })).toEqual({ ok: true, request: { dtype: 'fp16', imageMode: 'pad' } });
  });

  it("refuses what the contract refuses, with the contract's message on the field", () => {
    const swapped = compileRequestOf({ ...DEFAULT_COMPILE_FIELDS, minPixels: '5000', maxPixels: '4000' });
    expect(swapped).toEqual({ ok: false, errors: { minPixels: 'minPixels (5000) is larger than maxPixels (4000)' } });
    const notWhole = compileRequestOf({ ...DEFAULT_COMPILE_FIELDS, maxPixels: '12.5' });
    expect(notWhole.ok).toBe(false);
    if (!notWhole.ok) expect(notWhole.errors.maxPixels).toMatch(/int/i);
    const text = compileRequestOf({ ...DEFAULT_COMPILE_FIELDS, minPixels: 'many' });
    expect(text.ok).toBe(false);
    if (!text.ok) expect(Object.keys(text.errors)).toEqual(['minPixels']);
    const negative = compileRequestOf({ ...DEFAULT_COMPILE_FIELDS, minPixels: '-1' });
    expect(negative.ok).toBe(false);
  });

  it('sums the options up in a few words', () => {
    expect(compileSummary(DEFAULT_COMPILE_FIELDS)).toBe('fp32');
    expect(compileSummary({ ...DEFAULT_COMPILE_FIELDS, dtype: 'int4', imageMode: 'crop', maxPixels: '50176' })).toBe(
      'int4, block 32, image crop, pixels default..50176',
    );
  });
});
