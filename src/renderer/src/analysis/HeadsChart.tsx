/** VAQ per head (layers × heads) on screen: click a row to show that layer's contrastive map. */
import { useMemo } from 'react';
import type { LaserResult } from '../../../common/contract/methods.ts';
import { SCREEN_THEME } from './chart-theme.ts';
import { EChart } from './EChart.tsx';
import { headsChartOption } from './heads-chart.ts';
import { layerAt } from './vaq-chart.ts';

export function HeadsChart({ result, selected, onSelect }: { result: LaserResult; selected: number | null; onSelect: (l: number) => void }) {
  const r = result.record;
  const vaqHeads = r.vaqHeads;
  const L = vaqHeads?.length ?? 0;
  const height = Math.min(420, Math.max(150, 16 + L * 9));
  const option = useMemo(
    () => (vaqHeads ? headsChartOption({ vaqHeads, chosen: r.layer, selected, mapHeads: r.mapHeads ?? [], barHeight: height - 64 }, SCREEN_THEME) : null),
    [vaqHeads, r.layer, r.mapHeads, selected, height],
  );
  if (!vaqHeads || !option) return <div className="muted small">{r.method} does not score heads.</div>;
  return (
    <>
      <EChart
        option={option}
        height={height}
        testId="heads-chart"
        label={`VAQ per head, ${L} layers`}
        onPick={(_x, y) => {
          const l = layerAt(y, L);
          if (l !== null) onSelect(l);
        }}
      />
      {r.mapHeads && (
        <div className="muted small">
          dots: the {r.mapHeads.length} heads of layer {r.layer} averaged into M
        </div>
      )}
    </>
  );
}
