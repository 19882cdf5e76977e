/**
 * The virtualised thumbnail grid: rows of as many tiles as the width allows, and only the rows on
 * screen (plus a few) exist in the DOM, so 20,000 images scroll as smoothly as 20. Arrow keys move
 * the selection (Up/Down by a row), Enter opens it; the selection is kept in view.
 */
import { useCallback, useEffect, useRef } from 'react';
import { useVirtualizer } from '@tanstack/react-virtual';
import type { ImageEntry } from '../../../common/contract/methods.ts';
import { useElementSize } from '../common/use-element-size.ts';
import { useKeys } from '../common/use-keys.ts';
import { useApi } from '../host-context.tsx';
import { defaultGridMetrics, gridLayout, isGridKey, moveSelection } from './grid-layout.ts';
import type { ReasonCache } from './reason-cache.ts';
import { thumbnailRef } from './thumbnail.ts';
import { Tile } from './Tile.tsx';

const padding = 8;

export function ImageGrid({
  entries,
  selection,
  active,
  reasons,
  onSelect,
  onOpen,
}: {
  entries: ImageEntry[];
  selection: number | null;
  /** Whether the grid owns the keyboard (not while the image view is on top). */
  active: boolean;
  reasons: ReasonCache;
  onSelect: (index: number) => void;
  onOpen: (index: number) => void;
}) {
  const api = useApi();
  const scrollRef = useRef<HTMLDivElement>(null);
  const size = useElementSize(scrollRef);
  const layout = gridLayout(size.width - 2 * padding, entries.length);
  const { columns, rowHeight, tileWidth } = layout;

  const virtualizer = useVirtualizer({
    count: layout.rows,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => rowHeight,
    overscan: 3,
    paddingStart: padding,
    paddingEnd: padding,
  });

  // Row height follows the width; cached sizes from the old width would misplace every row.
  useEffect(() => {
    virtualizer.measure();
  }, [virtualizer, rowHeight]);

  useEffect(() => {
    if (selection === null || !active || size.width === 0) return;
    virtualizer.scrollToIndex(Math.floor(selection / columns), { align: 'auto' });
  }, [virtualizer, selection, columns, active, size.width]);

  useKeys(active, (event) => {
    if (event.key === 'Enter') {
      if (selection === null) return false;
      onOpen(selection);
      return true;
    }
    if (!isGridKey(event.key)) return false;
    const pageRows = Math.max(1, Math.floor(size.height / rowHeight) - 1);
    const next = moveSelection(selection, event.key, columns, entries.length, pageRows);
    if (next !== null && next !== selection) onSelect(next);
    return next !== null;
  });

  const open = useCallback((index: number) => onOpen(index), [onOpen]);

  return (
    <div className="grid-scroll" ref={scrollRef} data-testid="image-grid" role="grid" aria-rowcount={layout.rows} data-columns={columns}>
      <div className="grid-inner" style={{ height: virtualizer.getTotalSize() }}>
        {size.width > 0 &&
          virtualizer.getVirtualItems().map((row) => {
            const first = row.index * columns;
            const tiles = entries.slice(first, first + columns);
            return (
              <div
                key={row.key}
                className="grid-row"
                role="row"
                style={{ transform: `translateY(${row.start}px)`, height: rowHeight - defaultGridMetrics.gap, left: padding, gap: defaultGridMetrics.gap }}
              >
                {tiles.map((entry, i) => (
                  <Tile
                    key={entry.path}
                    entry={entry}
                    index={first + i}
                    selected={selection === first + i}
                    width={tileWidth}
                    thumbnailUrl={api.mediaUrl(thumbnailRef(entry))}
                    reasons={reasons}
                    deferLoad={virtualizer.isScrolling}
                    onOpen={open}
                  />
                ))}
              </div>
            );
          })}
      </div>
    </div>
  );
}
