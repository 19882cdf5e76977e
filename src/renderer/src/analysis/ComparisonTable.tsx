/** "Run all six": one row per method, filling in as they finish; a row opens that method's result. */
import type { LaserResult } from '../../../common/contract/methods.ts';
import type { MethodId } from '../../../common/laser/knobs.ts';
import { formatDuration } from '../common/format.ts';
import { comparisonRow } from './comparison.ts';
import type { Comparison } from './use-analysis.ts';

export function ComparisonTable({ comparison, current, onShow }: { comparison: Comparison; current: LaserResult | null; onShow: (r: LaserResult) => void }) {
  const methods = Object.keys(comparison) as MethodId[];
  return (
    <table className="data-table compact comparison fixed" data-testid="comparison-table">
      <colgroup>
        <col style={{ width: 96 }} />
        <col />
        <col style={{ width: 42 }} />
        <col style={{ width: 124 }} />
        <col style={{ width: 62 }} />
      </colgroup>
      <thead>
        <tr>
          <th>method</th>
          <th>answer</th>
          <th className="num">layer</th>
          <th>box</th>
          <th className="num">time</th>
        </tr>
      </thead>
      <tbody>
        {methods.map((m) => {
          const o = comparison[m]!;
          if (o.status === 'ok') {
            const row = comparisonRow(m, o.result);
            const isCurrent = current?.id === o.result.id;
            return (
              <tr
                key={m}
                className={`clickable${isCurrent ? ' current' : ''}`}
                onClick={() => onShow(o.result)}
                data-testid="comparison-row"
                data-method={m}
                data-status="ok"
                title="Show this result"
              >
                <td className="mono tiny">{m}</td>
                <td
                  className="answer-cell"
                  title={`${row.answer}\n${row.changed ? `differs from the baseline answer "${o.result.record.baselineAnswer}"` : 'same as the baseline answer'}`}
                >
                  {row.empty ? <span className="muted">{row.answer}</span> : row.answer}
                  {row.changed && m !== 'vanilla' && <span className="changed-mark">Δ</span>}
                </td>
                <td className="num">{row.layer}</td>
                <td className="mono tiny" title={row.box}>
                  {row.boxShort}
                </td>
                <td className="num" title={row.cached ? 'from the record cache; the time is that of the recorded run' : undefined}>
                  {row.ms === null ? '' : formatDuration(row.ms)}
                  {row.cached ? ' ⟲' : ''}
                </td>
              </tr>
            );
          }
          return (
            <tr key={m} data-testid="comparison-row" data-method={m} data-status={o.status}>
              <td className="mono tiny">{m}</td>
              <td
                colSpan={4}
                className={o.status === 'error' ? 'bad small' : 'muted small'}
                title={o.status === 'error' ? [o.error.message, o.error.hint].filter(Boolean).join('\n') : undefined}
              >
                {o.status === 'pending' && 'waiting'}
                {o.status === 'running' && 'running…'}
                {o.status === 'error' && (o.error.code === 'cancelled' ? 'cancelled' : o.error.message)}
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
