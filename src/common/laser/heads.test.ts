import { describe, expect, it } from 'vitest';
import { MEAN_HEADS, headsLabel, headsMean, parseHeadSelection, selectedHeads, stepHeads } from './heads.ts';

const perHead = [
  [1, 0, 0, 3],
  [0, 2, 0, 1],
  [0, 0, 4, 0],
];

describe('head selection', () => {
  it('takes every head for the mean, one head alone, or the top-k by VAQ (ties to the lower head)', () => {
    expect(selectedHeads(MEAN_HEADS, 3, null)).toEqual([0, 1, 2]);
    expect(selectedHeads({ kind: 'head', head: 2 }, 3, null)).toEqual([2]);
    expect(selectedHeads({ kind: 'top', k: 2 }, 3, [0.1, 0.9, 0.5])).toEqual([1, 2]);
    expect(selectedHeads({ kind: 'top', k: 1 }, 3, [0.5, 0.2, 0.5])).toEqual([0]);
    expect(selectedHeads({ kind: 'top', k: 9 }, 3, [0.5, 0.2, 0.5])).toEqual([0, 1, 2]);
  });

  it('refuses a head the layer does not have, and top-k without VAQ per head', () => {
    expect(() => selectedHeads({ kind: 'head', head: 3 }, 3, null)).toThrow(/0\.\.2/);
    expect(() => selectedHeads({ kind: 'top', k: 2 }, 3, null)).toThrow(/VAQ per head/);
    expect(() => selectedHeads({ kind: 'top', k: 2 }, 3, [1, 2])).toThrow(/3 values/);
  });

  it('averages the chosen heads cell by cell; all heads give the head mean', () => {
    expect(headsMean(perHead, [0, 1, 2])).toEqual([1 / 3, 2 / 3, 4 / 3, 4 / 3]);
    expect(headsMean(perHead, [2])).toEqual([0, 0, 4, 0]);
    expect(headsMean(perHead, [0, 1])).toEqual([0.5, 1, 0, 2]);
    expect(() => headsMean(perHead, [])).toThrow();
    expect(() => headsMean([[1, 2], [3]], [0, 1])).toThrow(/head 1 has 1 cells/);
  });

  it('steps mean -> head 0 -> ... -> last head -> mean, and back', () => {
    let s = MEAN_HEADS;
    const seen: string[] = [];
    for (let i = 0; i < 4; i++) {
      s = stepHeads(s, 3, 1);
      seen.push(headsLabel(s));
    }
    expect(seen).toEqual(['head 0', 'head 1', 'head 2', 'mean of heads']);
    expect(stepHeads(MEAN_HEADS, 3, -1)).toEqual({ kind: 'head', head: 2 });
    expect(stepHeads({ kind: 'top', k: 2 }, 3, 1)).toEqual({ kind: 'head', head: 0 });
  });

  it('reads back only selections it writes', () => {
    expect(parseHeadSelection({ kind: 'mean' })).toEqual(MEAN_HEADS);
    expect(parseHeadSelection({ kind: 'head', head: 4 })).toEqual({ kind: 'head', head: 4 });
    expect(parseHeadSelection({ kind: 'top', k: 3 })).toEqual({ kind: 'top', k: 3 });
    for (const bad of [null, 'mean', { kind: 'head', head: -1 }, { kind: 'head', head: 1.5 }, { kind: 'top', k: 0 }, { kind: 'all' }])
      expect(parseHeadSelection(bad)).toBeNull();
  });
});
