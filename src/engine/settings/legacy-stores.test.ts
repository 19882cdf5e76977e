import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { legacyStores, migrateLegacyStores, MIGRATION_MARKER } from './legacy-stores.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'laser-legacy-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const key = (c: string) => c.repeat(64);

async function put(file: string, text = ''): Promise<void> {
  await mkdir(join(file, '..'), { recursive: true });
  await writeFile(file, text);
}

describe('legacyStores', () => {
  it('names the CLI caches and the old data folders of each platform', () => {
    expect(legacyStores({ XDG_CACHE_HOME: '/c', XDG_CONFIG_HOME: '/cfg' }, 'linux', '/home/ada')).toEqual({
      caches: ['/home/ada/.cache/laser-workbench', '/c/laser-workbench'],
      dataDirs: ['/home/ada/.laser-workbench', '/cfg/LASER Workbench'],
    });
    expect(legacyStores({}, 'darwin', '/Users/ada')).toEqual({ caches: ['/Users/ada/.cache/laser-workbench'], dataDirs: ['/Users/ada/.laser-workbench'] });
  });
});

describe('migrateLegacyStores', () => {
  it('moves runs and demo bundles in, copies settings and the model list when absent, and does it once', async () => {
    const cache = join(dir, 'cache');
    const old = join(dir, 'old-data');
    const data = join(dir, 'data');
    await put(join(cache, 'records', 'aa', key('a'), 'record.json'), 'A');
    await put(join(cache, 'images', key('1'), key('a')));
    await put(join(cache, 'bundles', 'laser-demo-0123', 'manifest.json'), '{}');
    await put(join(cache, 'bundles', 'laser-demo-0123.partial-9', 'x'));
    await put(join(old, 'models.json'), 'models');
    await put(join(old, 'settings.json'), 'old settings');
    await put(join(data, 'settings.json'), 'new settings');
    // a run the data folder has already is left alone on both sides
    await put(join(old, 'records', 'bb', key('b'), 'record.json'), 'old B');
    await put(join(data, 'records', 'bb', key('b'), 'record.json'), 'new B');

    const report = await migrateLegacyStores(data, { caches: [cache], dataDirs: [old] });
    expect(report).toMatchObject({ ran: true, from: [old, cache], records: 1, bundles: 1, files: [join(old, 'models.json')] });
    expect(await readFile(join(data, 'records', 'aa', key('a'), 'record.json'), 'utf8')).toBe('A');
    expect(await readdir(join(data, 'images', key('1')))).toEqual([key('a')]);
    expect(await readdir(join(data, 'bundles'))).toEqual(['laser-demo-0123']);
    expect(await readFile(join(data, 'models.json'), 'utf8')).toBe('models');
    expect(await readFile(join(data, 'settings.json'), 'utf8')).toBe('new settings');
    expect(await readFile(join(data, 'records', 'bb', key('b'), 'record.json'), 'utf8')).toBe('new B');
    expect(await readdir(join(cache, 'records', 'aa'))).toEqual([]);
    expect(JSON.parse(await readFile(join(data, MIGRATION_MARKER), 'utf8'))).toMatchObject({ version: 1, records: 1, bundles: 1 });

    await put(join(cache, 'records', 'cc', key('c'), 'record.json'), 'C');
    expect(await migrateLegacyStores(data, { caches: [cache], dataDirs: [old] })).toMatchObject({ ran: false, records: 0 });
    expect(await readdir(join(data, 'records'))).toEqual(['aa', 'bb']);
  });

  it('skips a store that is the data folder itself, and stores that do not exist', async () => {
    const data = join(dir, 'data');
    await put(join(data, 'records', 'aa', key('a'), 'record.json'), 'A');
    const report = await migrateLegacyStores(data, { caches: [data, join(dir, 'none')], dataDirs: [] });
    expect(report).toMatchObject({ ran: true, from: [], records: 0 });
  });

  it('warns and tries again next time when a move fails', async () => {
    const cache = join(dir, 'cache');
    await put(join(cache, 'records', 'aa', key('a'), 'record.json'), 'A');
    const data = join(dir, 'data-is-a-file');
    await put(data, 'not a folder');
    const warnings: string[] = [];
    await migrateLegacyStores(data, { caches: [cache], dataDirs: [] }, (w) => warnings.push(w));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/^Could not move the stores of an earlier version into .*; they stay where they are, and the next start tries again\.$/);
    expect(await readdir(join(cache, 'records', 'aa'))).toEqual([key('a')]);
  });
});
