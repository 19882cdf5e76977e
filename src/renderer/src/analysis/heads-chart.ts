/**
 * The ECharts option of the VAQ-per-head heatmap (Eq. 4): layers down (layer 0 at the top, as in
 * `laser figure heads`), heads across, coloured on the workbench colormap from 0; the heads the map
 * averaged are dotted on the chosen layer's row, and the chosen and selected layers' labels stand out.
 */
import type { HeatmapSeriesOption, ScatterSeriesOption } from 'echarts/charts';
import type { GridComponentOption, TooltipComponentOption, VisualMapComponentOption } from 'echarts/components';
import type { ComposeOption } from 'echarts/core';
import { formatNumber, vaqDecimalsFor } from '../../../common/figures/index.ts';
import type { ChartTheme } from './chart-theme.ts';
import { colormapStops, mapDomain } from './heatmap.ts';
import { layerLabelStep } from './vaq-chart.ts';

export type HeadsChartOption = ComposeOption<
  HeatmapSeriesOption | ScatterSeriesOption | GridComponentOption | TooltipComponentOption | VisualMapComponentOption
>;

export interface HeadsChartInput {
  /** [layers][heads]. */
  vaqHeads: readonly (readonly number[])[];
  chosen: number | null;
  selected: number | null;
  /** Heads of the chosen layer averaged into the map. */
  mapHeads: readonly number[];
  /** Length of the colour bar in px (it and its two labels must fit the chart's height). */
  barHeight?: number;
}

/** [head, layer, value] triples, the layout ECharts' heatmap takes. */
export function headCells(vaqHeads: readonly (readonly number[])[]): [number, number, number][] {
  const out: [number, number, number][] = [];
  vaqHeads.forEach((row, l) => row.forEach((v, h) => out.push([h, l, v])));
  return out;
}

export function headsChartOption(i: HeadsChartInput, t: ChartTheme): HeadsChartOption {
  const L = i.vaqHeads.length;
  const H = L > 0 ? i.vaqHeads[0].length : 0;
  const [lo, hi] = mapDomain(i.vaqHeads.flat());
  const decimals = vaqDecimalsFor(i.vaqHeads.flat());
  const text = { color: t.muted, fontFamily: t.font, fontSize: t.fontSize };
  const rowLabel = (l: number) => (l === i.chosen ? `{chosen|${l}}` : l === i.selected ? `{selected|${l}}` : String(l));
  return {
    animation: false,
    backgroundColor: t.background,
    textStyle: { fontFamily: t.font, fontSize: t.fontSize, color: t.text },
    // containLabel leaves room for tick labels only; the axis names get their own margins.
    grid: { left: 22, right: 56, top: 8, bottom: 20, containLabel: true },
    tooltip: {
      formatter: (p) => {
        const v = (p as { value?: unknown }).value;
        if (!Array.isArray(v) || v.length < 3) return '';
        return `layer ${v[1]} · head ${v[0]}<br/>VAQ ${Number(v[2]).toFixed(decimals)}`;
      },
    },
    xAxis: {
      type: 'category',
      data: Array.from({ length: H }, (_, h) => String(h)),
      name: 'head',
      nameLocation: 'middle',
      nameGap: 20,
      nameTextStyle: text,
      axisLabel: { ...text, interval: layerLabelStep(H) - 1 },
      axisTick: { show: false },
      axisLine: { show: false },
      splitArea: { show: false },
    },
    yAxis: {
      type: 'category',
      inverse: true,
      data: Array.from({ length: L }, (_, l) => String(l)),
      name: 'layer',
      nameLocation: 'middle',
      nameGap: 22,
      nameTextStyle: text,
      axisTick: { show: false },
      axisLine: { show: false },
      axisLabel: {
        ...text,
        interval: (l: number) => l === i.chosen || l === i.selected || l % layerLabelStep(L) === 0,
        formatter: (v: string) => rowLabel(Number(v)),
        rich: {
          chosen: { color: t.chosen, fontWeight: 'bold', fontSize: t.fontSize },
          selected: { color: t.selected, fontWeight: 'bold', fontSize: t.fontSize },
        },
      },
    },
    visualMap: {
      type: 'continuous',
      min: lo,
      max: hi,
      dimension: 2,
      seriesIndex: 0,
      calculable: false,
      orient: 'vertical',
      right: 4,
      top: 'middle',
      itemHeight: i.barHeight ?? 120,
      itemWidth: 10,
      precision: Math.min(decimals, 4),
      text: [formatNumber(hi), formatNumber(lo)],
      textGap: 4,
      textStyle: text,
      inRange: { color: colormapStops(16) },
    },
    series: [
      { type: 'heatmap', data: headCells(i.vaqHeads), progressive: 0, emphasis: { itemStyle: { borderColor: t.selected, borderWidth: 1 } } },
      {
        type: 'scatter',
        silent: true,
        symbol: 'circle',
        symbolSize: H > 40 ? 3 : 5,
        itemStyle: { color: '#ffffff', borderColor: '#000000', borderWidth: 1 },
        data: i.chosen === null ? [] : i.mapHeads.map((h) => [String(h), String(i.chosen)]),
        tooltip: { show: false },
      },
    ],
  };
}
