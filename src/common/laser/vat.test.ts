import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { fuseLogits, vatStep } from './vat.ts';

describe('fuseLogits (Eqs. 10-11)', () => {
  it('computes (1 + alpha) z+ - alpha z-', () => {
    const s = fuseLogits(Float32Array.from([2, 1, 0]), Float32Array.from([1, 1, 3]), { alpha: 1, apcBeta: null });
    expect(Array.from(s)).toEqual([3, 1, -3]);
  });

  it('gives the positive logits unchanged when alpha = 0, whatever the negative holds', () => {
    fc.assert(
      fc.property(
        fc.array(fc.float({ noNaN: true, noDefaultInfinity: true }), { minLength: 1, maxLength: 50 }),
        fc.array(fc.float(), { minLength: 50, maxLength: 50 }),
        (pos, neg) => {
          const z = Float32Array.from(pos);
          const s = fuseLogits(z, Float32Array.from(neg.slice(0, pos.length)), { alpha: 0, apcBeta: null });
          return s.every((v, i) => Object.is(v, z[i]));
        },
      ),
    );
  });

  it('masks tokens below max(z+) + log(beta) with -Infinity (APC)', () => {
    // log(0.1) = -2.303: the cutoff is 10 - 2.303 = 7.697.
    const s = fuseLogits(Float64Array.from([10, 8, 7, -1]), Float64Array.from([0, 9, -20, -30]), { alpha: 1, apcBeta: 0.1 });
    expect(Array.from(s)).toEqual([20, 7, -Infinity, -Infinity]);
  });

  it('never masks the positive argmax under APC', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -50, max: 50, noNaN: true }), { minLength: 1, maxLength: 30 }),
        fc.double({ min: 1e-6, max: 1, noNaN: true }),
        (pos, beta) => {
          const s = fuseLogits(Float64Array.from(pos), new Float64Array(pos.length), { alpha: 1, apcBeta: beta });
          return Number.isFinite(s[pos.indexOf(Math.max(...pos))]);
        },
      ),
    );
  });

  it('refuses a negative alpha or a beta outside (0, 1]', () => {
    const z = new Float32Array(2);
    expect(() => fuseLogits(z, z, { alpha: -1, apcBeta: null })).toThrow(/alpha/);
    expect(() => fuseLogits(z, z, { alpha: 1, apcBeta: 0 })).toThrow(/apcBeta/);
  });
});

describe('vatStep', () => {
  it('picks the argmax of the fused scores, which can differ from the positive argmax', () => {
    // z+ prefers token 0, but the negative (evidence masked) likes token 0 even more: a prior, not evidence.
    const r = vatStep(Float32Array.from([5, 4.5, 0]), Float32Array.from([5, 2, 0]), { alpha: 1, apcBeta: null }, 2);
    expect(r.token).toBe(1);
    expect(r.candidates).toEqual([
      { id: 1, positive: 4.5, negative: 2, fused: 7 },
      { id: 0, positive: 5, negative: 5, fused: 5 },
    ]);
  });

  it('breaks ties towards the lower token id', () => {
    expect(vatStep(Float32Array.from([1, 2, 2]), new Float32Array(3), { alpha: 1, apcBeta: null }).token).toBe(1);
  });
});
