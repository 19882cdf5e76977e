/**
 * The ECharts option of the VAQ-per-layer chart (Eq. 5): one point per layer, the chosen layer l*
 * marked with a vertical line, the layer selected in the views ringed, and layers outside the
 * searched range shaded. Pure, so the chart's content is tested without a browser.
 */
import type { LineSeriesOption, ScatterSeriesOption } from 'echarts/charts';
import type { GridComponentOption, MarkAreaComponentOption, MarkLineComponentOption, TooltipComponentOption } from 'echarts/components';
import type { ComposeOption } from 'echarts/core';
import { formatNumber, vaqDecimalsFor } from '../../../common/figures/index.ts';
import type { ChartTheme } from './chart-theme.ts';

export type VaqChartOption = ComposeOption<
  LineSeriesOption | ScatterSeriesOption | GridComponentOption | TooltipComponentOption | MarkLineComponentOption | MarkAreaComponentOption
>;

export interface VaqChartInput {
  vaq: readonly number[];
  chosen: number | null;
  selected: number | null;
  /** Layers the argmax ran over, inclusive. */
  searched: readonly [number, number] | null;
  title?: string;
}

/** A label every `step` layers, so 32 or 80 layers stay readable. */
export function layerLabelStep(layers: number): number {
  return layers <= 16 ? 1 : layers <= 40 ? 4 : 8;
}

export function vaqChartOption(i: VaqChartInput, t: ChartTheme): VaqChartOption {
  const n = i.vaq.length;
  const decimals = vaqDecimalsFor(i.vaq);
  const step = layerLabelStep(n);
  const text = { color: t.muted, fontFamily: t.font, fontSize: t.fontSize };
  const outside: [{ xAxis: string }, { xAxis: string }][] = [];
  if (i.searched) {
    const [lo, hi] = i.searched;
    if (lo > 0) outside.push([{ xAxis: '0' }, { xAxis: String(lo - 1) }]);
    if (hi < n - 1) outside.push([{ xAxis: String(hi + 1) }, { xAxis: String(n - 1) }]);
  }
  return {
    animation: false,
    backgroundColor: t.background,
    textStyle: { fontFamily: t.font, fontSize: t.fontSize, color: t.text },
    ...(i.title ? { title: { text: i.title, left: 'center', textStyle: { fontSize: 12, color: t.text, fontFamily: t.font } } } : {}),
    // containLabel leaves room for tick labels only; the axis names get their own margins.
    grid: { left: 8, right: 14, top: i.title ? 44 : 24, bottom: 20, containLabel: true },
    tooltip: {
      trigger: 'axis',
      axisPointer: { type: 'line', lineStyle: { color: t.axis } },
      // Plain text, not ECharts' default markup: that carries inline style attributes, which the
      // CSP (style-src without 'unsafe-inline') refuses when ECharts sets it as innerHTML.
      formatter: (p) => vaqTooltip(p, decimals),
    },
    xAxis: {
      type: 'category',
      data: i.vaq.map((_, l) => String(l)),
      name: 'layer',
      nameLocation: 'middle',
      nameGap: 20,
      nameTextStyle: text,
      axisLine: { lineStyle: { color: t.axis } },
      axisTick: { alignWithLabel: true, interval: step - 1 },
      axisLabel: { ...text, interval: step - 1 },
    },
    yAxis: {
      type: 'value',
      name: 'VAQ',
      nameLocation: 'end',
      nameGap: 8,
      nameTextStyle: { ...text, align: 'left' },
      min: 0,
      axisLabel: { ...text, formatter: (v: number) => formatNumber(v) },
      splitLine: { lineStyle: { color: t.gridLine } },
    },
    series: [
      {
        type: 'line',
        name: 'VAQ',
        data: [...i.vaq],
        symbol: 'circle',
        symbolSize: n > 40 ? 3 : 5,
        lineStyle: { color: t.line, width: 1.5 },
        itemStyle: { color: t.line },
        emphasis: { scale: 1.6 },
        markLine:
          i.chosen === null
            ? undefined
            : {
                silent: true,
                symbol: 'none',
                lineStyle: { color: t.chosen, type: 'dashed', width: 1 },
                label: { formatter: `l* = ${i.chosen}`, color: t.chosen, fontFamily: t.font, fontSize: t.fontSize, position: 'end', distance: 2 },
                data: [{ xAxis: String(i.chosen) }],
              },
        markArea: outside.length === 0 ? undefined : { silent: true, itemStyle: { color: t.outside }, data: outside },
      },
      {
        type: 'scatter',
        name: 'selected',
        silent: true,
        z: 5,
        symbol: 'circle',
        symbolSize: 11,
        itemStyle: { color: 'transparent', borderColor: t.selected, borderWidth: 2 },
        data: i.selected === null || i.selected >= n ? [] : [[String(i.selected), i.vaq[i.selected]]],
        tooltip: { show: false },
      },
    ],
  };
}

/** "layer 5<br/>VAQ 0.123" for the axis tooltip's points (those of the VAQ line); '' for none. */
export function vaqTooltip(params: unknown, decimals: number): string {
  const points = (Array.isArray(params) ? params : [params]) as { seriesName?: unknown; axisValue?: unknown; value?: unknown }[];
  const point = points.find((p) => p?.seriesName === 'VAQ');
  if (!point) return '';
  const v = point.value;
  const value = typeof v === 'number' && Number.isFinite(v) ? v.toFixed(decimals) : '-';
  return `layer ${Number(point.axisValue)}<br/>VAQ ${value}`;
}

/** The layer under a horizontal position, from ECharts' pixel-to-data conversion; null outside. */
export function layerAt(x: number | undefined, layers: number): number | null {
  if (x === undefined || !Number.isFinite(x)) return null;
  const l = Math.round(x);
  return l >= 0 && l < layers ? l : null;
}
