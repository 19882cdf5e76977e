import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeImageFolder } from '../../../test/support/images.ts';
import type { ImageFolder } from '../../../test/support/images.ts';
import type { ImageEntry, ScanProgress } from '../../common/contract/methods.ts';
import { WorkbenchError } from '../../common/contract/errors.ts';
import { encodeFsPath, toFsPath } from './hostPath.ts';
import { nodeScanFs, scanFolder } from './scan.ts';
import type { ScanOptions } from './scan.ts';
import { at } from '../../../test/support/index-access.ts';

let tmp: string;
let folder: ImageFolder;

beforeAll(async () => {
  tmp = await mkdtemp(path.join(tmpdir(), 'laser-scan-'));
  folder = await makeImageFolder(path.join(tmp, 'photos'), { count: 25, broken: true, nested: true });
});

afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

async function scanAll(root: string, options: ScanOptions = {}) {
  const entries: ImageEntry[] = [];
  const batches: ScanProgress[] = [];
  const summary = await scanFolder(root, {
    ...options,
    onBatch: (b) => {
      batches.push(b);
      entries.push(...b.entries);
      options.onBatch?.(b);
    },
  });
  return { entries, batches, summary, byRel: new Map(entries.map((e) => [e.relPath, e])) };
}

function codeOf(e: unknown): string | undefined {
  return e instanceof WorkbenchError ? e.code : undefined;
}

describe('scanFolder on a nested folder with broken files', () => {
  it('lists every generated image once with its size and format', async () => {
    const { byRel, entries } = await scanAll(folder.root);
    for (const img of folder.images) {
      const e = byRel.get(img.relPath);
      expect(e, img.relPath).toBeDefined();
      expect(e).toMatchObject({ width: img.width, height: img.height, format: img.format, bytes: img.bytes, path: img.path });
      expect(e?.error).toBeUndefined();
    }
    expect(new Set(entries.map((e) => e.path)).size).toBe(entries.length);
  });

  it("walks depth first in name order: a folder's own files before its sub-folders", async () => {
    const { entries } = await scanAll(folder.root);
    const rels = entries.map((e) => e.relPath);
    expect(rels.indexOf('img-00000.png')).toBeLessThan(rels.indexOf('animals/img-00001.jpg'));
    expect(rels.indexOf('animals/img-00001.jpg')).toBeLessThan(rels.indexOf('animals/cats/img-00002.webp'));
    expect(rels.indexOf('animals/cats/img-00002.webp')).toBeLessThan(rels.indexOf('broken/empty.png'));
    expect(rels.indexOf('street/img-00003.gif')).toBeLessThan(rels.indexOf('street/night/rain/img-00004.tif'));
  });

  it('reports a zero-byte file, a text file named .jpg and a 100000x100000 header with reasons, and goes on', async () => {
    const { byRel, summary } = await scanAll(folder.root);
    expect(byRel.get('broken/empty.png')?.error).toBe('empty file (0 bytes)');
    expect(byRel.get('broken/notes.jpg')?.error).toMatch(/^not an image/);
    expect(byRel.get('broken/huge.png')?.error).toBe('too large: 100000 x 100000 pixels exceeds the limit of 100000000 pixels');
    expect(summary.broken).toBe(3);
    expect(summary.found).toBe(folder.images.length + 5);
  });

  it('lists a truncated PNG by its header; the full decode later is what catches it', async () => {
    const { byRel } = await scanAll(folder.root);
    expect(byRel.get('broken/truncated.png')).toMatchObject({ width: 192, height: 192, format: 'png' });
    expect(byRel.get('broken/truncated.png')?.error).toBeUndefined();
  });

  it('catches the truncated PNG too when asked to verify by decoding everything', async () => {
    const { byRel, summary } = await scanAll(folder.root, { verify: true });
    expect(byRel.get('broken/truncated.png')?.error).toMatch(/truncated/);
    expect(summary.broken).toBe(4);
  });

  it('finds a file whose name is not UTF-8, shows it lossily, and hands out a path that opens it', async () => {
    const { entries } = await scanAll(folder.root);
    const e = entries.find((x) => x.name === 'caf\ufffd.png');
    expect(e).toMatchObject({ relPath: 'caf\ufffd.png', width: 40, height: 30, format: 'png' });
    const raw = folder.bad!.nonUtf8Name;
    expect(e!.path).toBe(encodeFsPath(raw));
    expect((await readFile(toFsPath(e!.path))).equals(await readFile(raw))).toBe(true);
  });

  it('does not follow a symbolic link back to an ancestor, and says so', async () => {
    const { summary, entries } = await scanAll(folder.root);
    expect(summary.warnings).toContainEqual(expect.stringMatching(/Symbolic link loop: "animals\/loop" points back to the scanned folder itself/));
    expect(entries.some((e) => e.relPath.startsWith('animals/loop/'))).toBe(false);
  });

  it('counts the folders it visited', async () => {
    const { summary } = await scanAll(folder.root);
    // root, animals, animals/cats, street, street/night, street/night/rain, broken
    expect(summary.directoriesVisited).toBe(7);
  });
});

