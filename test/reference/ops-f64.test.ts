import { describe, expect, it } from 'vitest';
import { attention, erf, geluErf, layerNorm, matrix, quickGelu, rmsNorm } from './ops-f64.ts';

describe('ops-f64', () => {
  it('erf matches tabulated values to 1e-15 on both sides of zero and saturates', () => {
    // Abramowitz & Stegun / mpmath values.
    const table: [number, number][] = [
      [0, 0],
      [0.1, 0.1124629160182849],
      [0.5, 0.5204998778130465],
      [1, 0.8427007929497149],
      [2, 0.9953222650189527],
      [3.5, 0.9999992569016276],
      [-1.5, -0.9661051464753108],
      [7, 1],
    ];
    for (const [x, y] of table) expect(Math.abs(erf(x) - y), `erf(${x})`).toBeLessThan(1e-15);
  });

  it('gelu is exact GELU and quick_gelu is x·σ(1.702x)', () => {
    expect(geluErf(1)).toBeCloseTo(0.8413447460685429, 15);
    expect(geluErf(-3)).toBeCloseTo(-3 * 0.0013498980316300946, 15); // -3·Φ(-3)
    expect(quickGelu(1)).toBeCloseTo(1 / (1 + Math.exp(-1.702)), 15);
  });

  it('layerNorm and rmsNorm normalise each row as torch does', () => {
    const x = matrix(1, 4, Float64Array.from([1, 2, 3, 6]));
    const ln = layerNorm(x, Float64Array.from([1, 1, 1, 2]), Float64Array.from([0, 0, 0, 1]), 0);
    // mean 3, biased variance 3.5
    expect(Array.from(ln.data)).toEqual([-2, -1, 0, 3].map((d, i) => (d / Math.sqrt(3.5)) * (i === 3 ? 2 : 1) + (i === 3 ? 1 : 0)));
    const rms = rmsNorm(x, Float64Array.from([1, 1, 1, 1]), 0);
    expect(rms.data[3]).toBeCloseTo(6 / Math.sqrt(50 / 4), 15);
  });

  it('attention masks future keys exactly, rows sum to one, and GQA groups consecutive query heads', () => {
    const S = 3;
    const q = matrix(
      S,
      4,
      Float64Array.from({ length: 12 }, (_, i) => Math.sin(i)),
    );
    const k = matrix(
      S,
      2,
      Float64Array.from({ length: 6 }, (_, i) => Math.cos(i)),
    );
    const v = matrix(
      S,
      2,
      Float64Array.from({ length: 6 }, (_, i) => i),
    );
    // 2 query heads of dim 2 over 1 KV head of dim 2
    const { probs, out } = attention(q, k, v, 2, 1, 2, true);
    for (let h = 0; h < 2; h++) {
      for (let i = 0; i < S; i++) {
        const r = probs.subarray((h * S + i) * S, (h * S + i + 1) * S);
        expect(r.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 15);
        for (let j = i + 1; j < S; j++) expect(r[j]).toBe(0);
      }
    }
    expect(out.data[0]).toBe(0); // query 0 sees only key 0, whose value is [0, 1]
    expect(out.data[1]).toBe(1);
  });
});
