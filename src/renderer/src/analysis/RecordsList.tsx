/** Stored runs on this image (matched by content, newest first); a click re-opens one without running the model. */
import type { LaserRecordSummary, LaserResult } from '../../../common/contract/methods.ts';
import { ErrorPanel } from '../common/ErrorPanel.tsx';
import type { CallState } from '../common/use-call.ts';

function when(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? '' : d.toLocaleString(undefined, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
}

export function RecordsList({
  records,
  current,
  onOpen,
}: {
  records: CallState<LaserRecordSummary[]>;
  current: LaserResult | null;
  onOpen: (id: string) => void;
}) {
  if (records.status === 'loading') return <div className="muted small">Loading…</div>;
  if (records.status === 'error') return <ErrorPanel title="Could not list the stored runs" error={records.error} testId="records-error" />;
  if (records.value.length === 0)
    return (
      <div className="muted small" data-testid="records-empty">
        No runs on this image yet.
      </div>
    );
  return (
    <table className="data-table compact records fixed" data-testid="records-list">
      <colgroup>
        <col style={{ width: 92 }} />
        <col style={{ width: 92 }} />
        <col />
        <col style={{ width: 110 }} />
        <col style={{ width: 30 }} />
      </colgroup>
      <tbody>
        {records.value.map((r) => (
          <tr
            key={r.id}
            className={`clickable${current?.id === r.id ? ' current' : ''}`}
            onClick={() => onOpen(r.id)}
            data-testid="record-row"
            title={`${r.question}\n→ ${r.answer}\n${r.modelName} · record ${r.id.slice(0, 12)}`}
          >
            <td className="muted tiny" title={new Date(r.createdAt).toLocaleString()}>
              {when(r.createdAt)}
            </td>
            <td className="mono tiny">{r.method}</td>
            <td className="ellipsis">{r.question}</td>
            <td className="answer-cell ellipsis">{r.answer}</td>
            <td className="num">{r.layer ?? '—'}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
