import { copyFile, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURE_IMAGES } from '../../../test/eval/support/fixtures.ts';
import { imageResolverFor, imageRoots, ImageResolver, locateImage, unsafeImagePath, withStandardLayouts } from './images.ts';

let tmp: string;
const where = () => 'data.json:7';
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'eval-images-'));
  await mkdir(join(tmp, 'a'));
  await mkdir(join(tmp, 'b'));
  const src = join(FIXTURE_IMAGES, 'scene_wide.png');
  await copyFile(src, join(tmp, 'a', '000000000123.jpg'));
  await copyFile(src, join(tmp, 'b', 'COCO_train2014_000000000123.png'));
  await copyFile(src, join(tmp, 'b', 'photo_5.png'));
  await copyFile(src, join(tmp, 'b', 'notes_5.txt'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe('finding benchmark images', () => {
  it("roots: the --images folder alone, else the data folder (or the file's) and its parent", () => {
    expect(imageRoots('/d/x.json', false, '/imgs')).toEqual(['/imgs']);
    expect(imageRoots('/d/sub/x.json', false)).toEqual(['/d/sub', '/d']);
    expect(imageRoots('/d/sub', true)).toEqual(['/d/sub', '/d']);
    expect(imageRoots('/', true)).toEqual(['/']);
  });

  it('roots: several --images folders in order, each followed by its standard layouts that exist', async () => {
    expect(imageRoots('/d/x.json', false, ['/imgs', '/more', '/imgs'])).toEqual(['/imgs', '/more']);
    await mkdir(join(tmp, 'coco', 'val2014'), { recursive: true });
    await mkdir(join(tmp, 'coco', 'train2017'), { recursive: true });
    await copyFile(join(FIXTURE_IMAGES, 'scene_wide.png'), join(tmp, 'coco', 'train2017', '000000000777.jpg'));
    expect(await withStandardLayouts([join(tmp, 'coco'), join(tmp, 'a')])).toEqual([
      join(tmp, 'coco'),
      join(tmp, 'coco', 'val2014'),
      join(tmp, 'coco', 'train2017'),
      join(tmp, 'a'),
    ]);
    const r = await imageResolverFor('/d/x.json', false, [join(tmp, 'coco')]);
    expect(await r.byId(777, where)).toBe(join(tmp, 'coco', 'train2017', '000000000777.jpg'));
    expect(await r.byPath('000000000777.jpg', where)).toBe(join(tmp, 'coco', 'train2017', '000000000777.jpg'));
  });

  it('refuses absolute paths and paths that climb out of the image folder', async () => {
    expect(unsafeImagePath('b/../b/x.png')).toBeNull();
    expect(unsafeImagePath('../x.png')).toContain('leaves the image folder');
    expect(unsafeImagePath('b/../../etc/passwd')).toContain('leaves the image folder');
    expect(unsafeImagePath('/etc/passwd')).toContain('is absolute');
    expect(unsafeImagePath('C:\\x.png')).toContain('is absolute');
    const r = new ImageResolver([join(tmp, 'a')]);
    await expect(r.byPath('../b/photo_5.png', where)).rejects.toMatchObject({
      code: 'bad-request',
      message: 'data.json:7: image path ../b/photo_5.png leaves the image folder (..)',
    });
    // not a missing image: the load stops even without --strict
    await expect(locateImage(() => r.byPath('/etc/passwd', where), false)).rejects.toMatchObject({ code: 'bad-request' });
    expect(await locateImage(() => r.byPath('nope.png', where), false)).toMatchObject({
      imagePath: '',
      missing: expect.stringContaining('image nope.png not found'),
    });
  });

  it('by path: the first root that has it', async () => {
    const r = new ImageResolver([join(tmp, 'a'), tmp]);
    expect(await r.byPath('b/photo_5.png', where)).toBe(join(tmp, 'b', 'photo_5.png'));
    await expect(r.byPath('b', where)).rejects.toThrow(`data.json:7: image b not found under ${join(tmp, 'a')} or ${tmp}`);
    expect(await r.byPath('b/../b/photo_5.png', where)).toBe(join(tmp, 'b', 'photo_5.png'));
    // A relative path that climbs out of the image folder is refused before it is opened.
    for (const bad of ['../../../../etc/passwd', 'b/../../x.png', '..\\..\\x.png']) {
      await expect(r.byPath(bad, where)).rejects.toMatchObject({ code: 'bad-request', message: `data.json:7: image path ${bad} leaves the image folder (..)` });
    }
  });

  it('by id: a file named after the id, else the trailing number with any zero padding; an earlier root wins', async () => {
    const r = new ImageResolver([join(tmp, 'a'), join(tmp, 'b')]);
    expect(await r.byId(123, where)).toBe(join(tmp, 'a', '000000000123.jpg'));
    expect(await r.byId('photo_5', where)).toBe(join(tmp, 'b', 'photo_5.png'));
    expect(await r.byId('5', where)).toBe(join(tmp, 'b', 'photo_5.png'));
    expect(await new ImageResolver([join(tmp, 'b')]).byId('0123', where)).toBe(join(tmp, 'b', 'COCO_train2014_000000000123.png'));
    await expect(r.byId(6, where)).rejects.toMatchObject({
      code: 'not-found',
      message: expect.stringContaining('data.json:7: no image file named after image id 6'),
    });
  });
});
