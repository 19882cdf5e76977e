import { mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { killBetweenWriteAndRename } from '../../../test/support/kill-during-rename.ts';
import { replaceFolder, temporarySibling, writeFileAtomically, writeJsonAtomically } from './atomic-write.ts';

let tmp: string;
beforeEach(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'laser-atomic-'));
});
afterEach(async () => {
  await rm(tmp, { recursive: true, force: true });
});

const here = import.meta.dirname;

describe('writeFileAtomically', () => {
  it('replaces a file with the new content, leaving no temporary file', async () => {
    const f = join(tmp, 'sub', 'settings.json');
    await writeFileAtomically(f, 'one');
    await writeJsonAtomically(f, { two: 2 });
    expect(await readFile(f, 'utf8')).toBe('{\n  "two": 2\n}\n');
    expect(await readdir(join(tmp, 'sub'))).toEqual(['settings.json']);
  });

  it('gives a new temporary name beside the target each time', () => {
    expect(temporarySibling('/a/b.json')).toMatch(/^\/a\/b\.json\.\d+\.[0-9a-f]{8}\.tmp$/);
    expect(temporarySibling('/a/b.json')).not.toBe(temporarySibling('/a/b.json'));
  });

  it('a process killed between writing and renaming leaves the old file whole', async () => {
    const f = join(tmp, 'settings.json');
    await writeJsonAtomically(f, { recent: ['old'] });
    await killBetweenWriteAndRename(
      tmp,
      'settings.json',
      `
      const { writeJsonAtomically } = await import(${JSON.stringify(join(here, 'atomic-write.ts'))});
      await writeJsonAtomically(${JSON.stringify(f)}, { recent: ['new', 'x'.repeat(100000)] });`,
    );
    expect(JSON.parse(await readFile(f, 'utf8'))).toEqual({ recent: ['old'] });
  });
});

describe('what the user keeps survives a kill between write and rename', () => {
  it('an evaluation report', async () => {
    const f = join(tmp, 'report.json');
    await writeJsonAtomically(f, { version: 1, samples: 3 });
    await killBetweenWriteAndRename(
      tmp,
      'report.json',
      `
      const { writeJsonFile } = await import(${JSON.stringify(join(here, '../eval/report.ts'))});
      await writeJsonFile(${JSON.stringify(f)}, { version: 1, samples: 4 });`,
    );
    expect(JSON.parse(await readFile(f, 'utf8'))).toEqual({ version: 1, samples: 3 });
  });
});

describe('replaceFolder', () => {
  it('puts a written folder in the place of an old one, leaving neither the partial nor the old one', async () => {
    const target = join(tmp, 'world');
    await writeFileAtomically(join(target, 'manifest.json'), 'old');
    await writeFileAtomically(join(tmp, 'world.partial', 'manifest.json'), 'new');
    await replaceFolder(join(tmp, 'world.partial'), target);
    expect(await readFile(join(target, 'manifest.json'), 'utf8')).toBe('new');
    expect(await readdir(tmp)).toEqual(['world']);
    // Into a place where nothing was yet.
    await writeFileAtomically(join(tmp, 'fresh.partial', 'a'), 'a');
    await replaceFolder(join(tmp, 'fresh.partial'), join(tmp, 'fresh'));
    expect(await readdir(join(tmp, 'fresh'))).toEqual(['a']);
  });

  it('fails on a partial folder that is not there without touching the old one', async () => {
    const target = join(tmp, 'record');
    await writeFileAtomically(join(target, 'record.json'), 'old');
    await mkdir(join(tmp, 'gone'));
    await rm(join(tmp, 'gone'), { recursive: true });
    await expect(replaceFolder(join(tmp, 'gone'), target)).rejects.toMatchObject({ code: 'ENOENT' });
    expect(await readFile(join(target, 'record.json'), 'utf8')).toBe('old');
  });
});
