import { describe, expect, it } from 'vitest';
import { EXPORT_THEME, SCREEN_THEME } from './chart-theme.ts';
import { layerAt, layerLabelStep, vaqChartOption, vaqTooltip } from './vaq-chart.ts';

type Series = { type: string; data: unknown[]; markLine?: { data: unknown[]; label: { formatter: string } }; markArea?: { data: unknown[] } };

describe('VAQ chart', () => {
  const vaq = [0.1, 0.5, 0.3, 0.2, 0.05];

  it('plots one point per layer and marks the chosen layer', () => {
    const o = vaqChartOption({ vaq, chosen: 1, selected: null, searched: null }, SCREEN_THEME);
    const [line, ring] = o.series as Series[];
    expect(line.data).toEqual(vaq);
    expect(line.markLine?.data).toEqual([{ xAxis: '1' }]);
    expect(line.markLine?.label.formatter).toBe('l* = 1');
    expect(ring.data).toEqual([]);
    expect((o.xAxis as { data: string[] }).data).toEqual(['0', '1', '2', '3', '4']);
  });

  it('rings the selected layer at its value', () => {
    const o = vaqChartOption({ vaq, chosen: 1, selected: 3, searched: null }, SCREEN_THEME);
    expect((o.series as Series[])[1].data).toEqual([['3', 0.2]]);
  });

  it('shades layers outside the searched range', () => {
    const o = vaqChartOption({ vaq, chosen: 2, selected: null, searched: [1, 3] }, EXPORT_THEME);
    expect((o.series as Series[])[0].markArea?.data).toEqual([
      [{ xAxis: '0' }, { xAxis: '0' }],
      [{ xAxis: '4' }, { xAxis: '4' }],
    ]);
    expect(vaqChartOption({ vaq, chosen: 2, selected: null, searched: [0, 4] }, EXPORT_THEME).series).toSatisfy((s: Series[]) => s[0].markArea === undefined);
  });

  it('has no chosen-layer line when there is no chosen layer', () => {
    const o = vaqChartOption({ vaq, chosen: null, selected: null, searched: null }, SCREEN_THEME);
    expect((o.series as Series[])[0].markLine).toBeUndefined();
  });

  it('writes its tooltip as plain text, without the style attributes the CSP refuses', () => {
    const o = vaqChartOption({ vaq, chosen: 1, selected: 3, searched: null }, SCREEN_THEME);
    const formatter = (o.tooltip as { formatter: (p: unknown) => string }).formatter;
    const points = [
      { seriesName: 'VAQ', axisValue: '2', value: 0.125 },
      { seriesName: 'selected', axisValue: '2', value: ['2', 0.125] },
    ];
    expect(formatter(points)).toMatch(/^layer 2<br\/>VAQ 0\.1[0-9]*$/);
    expect(formatter(points)).not.toMatch(/style=|<span|<div/);
    expect(vaqTooltip([{ seriesName: 'VAQ', axisValue: '0', value: 0.5 }], 2)).toBe('layer 0<br/>VAQ 0.50');
    expect(vaqTooltip([{ seriesName: 'VAQ', axisValue: '1', value: Number.NaN }], 2)).toBe('layer 1<br/>VAQ -');
    expect(vaqTooltip([], 2)).toBe('');
  });

  it('labels fewer layers as models get deeper', () => {
    expect([layerLabelStep(4), layerLabelStep(32), layerLabelStep(80)]).toEqual([1, 4, 8]);
  });

  it('maps a click position to a layer, or to none outside the axis', () => {
    expect(layerAt(2.4, 5)).toBe(2);
    expect(layerAt(-0.6, 5)).toBeNull();
    expect(layerAt(5, 5)).toBeNull();
    expect(layerAt(undefined, 5)).toBeNull();
  });
});
