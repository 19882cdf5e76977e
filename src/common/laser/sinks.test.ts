import { describe, expect, it } from 'vitest';
import { attentionSinks, excludeCells } from './sinks.ts';

describe('attention sinks', () => {
  it('flags a cell that takes a large share at nearly every layer, not one that is heavy at one layer only', () => {
    const N = 10;
    const layer = (sink: number | null, peak: number | null) => Array.from({ length: N }, (_, j) => (j === sink ? 0.6 : j === peak ? 0.3 : 0.01));
    const maps = [
      layer(0, 5),
      layer(0, null),
      layer(0, null),
      layer(0, 7),
      layer(0, null),
      layer(0, null),
      layer(0, null),
      layer(0, null),
      layer(0, null),
      layer(0, null),
    ];
    // cell 0 holds 0.6 / ~0.7 of each layer (>= 5 / 10); cell 5 is heavy at one layer of ten
    expect(attentionSinks(maps)).toEqual([0]);
    expect(attentionSinks(maps, { factor: 2, layers: 0.05 })).toEqual([0, 5, 7]);
    expect(attentionSinks([])).toEqual([]);
    expect(() => attentionSinks([[1, 2], [1]])).toThrow(/2 and 1 cells/);
  });

  it('leaves the sinks out and renormalises the rest to the same total', () => {
    expect(excludeCells([0.5, 0.25, 0.25], [0])).toEqual([0, 0.5, 0.5]);
    expect(excludeCells([1, 0], [0])).toEqual([0, 0]);
  });
});
