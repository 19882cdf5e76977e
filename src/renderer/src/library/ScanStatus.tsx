/** The scan's live count while it runs, and its summary and warnings when it is over. */
import { useState } from 'react';
import { formatCount, formatDuration, plural } from '../common/format.ts';
import type { ScanState } from './scan-state.ts';

/**
 * `lateBroken`: files the scan listed (their header read fine) whose thumbnails then failed, such as
 * a truncated PNG; the count shown adds them to the scan's, and its tooltip says which is which.
 */
export function ScanStatus({
  state,
  onCancel,
  onRescan,
  lateBroken = 0,
}: {
  state: ScanState;
  onCancel: () => void;
  onRescan: () => void;
  lateBroken?: number;
}) {
  const [showWarnings, setShowWarnings] = useState(false);
  const warnings = state.summary?.warnings ?? [];
  const broken = state.broken + lateBroken;
  const brokenTitle =
    `${plural(state.broken, 'file')} the scan could not read` +
    (lateBroken > 0
      ? `; ${plural(lateBroken, 'more file')} whose header reads but whose pixels do not decode (found when ${lateBroken === 1 ? 'its' : 'their'} thumbnail failed)`
      : '') +
    '. A file whose pixels are cut off shows up here once its tile has been shown.';
  return (
    <div className="scan-status" data-testid="scan-status" data-state={state.status}>
      {state.status === 'scanning' && <span className="spinner" aria-hidden />}
      <span className="scan-counts">
        <span data-testid="scan-found">{formatCount(state.found)}</span> {state.found === 1 ? 'image' : 'images'}
        <span className="sep">·</span>
        <span title={brokenTitle} data-testid="scan-broken-count">
          <span data-testid="scan-broken" className={broken > 0 ? 'warn' : undefined} data-scan={state.broken} data-late={lateBroken}>
            {formatCount(broken)}
          </span>{' '}
          broken
        </span>
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
