import { describe, expect, it } from 'vitest';
import { createRng } from '../../common/laser/random.ts';
import { bootstrapMeanCI, mcnemarExact, mcnemarOfScores, pairedDifferenceCI, quantile } from './stats.ts';
import { at as element } from '../../../test/support/index-access.ts';

/** The percentile bootstrap written out the plain way, as the reference. */
function referenceCI(values: number[], seed: number, resamples: number): [number, number] {
  const rng = createRng(seed);
  const means: number[] = [];
  for (let r = 0; r < resamples; r++) {
    const draw = values.map(() => element(values, rng.nextUint32() % values.length));
    means.push(draw.reduce((a, b) => a + b, 0) / values.length);
  }
  means.sort((x, y) => x - y);
  const at = (q: number) => {
    const h = (resamples - 1) * q;
    const below = element(means, Math.floor(h));
    return below + (h - Math.floor(h)) * (element(means, Math.ceil(h)) - below);
  };
  return [at(0.025), at(0.975)];
}

describe('bootstrap', () => {
  it('quantiles interpolate linearly (numpy default)', () => {
    expect(quantile([1, 2, 3, 4], 0.5)).toBe(2.5);
    expect(quantile([1, 2, 3, 4], 0)).toBe(1);
    expect(quantile([1, 2, 3, 4], 1)).toBe(4);
    expect(quantile([0, 10], 0.25)).toBe(2.5);
  });

  it('the mean with its percentile interval, equal to the reference computation; reproducible by seed', () => {
    const values = [1, 0, 1, 1, 0, 1, 1, 1, 0, 1, 0.5, 1, 0, 1, 1];
    const ci = bootstrapMeanCI(values, { seed: 7, resamples: 1000 })!;
    expect(ci.estimate).toBeCloseTo(10.5 / 15, 12);
    const [lo, hi] = referenceCI(values, 7, 1000);
    expect(ci.low).toBeCloseTo(lo, 12);
    expect(ci.high).toBeCloseTo(hi, 12);
    expect(ci.low).toBeLessThan(ci.estimate);
    expect(ci.high).toBeGreaterThan(ci.estimate);
    expect(bootstrapMeanCI(values, { seed: 7, resamples: 1000 })).toEqual(ci);
    // a constant has a zero-width interval; nothing has none
    expect(bootstrapMeanCI([1, 1, 1])).toMatchObject({ estimate: 1, low: 1, high: 1 });
    expect(bootstrapMeanCI([])).toBeNull();
  });

  it('for 0/1 values near the normal approximation p +- 1.96 sqrt(p(1-p)/n) at n = 400', () => {
    const values = Array.from({ length: 400 }, (_, k) => (k % 4 === 0 ? 0 : 1)); // p = 0.75
    const ci = bootstrapMeanCI(values, { seed: 1 })!;
    const half = 1.96 * Math.sqrt((0.75 * 0.25) / 400);
    expect(ci.low).toBeCloseTo(0.75 - half, 2);
    expect(ci.high).toBeCloseTo(0.75 + half, 2);
  });

  it('paired difference resamples the pairs together: b - a', () => {
    const a = [1, 0, 0, 1, 0, 1, 0, 0];
    const b = [1, 1, 0, 1, 1, 1, 1, 0];
    const d = pairedDifferenceCI(a, b, { seed: 3, resamples: 500 })!;
    expect(d.estimate).toBe(3 / 8);
    const [lo, hi] = referenceCI(
      b.map((x, k) => x - element(a, k)),

      3,
      500,
    );
    expect([d.low, d.high]).toEqual([lo, hi]);
    expect(() => pairedDifferenceCI([1], [1, 2])).toThrow('paired values');
  });
});

describe("McNemar's exact test", () => {
  it('two-sided binomial p on the discordant pairs, worked by hand', () => {
    // n = 7, min = 1: 2 * (C(7,0) + C(7,1)) / 2^7 = 2 * 8 / 128
    expect(mcnemarExact(1, 6).p).toBeCloseTo(0.125, 12);
    // n = 10, min = 0: 2 / 1024
    expect(mcnemarExact(10, 0).p).toBeCloseTo(2 / 1024, 12);
    // balanced: capped at 1
    expect(mcnemarExact(3, 3).p).toBe(1);
    expect(mcnemarExact(0, 0).p).toBe(1);
    // n = 12, min = 2: 2 * (1 + 12 + 66) / 4096
    expect(mcnemarExact(2, 10).p).toBeCloseTo((2 * 79) / 4096, 12);
  });

  it('counts the discordant pairs of 0/1 scores', () => {
    expect(mcnemarOfScores([1, 1, 0, 0, 1], [1, 0, 1, 1, 0])).toMatchObject({ onlyA: 2, onlyB: 2, p: 1 });
  });
});
