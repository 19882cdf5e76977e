/** Wall time per stage of the run, with each stage's share of the total as a bar. */
import type { LaserResult } from '../../../common/contract/methods.ts';
import { formatDuration } from '../common/format.ts';
import { timingRows } from './stages.ts';

export function Timings({ result }: { result: LaserResult }) {
  const { rows, total } = timingRows(result.record.timings);
  return (
    <table className="data-table compact timings" data-testid="timings">
      <tbody>
        {rows.map((r) => (
          <tr key={r.stage}>
            <td>{r.label}</td>
            <td className="num">{formatDuration(r.ms)}</td>
            <td className="bar-cell">
              <span className="bar" style={{ width: `${Math.max(1, r.share * 100)}%` }} />
            </td>
          </tr>
        ))}
        <tr className="total">
          <td>Total{result.cached ? ' (when recorded; this answer came from the cache)' : ''}</td>
          <td className="num">{formatDuration(total)}</td>
          <td />
        </tr>
      </tbody>
    </table>
  );
}