describe('scanFolder streaming', () => {
  it('streams batches of at most batchSize with running totals that end at the summary', async () => {
    const { batches, summary, entries } = await scanAll(folder.root, { batchSize: 4, batchIntervalMs: 1e9 });
    expect(batches.length).toBe(Math.ceil(entries.length / 4));
    for (const b of batches.slice(0, -1)) expect(b.entries.length).toBe(4);
    let seen = 0;
    for (const b of batches) {
      seen += b.entries.length;
      expect(b.found).toBe(seen);
    }
    expect(batches.at(-1)).toMatchObject({ found: summary.found, broken: summary.broken });
  });

  it('sends a batch when the interval has passed even if it is not full', async () => {
    const { batches, entries } = await scanAll(folder.root, { batchSize: 1e9, batchIntervalMs: 0 });
    expect(batches.length).toBe(entries.length);
  });

  it('stops with a cancelled error when the signal aborts mid-scan', async () => {
    const controller = new AbortController();
    let delivered = 0;
    const run = scanFolder(folder.root, {
      signal: controller.signal,
      batchSize: 2,
      onBatch: (b) => {
        delivered += b.entries.length;
        controller.abort();
      },
    });
    await expect(run).rejects.toMatchObject({ code: 'cancelled' });
    expect(delivered).toBe(2);
  });
});

describe('scanFolder on odd roots', () => {
  it('refuses a missing folder with not-found, naming it', async () => {
    const missing = path.join(tmp, 'no-such-folder');
    const e = await scanFolder(missing).catch((x: unknown) => x);
    expect(codeOf(e)).toBe('not-found');
    expect((e as Error).message).toContain(missing);
  });

  it('refuses a file with not-a-directory', async () => {
    const e = await scanFolder(at(folder.images, 0).path).catch((x: unknown) => x);
    expect(codeOf(e)).toBe('not-a-directory');
  });

  it('returns an empty result for an empty folder', async () => {
    const empty = path.join(tmp, 'empty');
    await mkdir(empty);
    const { entries, summary } = await scanAll(empty);
    expect(entries).toEqual([]);
    expect(summary).toMatchObject({ found: 0, broken: 0, directoriesVisited: 1, warnings: [] });
  });

  it('refuses a root it may not read with permission-denied', async () => {
    // Tests may run as root, which reads anything; the failure is injected instead of chmod'ed.
    const denied = {
      ...nodeScanFs,
      readdir: async () => {
        throw Object.assign(new Error('EACCES'), { code: 'EACCES' });
      },
    };
    const e = await scanFolder(folder.root, { fs: denied }).catch((x: unknown) => x);
    expect(codeOf(e)).toBe('permission-denied');
    expect((e as Error).message).toContain(folder.root);
  });

  it('warns about an unreadable sub-folder and still lists the rest', async () => {
    const streetPath = Buffer.from(path.join(folder.root, 'street'));
    const fs = {
      ...nodeScanFs,
      readdir: async (p: Buffer) => {
        if (p.equals(streetPath)) throw Object.assign(new Error('EACCES'), { code: 'EACCES' });
        return nodeScanFs.readdir(p);
      },
    };
    const { summary, byRel } = await scanAll(folder.root, { fs });
    expect(summary.warnings).toContainEqual('Could not read the folder "street": permission denied. Its images are not listed.');
    expect(byRel.has('street/img-00003.gif')).toBe(false);
    expect(byRel.has('animals/img-00001.jpg')).toBe(true);
  });

  it('says a file it may not read is unreadable, not that it is no image', async () => {
    const notes = Buffer.from(folder.bad!.textAsJpeg);
    const truncated = Buffer.from(folder.bad!.truncatedPng);
    const eacces = () => Promise.reject(Object.assign(new Error('EACCES'), { code: 'EACCES' }));
    const fs = {
      ...nodeScanFs,
      access: (p: Buffer) => (p.equals(notes) || p.equals(truncated) ? eacces() : nodeScanFs.access(p)),
    };
    const { byRel } = await scanAll(folder.root, { fs });
    expect(byRel.get('broken/notes.jpg')?.error).toBe('cannot read the file: permission denied');
    // Readability is only asked about after a failure: a file whose header reads is listed as such.
    expect(byRel.get('broken/truncated.png')?.error).toBeUndefined();
  });

  it('skips hidden files and folders', async () => {
    const root = path.join(tmp, 'hidden');
    await makeImageFolder(root, { count: 1 });
    await mkdir(path.join(root, '.cache'));
    await writeFile(path.join(root, '.cache', 'x.png'), await readFile(path.join(root, 'img-00000.png')));
    await writeFile(path.join(root, '._img-00000.png'), 'AppleDouble');
    const { entries } = await scanAll(root);
    expect(entries.map((e) => e.relPath)).toEqual(['img-00000.png']);
  });
});

