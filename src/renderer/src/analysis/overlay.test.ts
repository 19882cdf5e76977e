import { describe, expect, it } from 'vitest';
import { cellAt, defaultViewSettings, overlayModel, seenArea } from './overlay.ts';
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
});
