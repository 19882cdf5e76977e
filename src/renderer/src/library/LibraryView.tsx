/**
 * An opened folder: the scan's status, the grid of what it found (filling in while it runs), and
 * the image view on top of the grid, so that leaving it returns to the same scroll position and
 * selection.
 */
import { useCallback, useEffect, useRef, useState, useSyncExternalStore } from 'react';
import { loadSession, saveSession } from '../analysis/view-state.ts';
import { ErrorPanel } from '../common/ErrorPanel.tsx';
import { formatBytes, formatCount, plural } from '../common/format.ts';
import { useApi } from '../host-context.tsx';
import { ImageView } from '../image/ImageView.tsx';
import { ImageGrid } from './ImageGrid.tsx';
import { createReasonCache, explainWithApi } from './reason-cache.ts';
import { ScanStatus } from './ScanStatus.tsx';
import type { Scan } from './use-scan.ts';

export function LibraryView({ scan, onChooseAnother }: { scan: Scan; onChooseAnother: () => void }) {
  const api = useApi();
  const { state } = scan;
  const [selection, setSelection] = useState<number | null>(null);
  const [viewing, setViewing] = useState(false);
  // Fresh per scan: a rescan may find a file that was fixed in between.
  const reasonsOf = useRef<{ scanId: typeof state.scanId; api: typeof api; cache: ReturnType<typeof createReasonCache> } | null>(null);
  if (reasonsOf.current?.scanId !== state.scanId || reasonsOf.current.api !== api)
    reasonsOf.current = { scanId: state.scanId, api, cache: createReasonCache(explainWithApi(api)) };
  const reasons = reasonsOf.current.cache;
  const lateBroken = useSyncExternalStore(reasons.subscribe, reasons.count);

  // A new scan starts with nothing selected.
  useEffect(() => {
    setSelection(null);
    setViewing(false);
  }, [state.scanId]);

  const open = useCallback((index: number) => {
    setSelection(index);
    setViewing(true);
  }, []);

  const selected = selection !== null ? state.entries[selection] : undefined;

  // After a reload: open the image the tab had open, once the scan has found it.
  const restored = useRef<number | null>(null);
  useEffect(() => {
    if (restored.current === state.scanId) return;
    const saved = loadSession(sessionStorage);
    if (!saved.image || saved.folder !== state.root) {
      restored.current = state.scanId;
      return;
    }
    const at = state.entries.findIndex((e) => e.path === saved.image);
    if (at >= 0) {
      restored.current = state.scanId;
      open(at);
    } else if (state.status !== 'scanning') restored.current = state.scanId;
  }, [state.scanId, state.root, state.entries, state.status, open]);
  const viewingPath = viewing && selected ? selected.path : null;
  useEffect(() => {
    if (restored.current === state.scanId) saveSession(sessionStorage, { image: viewingPath });
  }, [viewingPath, state.scanId]);

  if (state.status === 'failed' && state.error) {
    return (
      <div className="centre-panel">
        <ErrorPanel error={state.error} title={`Cannot open ${state.root}`} testId="scan-error">
          <button className="primary" onClick={onChooseAnother}>
            Choose another folder
          </button>
          {state.root && <button onClick={() => scan.start(state.root!)}>Try again</button>}
        </ErrorPanel>
      </div>
    );
  }

  return (
    <div className="library">
      <ScanStatus state={state} lateBroken={lateBroken} onCancel={scan.cancel} onRescan={() => state.root && scan.start(state.root)} />
      {state.status === 'done' && state.entries.length === 0 ? (
        <div className="centre-note" data-testid="library-empty">
          No images in this folder or its {plural(Math.max(0, state.directoriesVisited - 1), 'sub-folder')}. Listed: PNG, JPEG, WebP, GIF and TIFF files.
        </div>
      ) : (
        <ImageGrid entries={state.entries} selection={selection} active={!viewing} reasons={reasons} onSelect={setSelection} onOpen={open} />
      )}
      <footer className="statusbar" data-testid="statusbar">
        {selected ? (
          <>
            <span className="statusbar-name" title={selected.relPath}>
              {selected.relPath}
            </span>
            {selected.width && selected.height && (
              <span>
                {selected.width}×{selected.height}
              </span>
            )}
            {selected.format && <span>{selected.format.toUpperCase()}</span>}
            <span>{formatBytes(selected.bytes)}</span>
            <span className="muted">
              {formatCount(selection! + 1)} of {formatCount(state.entries.length)}
            </span>
          </>
        ) : (
          <span className="muted">Arrow keys move the selection, Enter opens an image, Escape comes back.</span>
        )}
      </footer>
      {viewing && selection !== null && selected && (
        <ImageView entries={state.entries} index={selection} onIndexChange={setSelection} onClose={() => setViewing(false)} />
      )}
    </div>
  );
}