describe('scanFolder and symbolic links', () => {
  it('lists a linked folder inside the root once, under its real location', async () => {
    const root = path.join(tmp, 'linked-inside');
    await makeImageFolder(path.join(root, 'real'), { count: 2 });
    await symlink('real', path.join(root, 'alias'), 'dir');
    const { entries, summary } = await scanAll(root);
    expect(entries.map((e) => e.relPath).sort()).toEqual(['real/img-00000.png', 'real/img-00001.jpg']);
    expect(summary.warnings).toContainEqual(expect.stringMatching(/"alias" points to "real", which is already listed/));
  });

  it('follows a link to a folder inside the root that is not otherwise reachable', async () => {
    const root = path.join(tmp, 'linked-hidden');
    await makeImageFolder(path.join(root, '.store'), { count: 1 });
    await symlink('.store', path.join(root, 'visible'), 'dir');
    const { entries } = await scanAll(root);
    expect(entries.map((e) => e.relPath)).toEqual(['visible/img-00000.png']);
  });

  it('does not follow links out of the root, and says how to see those images', async () => {
    const root = path.join(tmp, 'linked-outside');
    const outside = path.join(tmp, 'outside');
    await makeImageFolder(outside, { count: 2 });
    await mkdir(root);
    await symlink(outside, path.join(root, 'elsewhere'), 'dir');
    await symlink(path.join(outside, 'img-00000.png'), path.join(root, 'one.png'));
    const { entries, summary } = await scanAll(root);
    expect(entries).toEqual([]);
    expect(summary.warnings).toHaveLength(1);
    expect(summary.warnings[0]).toMatch(/^2 symbolic links point outside the folder.*Open the target folders/);
  });

  it('lists an image reached through a link to a file inside the root', async () => {
    const root = path.join(tmp, 'linked-file');
    await makeImageFolder(root, { count: 1 });
    await symlink('img-00000.png', path.join(root, 'same.png'));
    const { entries } = await scanAll(root);
    expect(entries.map((e) => [e.relPath, e.width])).toEqual([
      ['img-00000.png', 96],
      ['same.png', 96],
    ]);
  });

  it('warns about a dangling link', async () => {
    const root = path.join(tmp, 'dangling');
    await mkdir(root);
    await symlink(path.join(tmp, 'gone.png'), path.join(root, 'gone.png'));
    const { summary } = await scanAll(root);
    expect(summary.warnings).toEqual(['The symbolic link "gone.png" leads nowhere (its target does not exist); skipped.']);
  });

  it('ends on a ring of links between sibling folders', async () => {
    const root = path.join(tmp, 'ring');
    await mkdir(path.join(root, 'a'), { recursive: true });
    await mkdir(path.join(root, 'b'));
    await symlink('../b', path.join(root, 'a', 'to-b'), 'dir');
    await symlink('../a', path.join(root, 'b', 'to-a'), 'dir');
    const { summary } = await scanAll(root);
    expect(summary.directoriesVisited).toBe(3);
    expect(summary.warnings).toHaveLength(2);
  });
});
