/**
 * One grid tile: the thumbnail and the name. A file the scan found broken, or whose thumbnail
 * fails to load, shows as a broken tile with the reason in words.
 */
import { memo, useEffect, useState } from 'react';
import type { ImageEntry } from '../../../common/contract/methods.ts';
import type { ReasonCache } from './reason-cache.ts';

export const Tile = memo(function Tile({
  entry,
  index,
  selected,
  width,
  thumbnailUrl,
  reasons,
  deferLoad,
  onOpen,
}: {
  entry: ImageEntry;
  index: number;
  selected: boolean;
  width: number;
  thumbnailUrl: string;
  reasons: ReasonCache;
  /**
   * True while the grid is scrolling: a tile that scrolls into view then waits to ask for its
   * thumbnail until the scroll settles, so a fling through 20,000 images does not queue thousands
   * of thumbnails ahead of the ones where it stops.
   */
  deferLoad: boolean;
  onOpen: (index: number) => void;
}) {
  const [armed, setArmed] = useState(!deferLoad);
  useEffect(() => {
    if (!deferLoad) setArmed(true);
  }, [deferLoad]);
  const [failure, setFailure] = useState<string | null>(() => entry.error ?? reasons.known(entry.path) ?? null);
  const [loadFailed, setLoadFailed] = useState(false);

  useEffect(() => {
    if (!loadFailed || entry.error) return;
    let live = true;
    setFailure('Thumbnail failed to load; finding out why…');
    void reasons.explain(entry.path).then((reason) => live && setFailure(reason));
    return () => {
      live = false;
    };
  }, [loadFailed, entry, reasons]);

  const broken = failure !== null;
  return (
    <div
      className={`tile${selected ? ' selected' : ''}${broken ? ' broken' : ''}`}
      style={{ width }}
      role="gridcell"
      aria-selected={selected}
      data-testid="tile"
      data-index={index}
      data-selected={selected ? 'true' : undefined}
      data-broken={broken ? 'true' : undefined}
      title={entry.relPath}
      onClick={() => onOpen(index)}
    >
      <div className="tile-thumb" style={{ height: width }}>
        {broken ? (
          <div className="tile-broken" data-testid="tile-broken-reason" title={`${entry.relPath}: ${failure}`}>
            <span className="broken-glyph" aria-hidden>
              ⚠
            </span>
            <span className="tile-broken-text">{failure}</span>
          </div>
        ) : !armed ? null : (
          <img
            data-testid="tile-thumb"
            src={thumbnailUrl}
            alt={entry.name}
            loading="lazy"
            decoding="async"
            draggable={false}
            onError={() => setLoadFailed(true)}
          />
        )}
      </div>
      <div className="tile-name">{entry.name}</div>
    </div>
  );
});
