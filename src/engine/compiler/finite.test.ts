import { describe, expect, it } from 'vitest';
import { float32ToF16Bits, float32ToHalfBits } from '../checkpoint/dtype.ts';
import { convertElements } from './convert.ts';
import { F16_MAX, firstF16Overflow, firstNonFinite, unravel } from './finite.ts';

function bytes(dtype: 'F32' | 'F64' | 'F16' | 'BF16', values: number[]): Uint8Array {
  if (dtype === 'F32') return new Uint8Array(Float32Array.from(values).buffer);
  if (dtype === 'F64') return new Uint8Array(Float64Array.from(values).buffer);
  return new Uint8Array(float32ToHalfBits(dtype, Float32Array.from(values)).buffer);
}

describe('firstNonFinite', () => {
  for (const dtype of ['F32', 'F64', 'F16', 'BF16'] as const) {
    it(`finds the first NaN or ±Inf in ${dtype} elements, and nothing in finite ones`, () => {
      expect(firstNonFinite(dtype, bytes(dtype, [0, -0, 1.5, -3e-5, 6e-8, 1000]))).toBeNull();
      expect(firstNonFinite(dtype, bytes(dtype, [1, 2, NaN, Infinity]))).toEqual({ index: 2, value: NaN });
      expect(firstNonFinite(dtype, bytes(dtype, [1, -Infinity, NaN]))).toEqual({ index: 1, value: -Infinity });
    });
  }

  it('reads unaligned chunks', () => {
    const b = new Uint8Array(1 + 12);
    b.set(bytes('F32', [1, 2, NaN]), 1);
    expect(firstNonFinite('F32', b.subarray(1))).toEqual({ index: 2, value: NaN });
  });

  it("finds a F64 value that is finite in float64 but would be Inf in float32 as finite (it is the compiler's float16 check that catches overflow)", () => {
    expect(firstNonFinite('F64', bytes('F64', [1e300]))).toBeNull();
  });
});

describe('firstF16Overflow', () => {
  it('names the first source element, in source order, that float16 turns into Inf', () => {
    // 65519 still rounds to 65504 (float16's largest): overflow starts at 65520.
    expect(float32ToF16Bits(65519)).toBe(0x7bff);
    expect(float32ToF16Bits(65520)).toBe(0x7c00);
    const values = [1, 60000, -70000, 1e6];
    for (const dtype of ['F32', 'BF16', 'F64'] as const) {
      const src = bytes(dtype, values);
      const converted = convertElements(dtype, src, 'float16', { rows: 0, cols: 0, transpose: false }) as Uint16Array;
      const bad = firstF16Overflow(dtype, src, converted);
      expect(bad?.index).toBe(2);
      expect(bad!.value).toBeLessThan(-F16_MAX);
    }
  });

  it('finds it in source order when the converted matrix is transposed', () => {
    // [2, 3] row-major: the overflows are at source indices 2 and 3; transposed, index 3 comes first.
    const src = bytes('F32', [1, 2, 1e5, -1e5, 5, 6]);
    const converted = convertElements('F32', src, 'float16', { rows: 2, cols: 3, transpose: true }) as Uint16Array;
    expect(firstF16Overflow('F32', src, converted)).toEqual({ index: 2, value: 1e5 });
  });

  it('is null when everything fits, and for float16 sources', () => {
    const src = bytes('F32', [65504, -65504, 0.1]);
    expect(firstF16Overflow('F32', src, convertElements('F32', src, 'float16', { rows: 0, cols: 0, transpose: false }) as Uint16Array)).toBeNull();
    expect(firstF16Overflow('F16', bytes('F16', [1]), new Uint16Array([0x7c00]))).toBeNull();
  });
});

describe('unravel', () => {
  it('turns a flat row-major index into one index per axis', () => {
    expect(unravel(0, [4, 5])).toEqual([0, 0]);
    expect(unravel(7, [4, 5])).toEqual([1, 2]);
    expect(unravel(23, [2, 3, 4])).toEqual([1, 2, 3]);
    expect(unravel(3, [8])).toEqual([3]);
  });
});
