import { chmod, mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ensureWritableDir, ensureWritableFile } from './writable.ts';

let tmp: string;
beforeEach(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'laser-writable-'));
});
afterEach(async () => {
  await chmod(tmp, 0o700).catch(() => {});
  await rm(tmp, { recursive: true, force: true });
});

const isRoot = process.getuid?.() === 0;

describe('ensureWritableDir', () => {
  it('creates the missing folders and leaves nothing else behind', async () => {
    expect(await ensureWritableDir(join(tmp, 'a', 'b', 'c'), 'the --out folder')).toBe(join(tmp, 'a', 'b', 'c'));
    expect(await readdir(join(tmp, 'a', 'b', 'c'))).toEqual([]);
    await ensureWritableDir(join(tmp, 'a'), 'the --out folder');
  });

  it('refuses a file in the way, or a file on the way, naming the path and the location', async () => {
    await writeFile(join(tmp, 'f'), 'x');
    await expect(ensureWritableDir(join(tmp, 'f'), 'the --out folder')).rejects.toMatchObject({
      code: 'not-a-directory',
      message: `${join(tmp, 'f')} is a file, not a folder (the --out folder)`,
    });
    await expect(ensureWritableDir(join(tmp, 'f', 'x', 'y'), 'the --out folder')).rejects.toMatchObject({
      code: 'not-a-directory',
      message: `${join(tmp, 'f')} is a file, not a folder (the --out folder)`,
    });
  });

  it.skipIf(isRoot)('refuses a folder it may not write in', async () => {
    await mkdir(join(tmp, 'ro'));
    await chmod(join(tmp, 'ro'), 0o500);
    await expect(ensureWritableDir(join(tmp, 'ro', 'out'), 'the --out folder')).rejects.toMatchObject({
      code: 'permission-denied',
      message: `cannot write ${join(tmp, 'ro', 'out')}: permission denied (the --out folder)`,
    });
  });

  it.skipIf(process.platform !== 'linux')('refuses a location on a file system that takes no new files (/sys), and does not hang under /proc', async () => {
    await expect(ensureWritableDir('/sys/laser-writable-check/x', 'the --out folder')).rejects.toMatchObject({
      code: 'permission-denied',
      message: expect.stringMatching(/^cannot write \/sys\/laser-writable-check: (permission denied|the file system is read-only) \(the --out folder\)$/),
    });
    // Node's recursive mkdir retries forever here.
    await expect(ensureWritableDir('/proc/laser-writable-check/x', 'the --out folder')).rejects.toMatchObject({
      message: expect.stringMatching(/^cannot write \/proc\/laser-writable-check: /),
    });
  });
});

describe('ensureWritableFile', () => {
  it('creates the folder of the file but not the file', async () => {
    const f = join(tmp, 'out', 'report.json');
    expect(await ensureWritableFile(f, 'the report --out')).toBe(f);
    expect(await readdir(join(tmp, 'out'))).toEqual([]);
  });

  it('refuses a folder where the file should go', async () => {
    await mkdir(join(tmp, 'report.json'));
    await expect(ensureWritableFile(join(tmp, 'report.json'), 'the report --out')).rejects.toMatchObject({
      code: 'not-a-directory',
      message: `${join(tmp, 'report.json')} is a folder, not a file (the report --out)`,
    });
  });
});
