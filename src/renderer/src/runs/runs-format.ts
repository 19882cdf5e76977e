/** How the Runs view words a run's progress: rows done of expected, rate, ETA, the running metric. */
import type { RunInfo } from '../../../common/contract/methods.ts';
import { formatCount, formatDuration } from '../common/format.ts';

/** Share of the expected rows done, 0..1 (0 for a run that expects none). */
export function progressShare(run: Pick<RunInfo, 'rows' | 'expected'>): number {
  return run.expected === 0 ? 0 : Math.min(1, run.rows / run.expected);
}

export function progressText(run: Pick<RunInfo, 'rows' | 'expected'>): string {
  return `${formatCount(run.rows)} / ${formatCount(run.expected)} (${(100 * progressShare(run)).toFixed(run.rows === run.expected || run.rows === 0 ? 0 : 1)} %)`;
}

/** "2.5 rows/s" (or per minute when slow); '' when unknown. */
export function rateText(rate: number | null): string {
  if (rate === null) return '';
  if (rate >= 1) return `${rate.toFixed(rate >= 10 ? 0 : 1)} rows/s`;
  return `${(rate * 60).toFixed(rate * 60 >= 10 ? 0 : 1)} rows/min`;
}

/** "ETA 3 min 20 s", the hours spelled out past one; '' when unknown. */
export function etaText(etaMs: number | null): string {
  if (etaMs === null) return '';
  if (etaMs >= 3_600_000) {
    const h = Math.floor(etaMs / 3_600_000);
    return `ETA ${h} h ${Math.round((etaMs % 3_600_000) / 60_000)} min`;
  }
  return `ETA ${formatDuration(etaMs)}`;
}

export function metricText(metric: number | null): string {
  return metric === null ? '' : `${(100 * metric).toFixed(1)} %`;
}

/** Whether the list should be polled: some run is being written. */
export function anyRunning(runs: readonly Pick<RunInfo, 'state'>[]): boolean {
  return runs.some((r) => r.state === 'running');
}
