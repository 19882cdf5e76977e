import { describe, expect, it } from 'vitest';
import { toHex, viridis, colorAt } from '../../../common/figures/index.ts';
import { cellFills, colormapStops, cssGradient, mapDomain, sharedDomain } from './heatmap.ts';

const cells = [
  [0, 0, 10, 10],
  [10, 0, 20, 10],
  [0, 10, 10, 20],
  [10, 10, 20, 20],
] as const;

describe('map colouring', () => {
  it('colours a non-negative map from 0, so 0 is the darkest colour and the maximum the brightest', () => {
    const domain = mapDomain([0.1, 0.4, 0.2, 0]);
    expect(domain).toEqual([0, 0.4]);
    const fills = cellFills(cells, [0.1, 0.4, 0.2, 0], domain);
    expect(fills.map((f) => f.color)).toEqual([
      toHex(colorAt(viridis, 0.25)),
      toHex(colorAt(viridis, 1)),
      toHex(colorAt(viridis, 0.5)),
      toHex(colorAt(viridis, 0)),
    ]);
  });

  it('places each cell on its rectangle in original pixels', () => {
    const [f] = cellFills([[5, -3, 25, 17]], [1], [0, 1]);
    expect(f).toMatchObject({ index: 0, x: 5, y: -3, width: 20, height: 20, value: 1 });
  });

  it('leaves out empty rectangles, non-finite values and, when asked, zeros', () => {
    const fills = cellFills([[0, 0, 0, 10], ...cells.slice(1)], [1, NaN, 0, 0.5], [0, 1], { skipZero: true });
    expect(fills.map((f) => f.index)).toEqual([3]);
  });

  it('refuses a map whose length does not match the grid', () => {
    expect(() => cellFills(cells, [1, 2], [0, 1])).toThrow(/2 values for 4 cells/);
  });

  it('shares one domain across several maps, and never returns an empty one', () => {
    expect(
      sharedDomain([
        [0, 0.2],
        [0.5, 0.1],
      ]),
    ).toEqual([0, 0.5]);
    expect(mapDomain([0, 0, 0])).toEqual([0, 1]);
  });

  it('samples the colormap evenly from end to end', () => {
    const stops = colormapStops(3);
    expect(stops).toEqual([toHex(colorAt(viridis, 0)), toHex(colorAt(viridis, 0.5)), toHex(colorAt(viridis, 1))]);
    expect(cssGradient(viridis, 2)).toBe(`linear-gradient(to right, ${stops[0]}, ${stops[2]})`);
    expect(() => colormapStops(1)).toThrow();
  });
});
