import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeImageFolder } from '../../../test/support/images.ts';
import { encodeFsPath } from './hostPath.ts';
import { listDirectory } from './listDirectory.ts';
import { first } from '../../../test/support/index-access.ts';

let tmp: string;
let root: string;
beforeAll(async () => {
  tmp = await mkdtemp(path.join(tmpdir(), 'laser-list-'));
  root = path.join(tmp, 'photos');
  await makeImageFolder(root, { count: 10, nested: true, broken: true });
  await mkdir(path.join(root, 'set 10'));
  await mkdir(path.join(root, 'set 9'));
  await mkdir(path.join(root, '.git'));
  await writeFile(path.join(root, 'readme.txt'), 'not an image');
  await symlink(path.join(root, 'street'), path.join(root, 'street-link'), 'dir');
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe('listDirectory', () => {
  it('lists sub-folders in natural order, with links to folders, without hidden ones', async () => {
    const l = await listDirectory(root);
    expect(l.directories.map((d) => d.name)).toEqual(['animals', 'broken', 'set 9', 'set 10', 'street', 'street-link']);
    expect(first(l.directories).path).toBe(path.join(root, 'animals'));
    expect(l.path).toBe(root);
    expect(l.parent).toBe(tmp);
  });

  it('counts the image files directly inside, by extension, without opening them', async () => {
    // img-00000, img-00005 and the non-UTF-8 caf\xe9.png sit at the root; readme.txt does not count.
    expect((await listDirectory(root)).imageCount).toBe(3);
    // empty.png, truncated.png, notes.jpg, huge.png: broken, but image files all the same.
    expect((await listDirectory(path.join(root, 'broken'))).imageCount).toBe(4);
  });

  it('lists a sub-folder whose name is not UTF-8 with a path that lists it again', async () => {
    const raw = Buffer.concat([Buffer.from(path.join(root, 'd')), Buffer.from([0xfc])]);
    await mkdir(raw);
    const entry = (await listDirectory(root)).directories.find((d) => d.name === 'd\ufffd')!;
    expect(entry.path).toBe(encodeFsPath(raw));
    expect((await listDirectory(entry.path)).parent).toBe(root);
    await rm(raw, { recursive: true });
  });

  it('has no parent at the file-system root', async () => {
    expect((await listDirectory('/')).parent).toBeNull();
  });

  it('refuses a missing folder and a file with clear codes', async () => {
    await expect(listDirectory(path.join(tmp, 'absent'))).rejects.toMatchObject({ code: 'not-found', message: expect.stringContaining('absent') });
    await expect(listDirectory(path.join(root, 'readme.txt'))).rejects.toMatchObject({ code: 'not-a-directory' });
  });
});
