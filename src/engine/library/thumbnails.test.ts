import { copyFile, mkdtemp, readdir, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeImageFolder } from '../../../test/support/images.ts';
import type { ImageFolder } from '../../../test/support/images.ts';
import { WorkbenchError } from '../../common/contract/errors.ts';
import { createLimiter } from './concurrency.ts';
import type { Limiter } from './concurrency.ts';
import { ContentHasher } from './contentHash.ts';
import { encodeFsPath } from './hostPath.ts';
import { OpenedFolders } from './openedFolders.ts';
import { Thumbnails } from './thumbnails.ts';
import { at } from '../../../test/support/index-access.ts';

let tmp: string;
let folder: ImageFolder;
let guard: OpenedFolders;
let n = 0;

beforeAll(async () => {
  tmp = await mkdtemp(path.join(tmpdir(), 'laser-thumbs-'));
  folder = await makeImageFolder(path.join(tmp, 'photos'), { count: 12, broken: true });
  guard = new OpenedFolders();
  await guard.add(folder.root);
});

afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

/** A limiter that records how many jobs it ran and the most that ran at once. */
function countingLimiter(concurrency: number): Limiter & { runs: number; peak: number } {
  const inner = createLimiter(concurrency);
  const spy = {
    runs: 0,
    peak: 0,
    run<T>(task: () => Promise<T>): Promise<T> {
      spy.runs += 1;
      return inner.run(async () => {
        spy.peak = Math.max(spy.peak, inner.active);
        return task();
      });
    },
    get active() {
      return inner.active;
    },
    get queued() {
      return inner.queued;
    },
  };
  return spy;
}

function fresh(concurrency = 2) {
  const sharpJobs = countingLimiter(concurrency);
  const hasher = new ContentHasher();
  const thumbs = new Thumbnails({ dir: path.join(tmp, `cache-${n++}`), hasher, sharpJobs });
  return { thumbs, hasher, sharpJobs };
}

const inside = (p: string) => guard.resolveInside(p);

describe('Thumbnails', () => {
  it('makes a WebP that fits the size, keeps the aspect ratio, and caches it by content hash', async () => {
    const { thumbs } = fresh();
    const img = folder.images.find((i) => i.width > 256)!;
    const file = await thumbs.get(await inside(img.path), 128);
    expect(path.basename(file)).toMatch(/^[0-9a-f]{64}-128\.webp$/);
    const meta = await sharp(file).metadata();
    expect(meta.format).toBe('webp');
    expect(Math.max(meta.width, meta.height)).toBe(128);
    // Rounding to whole pixels moves the ratio by at most half a pixel on the short side.
    expect(Math.abs(meta.width / meta.height - img.width / img.height)).toBeLessThan(
      (0.5 / Math.min(meta.width, meta.height)) * (img.width / img.height) + 1e-9,
    );
  });

  it('never enlarges an image smaller than the size', async () => {
    const { thumbs } = fresh();
    const img = folder.images.find((i) => i.width <= 256 && i.height <= 256)!;
    const meta = await sharp(await thumbs.get(await inside(img.path), 512)).metadata();
    expect([meta.width, meta.height]).toEqual([img.width, img.height]);
  });

  it('serves a repeated request from the cache without decoding or hashing again', async () => {
    const { thumbs, hasher, sharpJobs } = fresh();
    const p = await inside(at(folder.images, 0).path);
    const first = await thumbs.get(p, 256);
    const second = await thumbs.get(p, 256);
    expect(second).toBe(first);
    expect(thumbs.generated).toBe(1);
    expect(sharpJobs.runs).toBe(1);
    expect(hasher.hashedFiles).toBe(1);
  });

  it('shares one job among identical requests that arrive together', async () => {
    const { thumbs, sharpJobs } = fresh();
    const p = await inside(at(folder.images, 1).path);
    const files = await Promise.all(Array.from({ length: 6 }, () => thumbs.get(p, 128)));
    expect(new Set(files).size).toBe(1);
    expect(thumbs.generated).toBe(1);
    expect(sharpJobs.runs).toBe(1);
  });

  it('runs at most two sharp jobs at once however many are asked for', async () => {
    const { thumbs, sharpJobs } = fresh(2);
    await Promise.all(folder.images.map(async (img) => thumbs.get(await inside(img.path), 128)));
    expect(thumbs.generated).toBe(folder.images.length);
    expect(sharpJobs.peak).toBe(2);
  });

  it('reuses the thumbnail of a copy with the same content', async () => {
    const { thumbs } = fresh();
    const copy = path.join(folder.root, 'copy-of-0.png');
    await copyFile(at(folder.images, 0).path, copy);
    const a = await thumbs.get(await inside(at(folder.images, 0).path), 128);
    const b = await thumbs.get(await inside(copy), 128);
    expect(b).toBe(a);
    expect(thumbs.generated).toBe(1);
    await rm(copy);
  });

  it('makes a new thumbnail when the file changes', async () => {
    const { thumbs } = fresh();
    const file = path.join(folder.root, 'changing.png');
    await writeFile(
      file,
      await sharp({ create: { width: 300, height: 200, channels: 3, background: '#f00' } })
        .png()
        .toBuffer(),
    );
    const before = await thumbs.get(await inside(file), 128);
    await writeFile(
      file,
      await sharp({ create: { width: 200, height: 300, channels: 3, background: '#00f' } })
        .png()
        .toBuffer(),
    );
    await utimes(file, new Date(), new Date(Date.now() + 5000));
    const after = await thumbs.get(await inside(file), 128);
    expect(after).not.toBe(before);
    expect((await sharp(after).metadata()).height).toBe(128);
    await rm(file);
  });

  it('applies the EXIF orientation, as a viewer would', async () => {
    const { thumbs } = fresh();
    const file = path.join(folder.root, 'rotated.jpg');
    await writeFile(
      file,
      await sharp({ create: { width: 400, height: 200, channels: 3, background: '#888' } })
        .jpeg()
        .withMetadata({ orientation: 6 })
        .toBuffer(),
    );
    const meta = await sharp(await thumbs.get(await inside(file), 128)).metadata();
    expect([meta.width, meta.height]).toEqual([64, 128]);
    await rm(file);
  });

  it('thumbnails a file whose name is not UTF-8', async () => {
    const { thumbs } = fresh();
    const meta = await sharp(await thumbs.get(await inside(encodeFsPath(folder.bad!.nonUtf8Name)), 128)).metadata();
    expect([meta.width, meta.height]).toEqual([40, 30]);
  });

  it('leaves only finished thumbnails in the cache folder', async () => {
    const { thumbs } = fresh();
    const file = await thumbs.get(await inside(at(folder.images, 2).path), 128);
    expect(await readdir(path.dirname(file))).toEqual([path.basename(file)]);
  });

  it('refuses a size it does not offer', async () => {
    const { thumbs } = fresh();
    await expect(thumbs.get(await inside(at(folder.images, 0).path), 100)).rejects.toMatchObject({ code: 'bad-request' });
  });
});

