/** VAQ per layer on screen: click a layer (anywhere above it) to show its contrastive map. */
import { useMemo } from 'react';
import type { LaserResult } from '../../../common/contract/methods.ts';
import { SCREEN_THEME } from './chart-theme.ts';
import { EChart, type ChartInstance } from './EChart.tsx';
import { layerAt, vaqChartOption } from './vaq-chart.ts';

export function VaqChart({
  result,
  selected,
  onSelect,
  chartRef,
}: {
  result: LaserResult;
  selected: number | null;
  onSelect: (l: number) => void;
  chartRef?: { current: ChartInstance | null };
}) {
  const r = result.record;
  const vaq = r.vaq;
  const option = useMemo(
    () => (vaq ? vaqChartOption({ vaq, chosen: r.layer, selected, searched: r.layerChoice?.searched ?? null }, SCREEN_THEME) : null),
    [vaq, r.layer, r.layerChoice, selected],
  );
  if (!vaq || !option) return <div className="muted small">{r.method} does not score layers (no VAQ).</div>;
  return (
    <EChart
      option={option}
      height={170}
      testId="vaq-chart"
      label={`VAQ per layer; chosen layer ${r.layer}`}
      chartRef={chartRef}
      onPick={(x) => {
        const l = layerAt(x, vaq.length);
        if (l !== null) onSelect(l);
      }}
    />
  );
}
