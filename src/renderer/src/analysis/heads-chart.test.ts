import { describe, expect, it } from 'vitest';
import { SCREEN_THEME } from './chart-theme.ts';
import { headCells, headsChartOption } from './heads-chart.ts';

type Series = { type: string; data: unknown[] };

describe('VAQ per head heatmap', () => {
  const vaqHeads = [
    [0.1, 0.2, 0.05],
    [0.4, 0.8, 0.3],
  ];

  it('lays every layer and head out as [head, layer, value]', () => {
    expect(headCells(vaqHeads)).toEqual([
      [0, 0, 0.1],
      [1, 0, 0.2],
      [2, 0, 0.05],
      [0, 1, 0.4],
      [1, 1, 0.8],
      [2, 1, 0.3],
    ]);
  });

  it('colours from 0 to the largest head score and dots the map heads on the chosen row', () => {
    const o = headsChartOption({ vaqHeads, chosen: 1, selected: 0, mapHeads: [1, 0] }, SCREEN_THEME);
    const vm = o.visualMap as { min: number; max: number; inRange: { color: string[] } };
    expect([vm.min, vm.max]).toEqual([0, 0.8]);
    expect(vm.inRange.color).toHaveLength(16);
    const [, dots] = o.series as Series[];
    expect(dots.data).toEqual([
      ['1', '1'],
      ['0', '1'],
    ]);
  });

  it('names the chosen and selected layers in their own styles', () => {
    const o = headsChartOption({ vaqHeads, chosen: 1, selected: 0, mapHeads: [] }, SCREEN_THEME);
    const fmt = (o.yAxis as { axisLabel: { formatter: (v: string) => string } }).axisLabel.formatter;
    expect([fmt('0'), fmt('1')]).toEqual(['{selected|0}', '{chosen|1}']);
  });
});
