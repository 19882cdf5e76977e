/** Thumbnails in the grid: 256 px, sharp on high-density screens at the grid's tile sizes. */
import type { ImageEntry, MediaRef } from '../../../common/contract/methods.ts';

export const thumbnailSize = 256;

export function thumbnailRef(entry: Pick<ImageEntry, 'path'>): MediaRef {
  return { kind: 'thumbnail', path: entry.path, size: thumbnailSize };
}
