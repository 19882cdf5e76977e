/**
 * The host's folders, one level at a time, for serve mode where the browser has no access to the
 * host's file dialog: sub-folders, a way up, and how many images the folder holds directly.
 */
import { useState } from 'react';
import type { DirectoryListing } from '../../../common/contract/methods.ts';
import { ErrorPanel } from '../common/ErrorPanel.tsx';
import { plural } from '../common/format.ts';
import { useCall } from '../common/use-call.ts';
import { useApi } from '../host-context.tsx';

export function FolderBrowser({
  start,
  home,
  onNavigate,
  onOpen,
}: {
  start: string;
  home: string;
  onNavigate: (path: string) => void;
  onOpen: (path: string) => void;
}) {
  const api = useApi();
  const [path, setPath] = useState(start);
  const listing = useCall<DirectoryListing>(path, () => api.call('library.listDirectory', { path }));

  const go = (p: string) => {
    setPath(p);
    onNavigate(p);
  };

  return (
    <div className="folder-browser" data-testid="folder-browser">
      <div className="browser-head">
        <button
          data-testid="browser-up"
          disabled={listing.status !== 'ok' || listing.value.parent === null}
          onClick={() => listing.status === 'ok' && listing.value.parent && go(listing.value.parent)}
          title="Parent folder"
        >
          ↑ Up
        </button>
        <span className="browser-path" data-testid="browser-path" title={path}>
          {listing.status === 'ok' ? listing.value.path : path}
        </span>
        {listing.status === 'ok' && (
          <span className="browser-count" data-testid="browser-image-count">
            {plural(listing.value.imageCount, 'image')} here
          </span>
        )}
        <button
          className="primary"
          data-testid="browser-open"
          disabled={listing.status !== 'ok'}
          onClick={() => listing.status === 'ok' && onOpen(listing.value.path)}
        >
          Open this folder
        </button>
      </div>
      {listing.status === 'loading' && <div className="muted browser-note">Reading…</div>}
      {listing.status === 'error' && (
        <ErrorPanel error={listing.error} testId="browser-error">
          {path !== home && <button onClick={() => go(home)}>Go to the home folder</button>}
        </ErrorPanel>
      )}
      {listing.status === 'ok' && listing.value.directories.length === 0 && <div className="muted browser-note">No sub-folders.</div>}
      {listing.status === 'ok' && listing.value.directories.length > 0 && (
        <ul className="browser-list">
          {listing.value.directories.map((d) => (
            <li key={d.path}>
              <button className="browser-dir" data-testid="browser-dir" onClick={() => go(d.path)} onDoubleClick={() => onOpen(d.path)} title={d.path}>
                <span className="folder-glyph" aria-hidden>
                  ▸
                </span>
                {d.name}
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
