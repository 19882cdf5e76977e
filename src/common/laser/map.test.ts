import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { attentionStack } from './attention.ts';
import { localisationMap } from './map.ts';

describe('localisationMap (step 7)', () => {
  it('averages the given heads of the chosen layer and normalises to sum 1', () => {
    // 1 layer, 3 heads, a 2x2 grid. Heads 0 and 2 are used; head 1 would put mass on cell 3.
    const a = attentionStack(1, 3, 4, Float64Array.from([0.2, 0, 0, 0, 0, 0, 0, 9, 0.2, 0.4, 0, 0]));
    const m = localisationMap(a, 0, [0, 2], { gh: 2, gw: 2 });
    expect(m.ok).toBe(true);
    if (!m.ok) return;
    expect(Array.from(m.map).map((v) => +v.toFixed(12))).toEqual([0.5, 0.5, 0, 0]);
    expect(m.mass).toBeCloseTo(0.4, 12);
  });

  it("falls back with 'no-activation' when the heads carry no mass", () => {
    const a = attentionStack(1, 2, 4, new Float64Array(8));
    expect(localisationMap(a, 0, [0, 1], { gh: 2, gw: 2 })).toEqual({ ok: false, fallback: 'no-activation', layer: 0, heads: [0, 1] });
  });

  it('refuses a grid that does not match the token count', () => {
    const a = attentionStack(1, 1, 4, new Float64Array(4));
    expect(() => localisationMap(a, 0, [0], { gh: 3, gw: 2 })).toThrow(/6 cells but there are 4/);
  });

  it('sums to 1 for any non-negative map with mass', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 12, maxLength: 12 }), (vals) => {
        fc.pre(vals.some((v) => v > 0));
        const m = localisationMap(attentionStack(1, 2, 6, Float64Array.from(vals)), 0, [0, 1], { gh: 2, gw: 3 });
        return m.ok && Math.abs(m.map.reduce((s, v) => s + v, 0) - 1) < 1e-12 && m.map.every((v) => v >= 0);
      }),
    );
  });
});
