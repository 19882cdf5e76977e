/**
 * Content hashes (sha256 of the file bytes) name cached thumbnails, so a renamed or copied image
 * reuses its thumbnail and an edited one gets a new one. Hashing means reading the whole file, so
 * the hash is remembered per (real path, size, mtime): a second request for the same unchanged
 * file costs one stat, not a re-read.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { createLimiter } from './concurrency.ts';
import { fsPathBytes } from './hostPath.ts';
import type { FsPath } from './hostPath.ts';

export interface FileVersion {
  size: number;
  mtimeMs: number;
}

export class ContentHasher {
  private readonly memo = new Map<string, string>();
  private readonly inFlight = new Map<string, Promise<string>>();
  /** How many files were actually read and hashed (for tests and the bench). */
  hashedFiles = 0;

  /** A grid asks for thousands of thumbnails at once; reading them all at once would run out of file handles. */
  private readonly reads = createLimiter(8);

  /** At most this many remembered hashes; the oldest are forgotten first. */
  constructor(private readonly capacity = 100_000) {}

  async hash(file: FsPath, version: FileVersion): Promise<string> {
    const key = `${fsPathBytes(file).toString('latin1')}\0${version.size}\0${version.mtimeMs}`;
    const known = this.memo.get(key);
    if (known !== undefined) return known;
    const running = this.inFlight.get(key);
    if (running !== undefined) return running;
    const job = this.reads
      .run(() => hashFile(file))
      .then((h) => {
        this.hashedFiles += 1;
        this.memo.set(key, h);
        if (this.memo.size > this.capacity) this.memo.delete(this.memo.keys().next().value as string);
        return h;
      });
    this.inFlight.set(key, job);
    try {
      return await job;
    } finally {
      this.inFlight.delete(key);
    }
  }
}

/** sha256 of a file's bytes, hex, streamed so a large file does not sit in memory. */
export function hashFile(file: FsPath): Promise<string> {
  return new Promise((resolve, reject) => {
    const h = createHash('sha256');
    createReadStream(file, { highWaterMark: 1 << 20 })
      .on('data', (chunk) => h.update(chunk))
      .on('error', reject)
      .on('end', () => resolve(h.digest('hex')));
  });
}
