import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { WorkbenchError } from '../contract/errors.ts';
import { attentionStack } from './attention.ts';
import { averageHeadVaq, chooseLayer, computeVaq, headVaq, layerVaq } from './vaq.ts';
import { at } from '../../../test/support/index-access.ts';

describe('headVaq (Eq. 4)', () => {
  it('is the L2 norm of each head row', () => {
    const a = attentionStack(1, 2, 2, Float64Array.from([3, 4, 0, 0.5]));
    expect(Array.from(headVaq(a))).toEqual([5, 0.5]);
  });
});

describe('layerVaq (Eq. 5)', () => {
  it('averages the top-kHead heads of each layer and reports which they were', () => {
    // Layer 0 heads: 1, 4, 2, 3; layer 1 heads: 0, 0, 6, 0.
    const perHead = Float64Array.from([1, 4, 2, 3, 0, 0, 6, 0]);
    const v = layerVaq(perHead, 2, 4, 2);
    expect(Array.from(v.perLayer)).toEqual([3.5, 3]);
    expect(v.topHeads).toEqual([
      [1, 3],
      [2, 0],
    ]);
  });

  it('caps kHead at the number of heads', () => {
    const v = layerVaq(Float64Array.from([1, 2, 3]), 1, 3, 8);
    expect(v.kHeadUsed).toBe(3);
    expect(v.perLayer[0]).toBe(2);
  });

  it('refuses kHead below 1 as a bad request', () => {
    expect(() => layerVaq(Float64Array.from([1]), 1, 1, 0)).toThrow(WorkbenchError);
  });
});

describe('computeVaq', () => {
  it('picks the layer with the largest top-k head norm', () => {
    // 3 layers, 2 heads, 2 tokens. Layer 1: one head of norm 1 and a silent one. Layer 2: two heads
    // of norm 0.6. kHead decides between one strong head and several good ones.
    const a = attentionStack(3, 2, 2, Float64Array.from([0.1, 0, 0, 0.1, 0.6, 0.8, 0, 0, 0.36, 0.48, 0.48, 0.36]));
    const one = computeVaq(a, 1);
    expect(one.perLayer[1]).toBeCloseTo(1, 12);
    expect(one.perLayer[2]).toBeCloseTo(0.6, 12);
    expect(chooseLayer(one.perLayer).layer).toBe(1);
    const two = computeVaq(a, 2);
    expect(two.perLayer[1]).toBeCloseTo(0.5, 12);
    expect(two.perLayer[2]).toBeCloseTo(0.6, 12);
    expect(chooseLayer(two.perLayer).layer).toBe(2);
  });

  it('is invariant to permuting the heads', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 1, max: 6 }),
        fc.infiniteStream(fc.double({ min: 0, max: 1, noNaN: true })),
        fc.infiniteStream(fc.nat()),
        (L, H, N, kHead, values, shuffle) => {
          const data = Float64Array.from({ length: L * H * N }, () => values.next().value);
          // One random permutation of the heads, applied to every layer.
          const perm = Array.from({ length: H }, (_, h) => h);
          for (let i = H - 1; i > 0; i--) {
            const j = shuffle.next().value % (i + 1);
            [perm[i], perm[j]] = [at(perm, j), at(perm, i)];
          }
          const permuted = new Float64Array(data.length);
          for (let l = 0; l < L; l++)
            for (let h = 0; h < H; h++) permuted.set(data.subarray((l * H + at(perm, h)) * N, (l * H + at(perm, h) + 1) * N), (l * H + h) * N);
          const a = computeVaq(attentionStack(L, H, N, data), kHead);
          const b = computeVaq(attentionStack(L, H, N, permuted), kHead);
          // Same heads summed in a possibly different order: equal up to rounding.
          return a.perLayer.every((v, l) => Math.abs(v - at(b.perLayer, l)) <= 1e-12);
        },
      ),
    );
  });
});

describe('averageHeadVaq', () => {
  it('averages per-head scores over answer positions', () => {
    expect(Array.from(averageHeadVaq([Float64Array.from([1, 2]), Float64Array.from([3, 6])]))).toEqual([2, 4]);
  });
});

describe('chooseLayer', () => {
  it('finds the one clear peak of a curve', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 48 }),
        fc.nat(),
        fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 48, maxLength: 48 }),
        (L, p, noise) => {
          const peak = p % L;
          const curve = noise.slice(0, L).map((v, l) => (l === peak ? 2 + v : v));
          return chooseLayer(curve).layer === peak;
        },
      ),
    );
  });

  it('breaks ties towards the lowest layer', () => {
    expect(chooseLayer([1, 3, 2, 3]).layer).toBe(1);
  });

  it('searches only inside layerRange', () => {
    const c = chooseLayer([9, 1, 5, 2, 9], { layerRange: [1, 3] });
    expect(c).toEqual({ layer: 2, mode: 'argmax', searched: [1, 3] });
  });

  it('uses fixedLayer without searching', () => {
    expect(chooseLayer([9, 1, 5], { fixedLayer: 1 })).toEqual({ layer: 1, mode: 'fixed', searched: [1, 1] });
  });

  it('refuses a layerRange or fixedLayer outside the model, naming the layer count', () => {
    expect(() => chooseLayer([1, 2, 3], { layerRange: [1, 3] })).toThrow(/layerRange/);
    try {
      chooseLayer([1, 2, 3], { fixedLayer: 3 });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(WorkbenchError);
      expect((e as WorkbenchError).code).toBe('bad-request');
      expect((e as WorkbenchError).hint).toMatch(/0\.\.2/);
    }
  });

  it('refuses fixedLayer and layerRange together', () => {
    expect(() => chooseLayer([1, 2, 3], { layerRange: [0, 1], fixedLayer: 1 })).toThrow(WorkbenchError);
  });
});
