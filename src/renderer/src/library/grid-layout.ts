/**
 * Geometry and keyboard movement of the thumbnail grid. Pure, so the virtualised grid's arithmetic
 * is tested without a browser.
 */
export interface GridMetrics {
  /** Smallest tile width; the grid fits as many columns as this allows, then widens the tiles. */
  minTileWidth: number;
  gap: number;
  /** Height of the name line under each thumbnail. */
  labelHeight: number;
}

export const defaultGridMetrics: GridMetrics = { minTileWidth: 150, gap: 6, labelHeight: 22 };

export interface GridLayout {
  columns: number;
  rows: number;
  tileWidth: number;
  /** Row pitch: tile height plus the gap below it. */
  rowHeight: number;
}

export function gridLayout(width: number, count: number, m: GridMetrics = defaultGridMetrics): GridLayout {
  const usable = Math.max(0, width);
  const columns = Math.max(1, Math.floor((usable + m.gap) / (m.minTileWidth + m.gap)));
  const tileWidth = Math.max(1, Math.floor((usable - m.gap * (columns - 1)) / columns));
  return { columns, rows: Math.ceil(count / columns), tileWidth, rowHeight: tileWidth + m.labelHeight + m.gap };
}

export type GridKey = 'ArrowLeft' | 'ArrowRight' | 'ArrowUp' | 'ArrowDown' | 'Home' | 'End' | 'PageUp' | 'PageDown';

export function isGridKey(key: string): key is GridKey {
  return ['ArrowLeft', 'ArrowRight', 'ArrowUp', 'ArrowDown', 'Home', 'End', 'PageUp', 'PageDown'].includes(key);
}

/**
 * Where the selection goes for a key. With nothing selected yet, any movement selects the first
 * tile. Up/Down move by a row and stay put at the edges, except that Down from a row above a
 * shorter last row lands on the last tile, as file managers do.
 */
export function moveSelection(current: number | null, key: GridKey, columns: number, count: number, pageRows = 1): number | null {
  if (count === 0) return null;
  if (current === null) return key === 'End' ? count - 1 : 0;
  const last = count - 1;
  const i = Math.min(Math.max(current, 0), last);
  switch (key) {
    case 'ArrowLeft':
      return Math.max(0, i - 1);
    case 'ArrowRight':
      return Math.min(last, i + 1);
    case 'ArrowUp':
      return i - columns >= 0 ? i - columns : i;
    case 'ArrowDown': {
      if (i + columns <= last) return i + columns;
      const lastRow = Math.floor(last / columns);
      return Math.floor(i / columns) < lastRow ? last : i;
    }
    case 'PageUp': {
      const target = i - columns * Math.max(1, pageRows);
      return target >= 0 ? target : i % columns;
    }
    case 'PageDown': {
      const target = i + columns * Math.max(1, pageRows);
      return Math.min(last, target);
    }
    case 'Home':
      return 0;
    case 'End':
      return last;
  }
}
