/**
 * Full details of one image. Unlike the scan, this decodes every pixel: it is what the UI calls
 * when a thumbnail failed, to show why, and a truncated file only shows itself on a full decode.
 */
import path from 'node:path';
import type { ImageDetails } from '../../common/contract/methods.ts';
import type { Limiter } from './concurrency.ts';
import type { ContentHasher } from './contentHash.ts';
import { fsError, statReadableFile } from './fsErrors.ts';
import { displayPath } from './hostPath.ts';
import { readHeader, sharpInput, verifyDecode } from './imageRead.ts';
import type { InsidePath } from './openedFolders.ts';

/**
 * `hostPath` is the path as the caller gave it (echoed back); `file` is it after the path guard.
 * Throws ImageError (corrupt-image, unsupported-image, too-large) with the reason for a broken file.
 */
export async function readImageDetails(hostPath: string, file: InsidePath, hasher: ContentHasher, sharpJobs: Limiter): Promise<ImageDetails> {
  const s = await statReadableFile(file.real, file.display);
  const input = await sharpInput(file.real).catch((e: unknown) => {
    throw fsError(e, 'file', file.display);
  });
  const header = await sharpJobs.run(async () => {
    const h = await readHeader(input, s.size, file.display);
    await verifyDecode(input, file.display);
    return h;
  });
  let contentHash: string;
  try {
    contentHash = await hasher.hash(file.real, { size: s.size, mtimeMs: s.mtimeMs });
  } catch (e) {
    throw fsError(e, 'file', file.display);
  }
  return {
    path: hostPath,
    name: path.basename(displayPath(hostPath)),
    bytes: s.size,
    width: header.width,
    height: header.height,
    format: header.format,
    channels: header.channels,
    hasAlpha: header.hasAlpha,
    contentHash,
  };
}
