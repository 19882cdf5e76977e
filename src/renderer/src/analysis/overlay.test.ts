import { describe, expect, it } from 'vitest';
import { cellAt, defaultViewSettings, fitExtent, gridExtent, overlayModel, resultSinks, seenArea, viewExtent, viewProvenance } from './overlay.ts';
import type { LaserResult } from '../../../common/contract/methods.ts';
import { sampleResult } from './testing/sample-result.ts';

describe('overlay model', () => {
  it('draws M over the image with the crop box and the masked cells', () => {
    const r = sampleResult();
    const o = overlayModel(r, { ...defaultViewSettings, layer: 2 });
    expect([o.imageWidth, o.imageHeight]).toEqual([200, 100]);
    expect(o.map?.id).toBe('M');
    expect(o.domain).toEqual([0, 0.7]);
    expect(o.fills.map((f) => f.index)).toEqual([0, 1, 2, 3]);
    expect(o.box).toEqual([0, 0, 112, 100]);
    expect(o.masked).toEqual([[0, -50, 100, 50]]);
  });

  it('shows A at the picked layer, and hides what is switched off', () => {
    const r = sampleResult();
    const o = overlayModel(r, { ...defaultViewSettings, layer: 1, map: 'A', showBox: false, showMasked: false });
    expect(o.map?.values).toEqual([0.1, 0, 0, 0.3]);
    expect(o.domain).toEqual([0, 0.3]);
    expect(o.box).toBeNull();
    expect(o.masked).toEqual([]);
  });

  it('draws no cells when the map is off or the method has none', () => {
    expect(overlayModel(sampleResult(), { ...defaultViewSettings, map: 'off' }).fills).toEqual([]);
    const vanilla = overlayModel(sampleResult({ method: 'vanilla', noMaps: true }), defaultViewSettings);
    expect(vanilla.map).toBeNull();
    expect(vanilla.box).toBeNull();
  });

  it("draws a world question's true box when there is one and it is switched on, with or without a map", () => {
    expect(overlayModel(sampleResult(), defaultViewSettings).truth).toBeNull();
    expect(overlayModel(sampleResult(), defaultViewSettings, [10, 20, 30, 40]).truth).toEqual([10, 20, 30, 40]);
    expect(overlayModel(sampleResult(), { ...defaultViewSettings, showTruth: false }, [10, 20, 30, 40]).truth).toBeNull();
    expect(overlayModel(sampleResult({ method: 'vanilla', noMaps: true }), defaultViewSettings, [1, 2, 3, 4]).truth).toEqual([1, 2, 3, 4]);
  });

  it('finds the cell under a point, ends exclusive', () => {
    const cells = sampleResult().views.cells;
    expect(cellAt(cells, 0, 0)).toBe(0);
    expect(cellAt(cells, 100, 49.9)).toBe(1);
    expect(cellAt(cells, 100, 50)).toBe(3);
    expect(cellAt(cells, 250, 0)).toBe(-1);
  });

  it('veils nothing when the cells cover the picture (pad-to-square), and the cut-off sides of a centre crop', () => {
    expect(overlayModel(sampleResult(), defaultViewSettings).seen).toBeNull();
    // A 200 x 100 picture centre-cropped to its middle 100 x 100: cells span x 50..150.
    const crop = [
      [50, 0, 100, 50],
      [100, 0, 150, 50],
      [50, 50, 100, 100],
      [100, 50, 150, 100],
    ] as const;
    expect(seenArea(crop, 200, 100)).toEqual([50, 0, 150, 100]);
    expect(seenArea([], 200, 100)).toBeNull();
  });

  it('colours with the chosen colormap, and a signed map always on the diverging one centred at 0', () => {
    const r = sampleResult();
    const v = overlayModel(r, { ...defaultViewSettings, layer: 2 });
    const m = overlayModel(r, { ...defaultViewSettings, layer: 2, colormap: 'magma' });
    expect(v.cmap.name).toBe('viridis');
    expect(m.cmap.name).toBe('magma');
    // the brightest cell: viridis' and magma's top colours
    expect(v.fills[0].color).toBe('#fde725');
    expect(m.fills[0].color).toBe('#fcfdbf');
    const d = overlayModel(r, { ...defaultViewSettings, layer: 2, map: 'd', colormap: 'magma' });
    expect(d.cmap.name).toBe('coolwarm');
    expect(d.domain[0]).toBeCloseTo(-d.domain[1], 12);
    expect(d.domain[1]).toBeCloseTo(0.5, 12);
  });

  it('averages A over one head or the top-k heads once their maps are loaded, the head mean meanwhile', () => {
    const r = sampleResult();
    const heads = {
      layer: 2,
      heads: [
        [1, 0, 0, 0],
        [0, 0.2, 0.4, 0],
      ],
    };
    const one = overlayModel(r, { ...defaultViewSettings, layer: 2, map: 'A', heads: { kind: 'head', head: 1 } }, null, heads);
    expect(one.map?.values).toEqual([0, 0.2, 0.4, 0]);
    expect(one.headsText).toBe('head 1');
    expect(one.headsPending).toBe(false);
    // vaqHeads at layer 2 are [0.9, 0.3]: the top-1 head is head 0
    const top = overlayModel(r, { ...defaultViewSettings, layer: 2, map: 'A', heads: { kind: 'top', k: 1 } }, null, heads);
    expect(top.map?.values).toEqual([1, 0, 0, 0]);
    expect(top.headsText).toBe('top-1 heads by VAQ (0)');
    const waiting = overlayModel(r, { ...defaultViewSettings, layer: 1, map: 'A', heads: { kind: 'head', head: 1 } }, null, heads);
    expect(waiting.headsPending).toBe(true);
    expect(waiting.map?.values).toEqual(r.views.contrastive![1]);
    // other maps are what the record has, whatever the head choice
    expect(overlayModel(r, { ...defaultViewSettings, layer: 2, heads: { kind: 'head', head: 1 } }, null, heads).map?.values).toEqual(r.views.map);
  });

  it('spans the padding of a pad-to-square input, so its cells are whole, and marks it as padding', () => {
    const o = overlayModel(sampleResult(), defaultViewSettings);
    // 200 x 100 picture padded to a square: the grid reaches 50 px above and below it
    expect(o.gridRect).toEqual([0, -50, 200, 150]);
    expect(o.extent).toEqual([0, -50, 200, 150]);
    expect(o.padding).toEqual([0, -50, 200, 150]);
    expect(o.fills.map((f) => [f.y, f.height])).toEqual([
      [-50, 100],
      [-50, 100],
      [50, 100],
      [50, 100],
    ]);
    const crop = [[50, 0, 150, 100]] as const;
    expect(gridExtent(crop, 200, 100)).toEqual([50, 0, 150, 100]);
    // a centre crop's grid lies inside the picture: the view spans just the picture
    expect(viewExtent(crop, 200, 100)).toEqual([0, 0, 200, 100]);
    // tiles fit the padded square: 78 px square, not 78 x 39 px with slivers
    expect(fitExtent(o.extent, 78)).toEqual({ width: 78, height: 78 });
    expect(fitExtent([0, 0, 200, 100], 78)).toEqual({ width: 78, height: 39 });
  });

  it('finds attention sinks of I and can leave them out of the colour scale, and says so in the metadata line', () => {
    const r = sinkResult();
    expect(resultSinks(r)).toEqual([5]);
    const within = overlayModel(r, { ...defaultViewSettings, layer: 2 });
    expect(within.sinks).toEqual([5]);
    expect(within.domain).toEqual([0, 0.5]);
    expect(within.sinksExcluded).toBe(false);
    const out = overlayModel(r, { ...defaultViewSettings, layer: 2, excludeSinks: true });
    expect(out.sinksExcluded).toBe(true);
    expect(out.domain).toEqual([0, 0.1]);
    expect(viewProvenance(out)).toBe(
      'view: map M; heads top-2 heads at l*; colormap viridis over [0, 0.1]; drawn as cells at opacity 0.6; attention sinks excluded from the scale: cells 5',
    );
    expect(viewProvenance(within)).toContain('attention sinks in the scale: cells 5');
    expect(viewProvenance(overlayModel(sampleResult(), { ...defaultViewSettings, smooth: 'bicubic' }))).toContain(
      "drawn with bicubic upsampling of the grid's cells at opacity 0.6",
    );
    expect(resultSinks(sampleResult())).toEqual([]);
    // with the no-query pass: a sink must be heavy there too (cell 5 holds half of a_0: still one)
    const withA0 = sinkResult();
    withA0.views.baseAttention = Array.from({ length: 16 }, (_, j) => (j === 5 ? 0.5 : 0.5 / 15));
    expect(resultSinks(withA0)).toEqual([5]);
    // ...and a cell only the question draws attention to is not one
    withA0.views.baseAttention = Array.from({ length: 16 }, () => 1 / 16);
    expect(resultSinks(withA0)).toEqual([]);
  });
});

/** The sample on a 4 x 4 grid whose cell 5 takes half of I's attention at every layer: a sink. */
function sinkResult(): LaserResult {
  const r = sampleResult();
  const cells: [number, number, number, number][] = [];
  for (let row = 0; row < 4; row++) for (let c = 0; c < 4; c++) cells.push([c * 50, row * 25, (c + 1) * 50, (row + 1) * 25]);
  const layer = (l: number) => Array.from({ length: 16 }, (_, j) => (j === 5 ? 0.5 : j === l ? 0.1 : 0.4 / 15));
  r.views = {
    ...r.views,
    grid: [4, 4],
    cells,
    map: Array.from({ length: 16 }, (_, j) => (j === 5 ? 0.5 : j === 0 ? 0.1 : 0.4 / 14)),
    contrastive: null,
    queryAttention: null,
    baseAttention: null,
  };
  r.record.maskedCells = [];
  r.inputImages = [{ ...r.inputImages[0], grid: [4, 4], attention: [layer(0), layer(1), layer(2)] }];
  return r;
}
