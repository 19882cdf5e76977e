/**
 * Where a session starts: open a folder by path (with the host's folder browser to find it), by
 * the native dialog where there is one, or from the recent folders.
 */
import { useState } from 'react';
import type { HostInfo, RecentFolder } from '../../../common/contract/methods.ts';
import { ErrorPanel } from '../common/ErrorPanel.tsx';
import type { CallState } from '../common/use-call.ts';
import { FolderPathForm } from './FolderPathForm.tsx';

export function StartScreen({
  host,
  recent,
  onOpen,
  onPickNative,
  onBackToLibrary,
  currentRoot,
}: {
  host: HostInfo;
  recent: CallState<RecentFolder[]>;
  onOpen: (path: string) => void;
  onPickNative: (() => void) | null;
  onBackToLibrary: (() => void) | null;
  currentRoot: string | null;
}) {
  const [path, setPath] = useState(currentRoot ?? '');

  return (
    <div className="start-screen" data-testid="start-screen">
      <section className="start-section">
        <h1>Open a folder of images</h1>
        <p className="muted">The folder is scanned recursively; images stay where they are and are only read, never changed.</p>
        <FolderPathForm
          home={host.homeDir}
          path={path}
          onPathChange={setPath}
          onSubmit={onOpen}
          input={{ testId: 'path-input', label: 'Folder path', placeholder: `Folder path, e.g. ${host.homeDir}`, autoFocus: true }}
          submit={{ testId: 'path-open', label: 'Open' }}
          browseTestId="browse-toggle"
        >
          {onPickNative && (
            <button type="button" data-testid="pick-folder" onClick={onPickNative}>
              Choose folder…
            </button>
          )}
          {onBackToLibrary && (
            <button type="button" data-testid="back-to-library" onClick={onBackToLibrary}>
              Back to library
            </button>
          )}
        </FolderPathForm>
      </section>

      <section className="start-section">
        <h2>Recent folders</h2>
        {recent.status === 'loading' && <div className="muted">Loading…</div>}
        {recent.status === 'error' && <ErrorPanel title="Could not read the recent folders" error={recent.error} />}
        {recent.status === 'ok' && recent.value.length === 0 && <div className="muted">None yet. Folders you open are remembered here.</div>}
        {recent.status === 'ok' && recent.value.length > 0 && (
          <ul className="recent-list">
            {recent.value.map((r) => (
              <li key={r.path}>
                <button className="recent-item" data-testid="recent-folder" onClick={() => onOpen(r.path)} title={r.path}>
                  <span className="recent-path">{r.path}</span>
                  <span className="recent-when">{formatOpenedAt(r.openedAt)}</span>
                </button>
              </li>
            ))}
          </ul>
        )}
      </section>
    </div>
  );
}

function formatOpenedAt(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? '' : d.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}
