import { describe, expect, it } from 'vitest';
import { gridColumns, layersNeedingHeads, layersViewPanels, parseLayerRange } from './layers-grid.ts';
import { sampleResult } from './testing/sample-result.ts';

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

  it('draws the head mean from the views, and top-k once every layer but l* has its per-head maps', () => {
    const r = sampleResult(); // 3 layers, 2 heads, l* = 2, kHead from the knobs
    const mean = layersViewPanels(r, { from: 0, to: 2, heads: 'mean' });
    expect(mean?.map((p) => Array.from(p.values))).toEqual(r.views.contrastive);
    expect(layersNeedingHeads(r, { from: 0, to: 2, heads: 'mean' }, new Map())).toEqual([]);
    expect(layersNeedingHeads(r, { from: 0, to: 2, heads: 'top' }, new Map())).toEqual([0, 1]);
    expect(layersViewPanels(r, { from: 0, to: 2, heads: 'top' })).toBeNull();
    const heads = new Map([
      [
        0,
        {
          layer: 0,
          heads: [
            [0, 0, 0, 0],
            [0, 0, 0, 0],
          ],
        },
      ],
      [
        1,
        {
          layer: 1,
          heads: [
            [0.2, 0, 0, 0.6],
            [0, 0, 0, 0],
          ],
        },
      ],
    ]);
    const top = layersViewPanels(r, { from: 0, to: 2, heads: 'top' }, heads);
    // a layer with no mass is all zeros; the others normalised to sum 1 over the top heads; l* is M itself
    // (kHead 8 of 2 heads: both, so layer 1 is (0.1, 0, 0, 0.3) / 0.4)
    expect(top?.map((p) => Array.from(p.values, (v) => Math.round(v * 1e12) / 1e12))).toEqual([[0, 0, 0, 0], [0.25, 0, 0, 0.75], r.views.map]);
  });
});
