/** The scan's live count while it runs, and its summary and warnings when it is over. */
import { useState } from 'react';
import { formatCount, formatDuration, plural } from '../common/format.ts';
import type { ScanState } from './scan-state.ts';

export function ScanStatus({ state, onCancel, onRescan }: { state: ScanState; onCancel: () => void; onRescan: () => void }) {
  const [showWarnings, setShowWarnings] = useState(false);
  const warnings = state.summary?.warnings ?? [];
  return (
    <div className="scan-status" data-testid="scan-status" data-state={state.status}>
      {state.status === 'scanning' && <span className="spinner" aria-hidden />}
      <span className="scan-counts">
        <span data-testid="scan-found">{formatCount(state.found)}</span> {state.found === 1 ? 'image' : 'images'}
        <span className="sep">·</span>
        <span data-testid="scan-broken" className={state.broken > 0 ? 'warn' : undefined}>
          {formatCount(state.broken)}
        </span>{' '}
        broken
        <span className="sep">·</span>
        {plural(state.directoriesVisited, 'folder')}
      </span>
      {state.status === 'scanning' && (
        <>
          <span className="muted">scanning…</span>
          <button data-testid="scan-cancel" onClick={onCancel}>
            Cancel
          </button>
        </>
      )}
      {state.status === 'done' && state.summary && (
        <span className="muted" data-testid="scan-summary">
          done in {formatDuration(state.summary.elapsedMs)}
        </span>
      )}
      {state.status === 'cancelled' && (
        <>
          <span className="warn">cancelled; showing what was found so far</span>
          <button onClick={onRescan}>Scan again</button>
        </>
      )}
      {warnings.length > 0 && (
        <button className="link warn" data-testid="scan-warnings-toggle" onClick={() => setShowWarnings((s) => !s)} aria-expanded={showWarnings}>
          {plural(warnings.length, 'warning')}
        </button>
      )}
      {showWarnings && warnings.length > 0 && (
        <ul className="scan-warnings" data-testid="scan-warnings">
          {warnings.map((w, i) => (
            <li key={i}>{w}</li>
          ))}
        </ul>
      )}
    </div>
  );
}
