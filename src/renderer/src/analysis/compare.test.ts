import { describe, expect, it } from 'vitest';
import type { LaserResult } from '../../../common/contract/methods.ts';
import {
  addPin,
  comparePanels,
  defaultCompareSettings,
  differenceProblem,
  differenceValues,
  drawPanels,
  headMapsKey,
  MAX_PINS,
  neededHeadMaps,
} from './compare.ts';
import { sampleResult } from './testing/sample-result.ts';

function pinned(id: string, method: LaserResult['record']['method'] = 'laser', over: (r: LaserResult) => void = () => {}): LaserResult {
  const r = sampleResult({ method });
  r.id = id.repeat(64).slice(0, 64);
  over(r);
  return r;
}

describe('compare', () => {
  it('pins up to four runs, once each, dropping the oldest', () => {
    let pins: LaserResult[] = [];
    for (const id of ['a', 'b', 'c', 'd', 'e']) pins = addPin(pins, pinned(id));
    expect(pins).toHaveLength(MAX_PINS);
    expect(pins.map((p) => p.id[0])).toEqual(['b', 'c', 'd', 'e']);
    expect(addPin(pins, pins[0])).toHaveLength(MAX_PINS);
  });

  it('links the layer: A of every run at the one layer, clamped to each run', () => {
    const panels = comparePanels([pinned('a'), pinned('b')], { ...defaultCompareSettings, map: 'A', layer: 1 });
    expect(panels.map((p) => [p.layer, p.values])).toEqual([
      [1, [0.1, 0, 0, 0.3]],
      [1, [0.1, 0, 0, 0.3]],
    ]);
    expect(comparePanels([pinned('a')], { ...defaultCompareSettings, map: 'A', layer: 9 })[0].layer).toBe(2);
    const none = comparePanels([sampleResult({ method: 'vanilla', noMaps: true })], defaultCompareSettings)[0];
    expect([none.values, none.note]).toEqual([null, 'vanilla makes no map M']);
  });

  it('links the heads of A: one head or the top-k of each run at the linked layer, from its per-head maps', () => {
    const a = pinned('a');
    const b = pinned(
      'b',
      'laser',
      (r) =>
        (r.record.vaqHeads = [
          [0, 0],
          [0, 0],
          [0.1, 0.8],
        ]),
    );
    const s = { ...defaultCompareSettings, map: 'A' as const, layer: 2, heads: { kind: 'top' as const, k: 1 } };
    expect(neededHeadMaps([a, b], s)).toEqual([
      { id: a.id, layer: 2 },
      { id: b.id, layer: 2 },
    ]);
    expect(neededHeadMaps([a, b], { ...s, heads: { kind: 'mean' } })).toEqual([]);
    expect(neededHeadMaps([a, b], { ...s, map: 'M' })).toEqual([]);
    const heads = {
      layer: 2,
      heads: [
        [1, 0, 0, 0],
        [0, 0, 0, 1],
      ],
    };
    const maps = new Map([
      [headMapsKey(a.id, 2), heads],
      [headMapsKey(b.id, 2), heads],
    ]);
    // a ranks head 0 first (VAQ 0.9 > 0.3), b head 1 (0.8 > 0.1)
    const top = comparePanels([a, b], s, maps);
    expect(top.map((p) => p.values)).toEqual([
      [1, 0, 0, 0],
      [0, 0, 0, 1],
    ]);
    expect(top.map((p) => p.note)).toEqual(['top-1 heads by VAQ (0)', 'top-1 heads by VAQ (1)']);
    const one = comparePanels([a, b], { ...s, heads: { kind: 'head', head: 1 } }, maps);
    expect(one.map((p) => p.values)).toEqual([
      [0, 0, 0, 1],
      [0, 0, 0, 1],
    ]);
    const missing = comparePanels([a], { ...s, heads: { kind: 'head', head: 5 } }, maps)[0];
    expect([missing.values, missing.note]).toEqual([null, 'tiny has heads 0..1 only']);
    expect(comparePanels([a], s)[0].note).toBe('loading top-1 heads by VAQ…');
  });

  it('colours all panels on one scale by default, or each on its own', () => {
    const a = pinned('a');
    const b = pinned('b', 'laser', (r) => (r.views.map = [0.1, 0.1, 0.1, 1.4]));
    const shared = drawPanels(comparePanels([a, b], defaultCompareSettings), defaultCompareSettings);
    expect(shared.map((p) => p.domain)).toEqual([
      [0, 1.4],
      [0, 1.4],
    ]);
    const own = drawPanels(comparePanels([a, b], defaultCompareSettings), { ...defaultCompareSettings, scale: 'per-panel' });
    expect(own.map((p) => p.domain)).toEqual([
      [0, 0.7],
      [0, 1.4],
    ]);
  });

  it('subtracts two runs on the same image and grid, on a diverging scale centred at 0, and says why not otherwise', () => {
    const a = pinned('a');
    const b = pinned('b', 'laser', (r) => (r.views.map = [0.2, 0.1, 0.1, 0.6]));
    expect(differenceProblem(a, b)).toBeNull();
    const [d] = drawPanels(comparePanels([a, b], defaultCompareSettings), { ...defaultCompareSettings, difference: true });
    expect(d.values!.map((v) => Math.round(v * 100) / 100)).toEqual([0.5, 0, 0.1, -0.6]);
    expect(d.domain).toEqual([-0.6, 0.6]);
    expect(d.cmap.kind).toBe('diverging');
    const elsewhere = pinned('c', 'laser', (r) => (r.record.image = { ...r.record.image, hash: 'd'.repeat(64) }));
    expect(differenceProblem(a, elsewhere)).toBe('the two runs are on different images');
    const otherGrid = pinned('e', 'laser', (r) => (r.inputImages[0] = { ...r.inputImages[0], grid: [1, 4] }));
    expect(differenceProblem(a, otherGrid)).toBe('the two runs saw the image on different grids');
    expect(() => differenceValues([1], [1, 2])).toThrow(/1 cells against 2/);
  });
});
