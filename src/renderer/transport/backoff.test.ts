import { describe, expect, it } from 'vitest';
import { backoffDelay } from './backoff.ts';

describe('backoffDelay', () => {
  it('doubles from the initial delay', () => {
    const o = { initialMs: 100, maxMs: 10_000 };
    expect([0, 1, 2, 3].map((n) => backoffDelay(n, o))).toEqual([100, 200, 400, 800]);
  });

  it('never waits longer than the maximum, even after many attempts', () => {
    const o = { initialMs: 250, maxMs: 5000 };
    expect(backoffDelay(5, o)).toBe(5000);
    expect(backoffDelay(1000, o)).toBe(5000);
  });
});
