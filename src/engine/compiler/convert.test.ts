import { describe, expect, it } from 'vitest';
import { at, first } from '../../../test/support/index-access.ts';
import { bytesToFloat32, float32ToF16Bits, float32ToHalfBits } from '../checkpoint/dtype.ts';
import { convertElements } from './convert.ts';

/** 5 x 7 values with the awkward cases: ±0, ±Inf, NaN, half subnormals, beyond half range, ties. */
const values = Float32Array.from(
  { length: 35 },
  (_, i) => [0, -0, Infinity, -Infinity, NaN, 6e-8, -3e-5, 70000, -1e6, 1 + 2 ** -11, 1 + 3 * 2 ** -11][i] ?? Math.sin(i) * 10 ** ((i % 9) - 4),
);
const rows = 5;
const cols = 7;

function encode(dtype: 'F32' | 'F64' | 'F16' | 'BF16', f: Float32Array): { bytes: Uint8Array; stored: Float32Array } {
  if (dtype === 'F32') return { bytes: new Uint8Array(f.slice().buffer), stored: f };
  if (dtype === 'F64') {
    const d = Float64Array.from(f);
    return { bytes: new Uint8Array(d.buffer), stored: f };
  }
  const bits = float32ToHalfBits(dtype, f);
  return { bytes: new Uint8Array(bits.buffer), stored: bytesToFloat32(dtype, new Uint8Array(bits.buffer)) };
}

/** The definition: widen what is stored to float32, round to half if asked, transpose if asked. */
function expected(stored: Float32Array, to: 'float32' | 'float16', transpose: boolean): number[] {
  const read = (k: number) => at(stored, transpose ? (k % rows) * cols + Math.floor(k / rows) : k);
  return Array.from({ length: stored.length }, (_, k) => {
    const f = new Float32Array([read(k)]);
    return to === 'float16' ? float32ToF16Bits(first(f)) : first(new Uint32Array(f.buffer));
  });
}

describe('convertElements', () => {
  for (const from of ['F32', 'F16', 'BF16', 'F64'] as const) {
    for (const to of ['float32', 'float16'] as const) {
      for (const transpose of [false, true]) {
        it(`${from} → ${to}${transpose ? ', transposed' : ''} equals widening, rounding to nearest even and moving each element`, () => {
          const { bytes, stored } = encode(from, values);
          const got = convertElements(from, bytes, to, { rows, cols, transpose });
          expect(got).toBeInstanceOf(to === 'float16' ? Uint16Array : Uint32Array);
          expect(Array.from(got)).toEqual(expected(stored, to, transpose));
        });
      }
    }
  }

  it('transposes matrices larger than one 64 x 64 block', () => {
    const r = 130;
    const c = 67;
    const src = Uint16Array.from({ length: r * c }, (_, i) => i);
    const out = convertElements('F16', new Uint8Array(src.buffer), 'float16', { rows: r, cols: c, transpose: true });
    for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) expect(out[j * r + i]).toBe(i * c + j);
  });

  it('reads sources at odd byte offsets (chunks of a larger buffer)', () => {
    const buf = new Uint8Array(1 + 8);
    buf.set(new Uint8Array(Float32Array.from([1.5, -2]).buffer), 1);
    expect(Array.from(convertElements('F32', buf.subarray(1), 'float16', { rows: 0, cols: 0, transpose: false }))).toEqual([
      float32ToF16Bits(1.5),
      float32ToF16Bits(-2),
    ]);
  });
});
