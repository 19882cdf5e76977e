/**
 * Image bytes for media URLs: thumbnails from the disk cache, originals from the opened folders.
 * Every path goes through the path guard first. A file is handed to the host to stream when its
 * path is a plain string; a name that is not UTF-8 cannot be, so its bytes are returned instead.
 */
import { stat } from 'node:fs/promises';
import type { MediaRef } from '../../common/contract/methods.ts';
import { contentTypeOf } from '../library/formats.ts';
import type { ImageFormat } from '../library/formats.ts';
import { fsError, statReadableFile } from '../library/fsErrors.ts';
import { readHeader, sharpInput } from '../library/imageRead.ts';
import type { OpenedFolders } from '../library/openedFolders.ts';
import type { Thumbnails } from '../library/thumbnails.ts';
import type { RecordStore } from './record-store.ts';
import type { MediaResponse, MediaService } from './types.ts';

export function createMediaService(folders: OpenedFolders, thumbnails: Thumbnails, records: RecordStore): MediaService {
  return {
    async get(ref: MediaRef): Promise<MediaResponse> {
      if (ref.kind === 'record-input') {
        // Only a file the record lists, inside the data folder's record of that id.
        const file = await records.inputFile(ref.id, ref.role);
        return { body: { file }, contentType: 'image/png', bytes: (await stat(file)).size };
      }
      const file = await folders.resolveInside(ref.path);
      if (ref.kind === 'thumbnail') {
        const cached = await thumbnails.get(file, ref.size);
        return { body: { file: cached }, contentType: 'image/webp', bytes: (await stat(cached)).size };
      }
      const s = await statReadableFile(file.real, file.display);
      // Only what reads as an image is served, whatever its name says: an opened folder's other
      // files (notes, keys, databases) are not the workbench's to hand out.
      const input = await sharpInput(file.real).catch((e: unknown) => {
        throw fsError(e, 'file', file.display);
      });
      const header = await readHeader(input, s.size, file.display);
      const contentType = contentTypeOf(header.format === 'magick' ? 'bmp' : (header.format as ImageFormat));
      if (typeof file.real === 'string') return { body: { file: file.real }, contentType, bytes: s.size };
      const bytes = input as Buffer;
      return { body: { bytes }, contentType, bytes: bytes.length };
    },
  };
}
