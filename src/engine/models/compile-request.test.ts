import { describe, expect, it } from 'vitest';
import { QUANT_DEFAULTS } from '../../common/compile-options.ts';
import { compiledIdBase, compileOfManifest, resolveCompile, sameCompile } from './compile-request.ts';

const quant = {
  method: 'MatMulNBits' as const,
  bits: 8 as const,
  blockSize: 32 as const,
  symmetric: true,
  accuracyLevel: 4 as const,
  lmHead: true,
  embeddings: true,
  vision: false,
  tensors: ['a'],
};

describe('compile requests', () => {
  it('resolves a request against the compiler defaults: fp32, pad, the checkpoint pixel bounds, and QUANT_DEFAULTS for int8/int4 only', () => {
    expect(resolveCompile()).toEqual({ dtype: 'fp32', quantize: null, imageMode: 'pad', minPixels: null, maxPixels: null });
    expect(resolveCompile({ dtype: 'fp16', imageMode: 'crop', minPixels: 3136 })).toEqual({
      dtype: 'fp16',
      quantize: null,
      imageMode: 'crop',
      minPixels: 3136,
      maxPixels: null,
    });
    expect(resolveCompile({ dtype: 'int4', quantize: { blockSize: 64, lmHead: false } }).quantize).toEqual({ ...QUANT_DEFAULTS, blockSize: 64, lmHead: false });
  });

  it('takes a request that spells out the defaults as the same compile as one that leaves them out, and any other choice as another', () => {
    expect(sameCompile(resolveCompile({}), resolveCompile({ dtype: 'fp32', imageMode: 'pad' }))).toBe(true);
    expect(
      sameCompile(resolveCompile({ dtype: 'int8' }), resolveCompile({ dtype: 'int8', quantize: { ...QUANT_DEFAULTS, blockSize: 32, accuracyLevel: 4 } })),
    ).toBe(true);
    const base = resolveCompile({ dtype: 'int8' });
    for (const other of [
      {},
      { dtype: 'int4' as const },
      { dtype: 'int8' as const, quantize: { blockSize: 64 as const } },
      { dtype: 'int8' as const, quantize: { symmetric: false } },
      { dtype: 'int8' as const, quantize: { accuracyLevel: 0 as const } },
      { dtype: 'int8' as const, quantize: { lmHead: false } },
      { dtype: 'int8' as const, quantize: { embeddings: false } },
      { dtype: 'int8' as const, quantize: { vision: true } },
      { dtype: 'int8' as const, imageMode: 'crop' as const },
      { dtype: 'int8' as const, minPixels: 3136 },
      { dtype: 'int8' as const, maxPixels: 1_000_000 },
    ])
      expect(sameCompile(base, resolveCompile(other)), JSON.stringify(other)).toBe(false);
  });

  it('reads what an older registration was compiled with from its manifest', () => {
    expect(compileOfManifest({ architecture: 'llava', dtype: 'int8', quantization: quant, preprocessing: { mode: 'crop' } })).toEqual(
      resolveCompile({ dtype: 'int8', imageMode: 'crop' }),
    );
    expect(compileOfManifest({ architecture: 'llava', dtype: 'fp32', preprocessing: { mode: 'pad' } })).toEqual(resolveCompile({}));
    expect(compileOfManifest({ architecture: 'qwen2-vl', dtype: 'fp16' })).toEqual(resolveCompile({ dtype: 'fp16' }));
  });

  it('names a non-fp32 bundle after its dtype', () => {
    expect(compiledIdBase('llava-tiny', resolveCompile())).toBe('llava-tiny');
    expect(compiledIdBase('llava-tiny', resolveCompile({ dtype: 'int8' }))).toBe('llava-tiny-int8');
  });
});
