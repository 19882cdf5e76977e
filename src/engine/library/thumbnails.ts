/**
 * Thumbnails, made lazily on request and kept on disk as WebP under
 * `<dir>/<first two hex digits>/<sha256 of the file>-<size>.webp`.
 *
 * A grid of 20,000 tiles asks for thousands at once, so sharp jobs go through a small shared
 * limiter (two at a time by default: sharp's own threads do the rest) and identical requests that
 * arrive together share one job. A cache hit for an unchanged file costs a stat of the file and a
 * stat of the cache entry (the content hash is remembered). A broken image's failure is remembered
 * too, so a grid that keeps asking does not decode it again and again.
 */
import { randomBytes } from 'node:crypto';
import type { Stats } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { WorkbenchError } from '../../common/contract/errors.ts';
import { thumbnailSizes } from '../../common/contract/methods.ts';
import type { Limiter } from './concurrency.ts';
import type { ContentHasher } from './contentHash.ts';
import { fsError, statReadableFile } from './fsErrors.ts';
import { fsPathBytes } from './hostPath.ts';
import { fromSharpError, ImageError, maxImagePixels } from './imageErrors.ts';
import type { InsidePath } from './openedFolders.ts';
import { readHeader, sharpInput } from './imageRead.ts';

export type ThumbnailSize = (typeof thumbnailSizes)[number];

export interface ThumbnailOptions {
  /** The cache folder, `<dataDir>/thumbnails`. */
  dir: string;
  hasher: ContentHasher;
  /** Shared with the other sharp work of the engine (image details). */
  sharpJobs: Limiter;
  /** WebP quality, 1–100. */
  quality?: number;
}

export class Thumbnails {
  private readonly requests = new Map<string, Promise<string>>();
  private readonly jobs = new Map<string, Promise<string>>();
  private readonly failures = new Map<string, ImageError>();
  /** How many thumbnails were actually encoded (for tests and the bench). */
  generated = 0;

  constructor(private readonly options: ThumbnailOptions) {}

  /**
   * The cached thumbnail file for an image inside an opened folder, made if needed. Throws
   * WorkbenchError: 'corrupt-image', 'unsupported-image' or 'too-large' (with the reason) for a
   * broken image, 'not-found' or 'permission-denied' for a file that cannot be read.
   */
  async get(file: InsidePath, size: number): Promise<string> {
    if (!(thumbnailSizes as readonly number[]).includes(size)) {
      throw new WorkbenchError('bad-request', `Thumbnail size ${size} is not offered.`, `Ask for ${thumbnailSizes.join(', ')}.`);
    }
    const s = await statReadableFile(file.real, file.display);
    const key = `${fsPathBytes(file.real).toString('latin1')}\0${size}\0${s.size}\0${s.mtimeMs}`;
    const pending = this.requests.get(key);
    if (pending !== undefined) return pending;
    const request = this.lookup(file, size as ThumbnailSize, s);
    this.requests.set(key, request);
    try {
      return await request;
    } finally {
      this.requests.delete(key);
    }
  }

  private async lookup(file: InsidePath, size: ThumbnailSize, s: Stats): Promise<string> {
    let hash: string;
    try {
      hash = await this.options.hasher.hash(file.real, { size: s.size, mtimeMs: s.mtimeMs });
    } catch (e) {
      throw fsError(e, 'file', file.display);
    }
    const name = `${hash}-${size}`;
    const failure = this.failures.get(name);
    if (failure !== undefined) throw failure;
    const target = path.join(this.options.dir, hash.slice(0, 2), `${name}.webp`);
    if (await exists(target)) return target;
    let job = this.jobs.get(name);
    if (job === undefined) {
      job = this.options.sharpJobs.run(() => this.generate(file, size, s, target));
      this.jobs.set(name, job);
      void job.then(
        () => this.jobs.delete(name),
        (e: unknown) => {
          this.jobs.delete(name);
          if (e instanceof ImageError) this.failures.set(name, e);
        },
      );
    }
    return job;
  }

  private async generate(file: InsidePath, size: ThumbnailSize, s: Stats, target: string): Promise<string> {
    // Another request may have finished this one while it waited in the queue.
    if (await exists(target)) return target;
    const input = await sharpInput(file.real).catch((e: unknown) => {
      throw fsError(e, 'file', file.display);
    });
    // The header check turns "too large" into a reason with the claimed size, before any decode.
    await readHeader(input, s.size, file.display);
    await mkdir(path.dirname(target), { recursive: true });
    // Written under a temporary name and renamed, so a reader never sees half a thumbnail.
    const temporary = `${target}.${randomBytes(6).toString('hex')}.tmp`;
    try {
      await sharp(input, { failOn: 'warning', limitInputPixels: maxImagePixels() })
        .autoOrient()
        .resize(size, size, { fit: 'inside', withoutEnlargement: true })
        .webp({ quality: this.options.quality ?? 80 })
        .toFile(temporary);
      await rename(temporary, target);
    } catch (e) {
      await rm(temporary, { force: true });
      if (e instanceof WorkbenchError) throw e;
      throw fromSharpError(file.display, e);
    }
    this.generated += 1;
    return target;
  }
}

async function exists(file: string): Promise<boolean> {
  return stat(file).then(
    () => true,
    () => false,
  );
}
