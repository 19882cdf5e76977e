import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { attentionStack } from './attention.ts';
import { contrastiveAttention } from './contrastive.ts';

describe('contrastiveAttention (Eq. 3)', () => {
  it('keeps per head only the attention the query added', () => {
    const q = attentionStack(1, 2, 3, Float64Array.from([0.5, 0.2, 0.1, 0.3, 0.3, 0.3]));
    const z = attentionStack(1, 2, 3, Float64Array.from([0.2, 0.4, 0.1, 0.1, 0.3, 0.6]));
    const a = contrastiveAttention(q, z);
    expect(Array.from(a.data).map((v) => +v.toFixed(12))).toEqual([0.3, 0, 0, 0.2, 0, 0]);
  });

  it('subtracts per head before any averaging, so heads cannot cancel each other', () => {
    // Head 0 gains on token 0, head 1 loses the same there: a head-mean first would show nothing.
    const q = attentionStack(1, 2, 1, Float64Array.from([0.6, 0.2]));
    const z = attentionStack(1, 2, 1, Float64Array.from([0.2, 0.6]));
    expect(Array.from(contrastiveAttention(q, z).data).map((v) => +v.toFixed(12))).toEqual([0.4, 0]);
  });

  it('renormalises both read-outs over the visual span when asked', () => {
    // Binary fractions, so every step is exact. Raw: [0.25, 0]; renormalised: [0.75, 0.25] - [0.5, 0.5].
    const q = attentionStack(1, 1, 2, Float64Array.from([0.375, 0.125]));
    const z = attentionStack(1, 1, 2, Float64Array.from([0.125, 0.125]));
    expect(Array.from(contrastiveAttention(q, z).data)).toEqual([0.25, 0]);
    expect(Array.from(contrastiveAttention(q, z, { renormalize: true }).data)).toEqual([0.25, 0]);
  });

  it('is zero everywhere when the query changes nothing', () => {
    fc.assert(
      fc.property(fc.array(fc.float({ min: 0, max: 1, noNaN: true }), { minLength: 12, maxLength: 12 }), (vals) => {
        const a = attentionStack(2, 2, 3, Float32Array.from(vals));
        const c = contrastiveAttention(a, a);
        return c.data.every((v) => v === 0);
      }),
    );
  });

  it('refuses read-outs of different shapes', () => {
    const a = attentionStack(1, 2, 3, new Float32Array(6));
    const b = attentionStack(2, 1, 3, new Float32Array(6));
    expect(() => contrastiveAttention(a, b)).toThrow(/shapes differ/);
  });
});
