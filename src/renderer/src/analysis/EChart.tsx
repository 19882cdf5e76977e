/**
 * One ECharts chart in a div that follows its container's size. `onPick` hears clicks anywhere in
 * the plot area as data coordinates (the category index under the pointer), so a layer can be
 * picked by clicking near its point, not only on it.
 */
import { useEffect, useRef } from 'react';
import { echarts, type EChartsCoreOption } from './echarts.ts';

export type ChartInstance = ReturnType<typeof echarts.init>;

export function EChart({
  option,
  height,
  onPick,
  testId,
  chartRef,
  label,
}: {
  option: EChartsCoreOption;
  height: number;
  onPick?: (x: number, y: number) => void;
  testId?: string;
  chartRef?: { current: ChartInstance | null };
  label: string;
}) {
  const divRef = useRef<HTMLDivElement>(null);
  const instance = useRef<ChartInstance | null>(null);
  const pick = useRef(onPick);
  pick.current = onPick;

  useEffect(() => {
    const el = divRef.current!;
    const chart = echarts.init(el, null, { renderer: 'canvas' });
    instance.current = chart;
    if (chartRef) chartRef.current = chart;
    chart.getZr().on('click', (e) => {
      const at: [number, number] = [e.offsetX, e.offsetY];
      if (!pick.current || !chart.containPixel('grid', at)) return;
      const [x, y] = chart.convertFromPixel({ gridIndex: 0 }, at) as number[];
      pick.current(x, y);
    });
    const observer = new ResizeObserver(() => chart.resize());
    observer.observe(el);
    return () => {
      observer.disconnect();
      chart.dispose();
      instance.current = null;
      if (chartRef) chartRef.current = null;
    };
  }, [chartRef]);

  useEffect(() => {
    instance.current?.setOption(option, { notMerge: true });
  }, [option]);

  return <div ref={divRef} className={onPick ? 'echart pickable' : 'echart'} style={{ height }} data-testid={testId} role="img" aria-label={label} />;
}
