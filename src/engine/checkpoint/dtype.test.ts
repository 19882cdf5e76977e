import { describe, expect, it } from 'vitest';
import { bytesToFloat32, float32ToBf16Bits, float32ToF16Bits } from './dtype.ts';
import { first } from '../../../test/support/index-access.ts';

const widen = (dtype: 'F16' | 'BF16', bits: number) => first(bytesToFloat32(dtype, new Uint8Array(new Uint16Array([bits]).buffer)));

describe('half-precision conversions', () => {
  it('round-trips every non-NaN F16 and BF16 bit pattern exactly (widening is exact)', () => {
    const bad: string[] = [];
    for (let h = 0; h < 65536; h++) {
      const f16 = widen('F16', h);
      if (!Number.isNaN(f16) && float32ToF16Bits(f16) !== h) bad.push(`F16 0x${h.toString(16)}`);
      const bf = widen('BF16', h);
      if (!Number.isNaN(bf) && float32ToBf16Bits(bf) !== h) bad.push(`BF16 0x${h.toString(16)}`);
    }
    expect(bad).toEqual([]);
  });

  it('rounds to nearest, ties to even, like torch', () => {
    // Halfway between 1 and the next half (1 + 2^-10): ties go to the even mantissa 1.
    expect(float32ToF16Bits(1 + 2 ** -11)).toBe(0x3c00);
    expect(float32ToF16Bits(1 + 3 * 2 ** -11)).toBe(0x3c02);
    expect(float32ToF16Bits(1 + 2 ** -11 + 2 ** -20)).toBe(0x3c01);
    // Subnormals: 2^-25 is half the smallest subnormal (tie to 0), a bit more rounds up.
    expect(float32ToF16Bits(2 ** -25)).toBe(0);
    expect(float32ToF16Bits(2 ** -25 * 1.5)).toBe(1);
    expect(float32ToF16Bits(-(2 ** -14) * 0.5)).toBe(0x8200);
    // Overflow and the largest finite value's rounding boundary (65520 rounds up to Inf).
    expect(float32ToF16Bits(65519)).toBe(0x7bff);
    expect(float32ToF16Bits(65520)).toBe(0x7c00);
    expect(float32ToF16Bits(-1e9)).toBe(0xfc00);
    expect(float32ToBf16Bits(1 + 2 ** -8)).toBe(0x3f80);
    expect(float32ToBf16Bits(1 + 3 * 2 ** -8)).toBe(0x3f82);
    expect(float32ToBf16Bits(3.4028234663852886e38)).toBe(0x7f80); // FLT_MAX rounds to Inf in bf16
  });

  it('keeps NaN a NaN', () => {
    expect(Number.isNaN(widen('F16', float32ToF16Bits(NaN)))).toBe(true);
    expect(Number.isNaN(widen('BF16', float32ToBf16Bits(NaN)))).toBe(true);
  });

  it('refuses to read integer data as floats', () => {
    expect(() => bytesToFloat32('I32', new Uint8Array(4))).toThrow(/not a floating-point dtype/);
  });
});
