import { describe, it, expect } from 'vitest';
import { attentionStack } from './attention.ts';
import { relativeAttention } from './vicrop.ts';

describe('relativeAttention (ViCrop rel_att)', () => {
  // 2 layers, 2 heads, a 1x2 grid; layer 1 is the fixed layer.
  const query = attentionStack(2, 2, 2, Float64Array.from([9, 9, 9, 9, 0.25, 0.5, 0.75, 0.5]));
  const generic = attentionStack(2, 2, 2, Float64Array.from([1, 1, 1, 1, 0.25, 0.125, 0.25, 0.375]));

  it('divides the head-mean of the query by the head-mean of the generic prompt at the fixed layer', () => {
    const r = relativeAttention(query, generic, 1, { gh: 1, gw: 2 });
    // Means: query [0.5, 0.5], generic [0.25, 0.25].
    expect(Array.from(r.map)).toEqual([2, 2]);
    expect(r.undefinedCells).toEqual([]);
  });

  it('adds epsilon to the denominator when given (ViCrop itself adds none)', () => {
    const r = relativeAttention(query, generic, 1, { gh: 1, gw: 2 }, 0.25);
    expect(Array.from(r.map)).toEqual([1, 1]);
  });

  it('sets cells with a zero denominator to 0 and lists them', () => {
    const g = attentionStack(2, 2, 2, Float64Array.from([1, 1, 1, 1, 0, 0.25, 0, 0.25]));
    const r = relativeAttention(query, g, 1, { gh: 1, gw: 2 });
    expect(Array.from(r.map)).toEqual([0, 2]);
    expect(r.undefinedCells).toEqual([0]);
  });
});
