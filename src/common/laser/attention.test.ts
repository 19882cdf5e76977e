import { describe, it, expect } from 'vitest';
import { attentionStack, headMean, headRow, renormalizeVisualSpan } from './attention.ts';

describe('attentionStack', () => {
  it('refuses data whose length does not match the dims', () => {
    expect(() => attentionStack(2, 2, 3, new Float32Array(11))).toThrow(/needs 12/);
  });

  it('reads row (l, h) at offset (l * heads + h) * tokens', () => {
    const s = attentionStack(
      2,
      2,
      3,
      Float64Array.from({ length: 12 }, (_, i) => i),
    );
    expect(Array.from(headRow(s, 1, 0))).toEqual([6, 7, 8]);
  });
});

describe('headMean', () => {
  it('averages the chosen heads of one layer', () => {
    const s = attentionStack(1, 3, 2, Float64Array.from([1, 2, 3, 4, 5, 9]));
    expect(Array.from(headMean(s, 0))).toEqual([3, 5]);
    expect(Array.from(headMean(s, 0, [0, 2]))).toEqual([3, 5.5]);
  });
});

describe('renormalizeVisualSpan', () => {
  it('rescales every row to sum 1 and leaves an all-zero row at zero', () => {
    const s = attentionStack(1, 2, 2, Float64Array.from([0.125, 0.375, 0, 0]));
    expect(Array.from(renormalizeVisualSpan(s).data)).toEqual([0.25, 0.75, 0, 0]);
  });
});
