import { describe, expect, it } from 'vitest';
import { integerTicks, linearScale, niceDomain, niceStep, niceTicks, tickLabel } from './scale.ts';

describe('scales and ticks', () => {
  it('maps a domain onto a range, reversed ranges included', () => {
    const y = linearScale([0, 10], [200, 100]);
    expect(y(0)).toBe(200);
    expect(y(10)).toBe(100);
    expect(y(2.5)).toBe(175);
    expect(linearScale([3, 3], [0, 10])(3)).toBe(5);
  });

  it('steps in 1, 2 or 5 times a power of ten', () => {
    expect(niceStep(0, 1, 5)).toBe(0.2);
    expect(niceStep(0, 0.037, 4)).toBe(0.01);
    expect(niceStep(0, 130, 5)).toBe(20);
    expect(niceStep(0, 0, 5)).toBe(1);
  });

  it('labels ticks with just enough decimals', () => {
    const t = niceTicks(0, 0.0368, 4);
    expect(t.values).toEqual([0, 0.01, 0.02, 0.03]);
    expect(t.values.map((v) => tickLabel(v, t))).toEqual(['0.00', '0.01', '0.02', '0.03']);
    const big = niceTicks(-20, 45, 4);
    expect(big.values).toEqual([-20, 0, 20, 40]);
    expect(big.values.map((v) => tickLabel(v, big))).toEqual(['\u221220', '0', '20', '40']);
  });

  it('widens a domain to the nearest ticks', () => {
    expect(niceDomain(0, 0.0368, 4)).toEqual([0, 0.04]);
    expect(niceDomain(0.31, 0.87, 5)).toEqual([0.3, 0.9]);
    expect(niceDomain(-7, 130, 5)).toEqual([-20, 140]);
  });

  it('gives integer ticks at most `max` of them', () => {
    expect(integerTicks(0, 7, 9)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(integerTicks(0, 31, 9)).toEqual([0, 4, 8, 12, 16, 20, 24, 28]);
    expect(integerTicks(0, 79, 9)).toEqual([0, 10, 20, 30, 40, 50, 60, 70]);
  });
});
