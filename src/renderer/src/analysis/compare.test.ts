import { describe, expect, it } from 'vitest';
import type { LaserResult } from '../../../common/contract/methods.ts';
import { addPin, comparePanels, defaultCompareSettings, differenceProblem, differenceValues, drawPanels, MAX_PINS } from './compare.ts';
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
