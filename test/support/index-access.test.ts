import { describe, expect, it } from 'vitest';
import { at, entry, field, first, last, present } from './index-access.ts';

describe('checked index reads', () => {
  it('return the element that is there, including falsy ones', () => {
    expect(at([0, 1, 2], 0)).toBe(0);
    expect(at(Float32Array.from([1.5, 2.5]), 1)).toBe(2.5);
    expect(first(['', 'b'])).toBe('');
    expect(last([1, 2, 3])).toBe(3);
    expect(entry(new Map([['k', false]]), 'k')).toBe(false);
    expect(field({ d: 'M0 0' }, 'd')).toBe('M0 0');
    expect(present(0, 'a zero')).toBe(0);
  });

  it('throw a one-line error naming what is missing', () => {
    expect(() => at([1, 2], 2)).toThrow('index 2 out of range (length 2)');
    expect(() => at([1, 2], -1)).toThrow('index -1 out of range (length 2)');
    expect(() => first([])).toThrow('index 0 out of range (length 0)');
    expect(() => last([])).toThrow('index -1 out of range (length 0)');
    expect(() => entry(new Map<string, number>(), 'k')).toThrow('no entry for key k');
    expect(() => field({}, 'fill')).toThrow('no field fill');
    expect(() => present(null, 'a startxref line')).toThrow('missing: a startxref line');
  });
});
