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
  const option = useMemo(
    () => (vaqHeads ? headsChartOption({ vaqHeads, chosen: r.layer, selected, mapHeads: r.mapHeads ?? [] }, SCREEN_THEME) : null),
    [vaqHeads, r.layer, r.mapHeads, selected],
  );
  if (!vaqHeads || !option) return <div className="muted small">{r.method} does not score heads.</div>;
  const L = vaqHeads.length;
  return (
    <>
      <EChart
        option={option}
        height={Math.min(420, Math.max(140, 16 + L * 9))}
        testId="heads-chart"
        label={`VAQ per head, ${L} layers`}
        onPick={(_x, y) => {
          const l = layerAt(y, L);
          if (l !== null) onSelect(l);
        }}
      />
      {r.mapHeads && <div className="muted small">dots: the {r.mapHeads.length} heads of layer {r.layer} averaged into M</div>}
    </>
  );
}