describe('Thumbnails of broken files', () => {
  async function failure(file: string): Promise<WorkbenchError> {
    const { thumbs } = fresh();
    const e = await thumbs.get(await inside(file), 128).then(
      () => undefined,
      (x: unknown) => x,
    );
    expect(e).toBeInstanceOf(WorkbenchError);
    return e as WorkbenchError;
  }

  it('reports a truncated PNG as corrupt, caught by the decode although the header parses', async () => {
    const e = await failure(folder.bad!.truncatedPng);
    expect(e.code).toBe('corrupt-image');
    expect(e.message).toContain('truncated.png');
    expect(e.message).toMatch(/truncated/);
  });

  it('reports a text file named .jpg as unsupported', async () => {
    const e = await failure(folder.bad!.textAsJpeg);
    expect(e.code).toBe('unsupported-image');
    expect(e.message).toMatch(/not an image/);
  });

  it('reports a 100000x100000 header as too large, with its size', async () => {
    const e = await failure(folder.bad!.hugePng);
    expect(e.code).toBe('too-large');
    expect(e.message).toContain('100000 x 100000 pixels exceeds the limit of 100000000 pixels');
  });

  it('reports an empty file as corrupt', async () => {
    const e = await failure(folder.bad!.zeroByte);
    expect(e.code).toBe('corrupt-image');
    expect(e.message).toMatch(/empty file \(0 bytes\)/);
  });

  it('remembers a failure instead of decoding the same broken file again', async () => {
    const { thumbs, sharpJobs } = fresh();
    const p = await inside(folder.bad!.truncatedPng);
    await expect(thumbs.get(p, 128)).rejects.toMatchObject({ code: 'corrupt-image' });
    await expect(thumbs.get(p, 128)).rejects.toMatchObject({ code: 'corrupt-image' });
    expect(sharpJobs.runs).toBe(1);
  });

  it('says not-found for a file deleted after it was listed', async () => {
    const { thumbs } = fresh();
    const file = path.join(folder.root, 'soon-gone.png');
    await copyFile(at(folder.images, 0).path, file);
    const p = await inside(file);
    await rm(file);
    await expect(thumbs.get(p, 128)).rejects.toMatchObject({ code: 'not-found' });
  });
});
