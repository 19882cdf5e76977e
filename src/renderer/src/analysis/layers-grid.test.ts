import { describe, expect, it } from 'vitest';
import { gridColumns, parseLayerRange } from './layers-grid.ts';

describe('layers grid', () => {
  it('reads a layer range, or all layers, and says what is wrong with a bad one', () => {
    expect(parseLayerRange('8-20', 32)).toEqual([8, 20]);
    expect(parseLayerRange(' 5 ', 32)).toEqual([5, 5]);
    expect(parseLayerRange('', 32)).toEqual([0, 31]);
    expect(parseLayerRange('20-8', 32)).toMatch(/backwards/);
    expect(parseLayerRange('8-40', 32)).toBe('This model has layers 0-31.');
    expect(parseLayerRange('eight', 32)).toMatch(/not a layer range/);
  });

  it('fits as many columns as keep tiles readable', () => {
    expect(gridColumns(32, 1000, 160, 8)).toEqual({ cols: 6, tile: 160 });
    expect(gridColumns(3, 1000, 160, 8)).toEqual({ cols: 3, tile: 328 });
    expect(gridColumns(4, 100, 160, 8)).toEqual({ cols: 1, tile: 100 });
  });
});
