import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeImageFolder } from '../../../test/support/images.ts';
import type { ImageFolder } from '../../../test/support/images.ts';
import { createLimiter } from './concurrency.ts';
import { ContentHasher } from './contentHash.ts';
import { encodeFsPath } from './hostPath.ts';
import { readImageDetails } from './imageDetails.ts';
import { OpenedFolders } from './openedFolders.ts';
import { at } from '../../../test/support/index-access.ts';

let tmp: string;
let folder: ImageFolder;
let guard: OpenedFolders;

beforeAll(async () => {
  tmp = await mkdtemp(path.join(tmpdir(), 'laser-details-'));
  folder = await makeImageFolder(path.join(tmp, 'photos'), { count: 5, broken: true });
  guard = new OpenedFolders();
  await guard.add(folder.root);
});

afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

const details = async (p: string) => readImageDetails(p, await guard.resolveInside(p), new ContentHasher(), createLimiter(2));

describe('readImageDetails', () => {
  it('gives size, format, channels and the sha256 of the bytes of a good image', async () => {
    const img = at(folder.images, 1);
    const d = await details(img.path);
    expect(d).toEqual({
      path: img.path,
      name: path.basename(img.path),
      bytes: img.bytes,
      width: img.width,
      height: img.height,
      format: img.format,
      channels: 3,
      hasAlpha: false,
      contentHash: createHash('sha256')
        .update(await readFile(img.path))
        .digest('hex'),
    });
  });

  it('reports alpha for an RGBA PNG', async () => {
    const file = path.join(folder.root, 'alpha.png');
    await writeFile(
      file,
      await sharp({ create: { width: 8, height: 8, channels: 4, background: { r: 1, g: 2, b: 3, alpha: 0.5 } } })
        .png()
        .toBuffer(),
    );
    expect(await details(file)).toMatchObject({ channels: 4, hasAlpha: true });
    await rm(file);
  });

  it('catches a truncated PNG whose header alone looks fine', async () => {
    await expect(details(folder.bad!.truncatedPng)).rejects.toMatchObject({
      code: 'corrupt-image',
      message: expect.stringMatching(/truncated\.png: .*truncated/),
    });
  });

  it('says why a too-large or non-image file cannot be shown', async () => {
    await expect(details(folder.bad!.hugePng)).rejects.toMatchObject({ code: 'too-large', message: expect.stringContaining('100000 x 100000') });
    await expect(details(folder.bad!.textAsJpeg)).rejects.toMatchObject({ code: 'unsupported-image' });
    await expect(details(folder.bad!.zeroByte)).rejects.toMatchObject({ code: 'corrupt-image', message: expect.stringContaining('empty file') });
  });

  it('reads a file whose name is not UTF-8, with a lossy display name', async () => {
    const p = encodeFsPath(folder.bad!.nonUtf8Name);
    expect(await details(p)).toMatchObject({ path: p, name: 'caf\ufffd.png', width: 40, height: 30 });
  });

  it('refuses a folder', async () => {
    await expect(details(path.join(folder.root, 'broken'))).rejects.toMatchObject({ code: 'unsupported-image' });
  });
});
