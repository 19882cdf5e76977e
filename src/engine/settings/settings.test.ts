import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SettingsStore, maxRecentFolders } from './settings.ts';
import { first } from '../../../test/support/index-access.ts';

let tmp: string;
let n = 0;
beforeAll(async () => {
  tmp = await mkdtemp(path.join(tmpdir(), 'laser-settings-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

function dataDir(): string {
  return path.join(tmp, `data-${n++}`);
}

function store(dir: string) {
  const warnings: string[] = [];
  return { settings: new SettingsStore(dir, { onWarning: (m) => warnings.push(m) }), warnings };
}

const at = (minute: number) => new Date(Date.UTC(2025, 0, 1, 12, minute));

describe('SettingsStore recent folders', () => {
  it('starts empty when there is no settings file, without a warning', async () => {
    const { settings, warnings } = store(dataDir());
    expect(await settings.recentFolders()).toEqual([]);
    expect(warnings).toEqual([]);
  });

  it('keeps them newest first, each folder once, and survives a restart', async () => {
    const dir = dataDir();
    const { settings } = store(dir);
    await settings.addRecentFolder('/a', at(1));
    await settings.addRecentFolder('/b', at(2));
    await settings.addRecentFolder('/a', at(3));
    const expected = [
      { path: '/a', openedAt: at(3).toISOString() },
      { path: '/b', openedAt: at(2).toISOString() },
    ];
    expect(await settings.recentFolders()).toEqual(expected);
    expect(await store(dir).settings.recentFolders()).toEqual(expected);
  });

  it('keeps at most 12, dropping the oldest', async () => {
    const { settings } = store(dataDir());
    for (let i = 0; i < 15; i++) await settings.addRecentFolder(`/f${i}`, at(i));
    const recent = await settings.recentFolders();
    expect(recent).toHaveLength(maxRecentFolders);
    expect(first(recent).path).toBe('/f14');

    expect(recent.at(-1)?.path).toBe('/f3');
  });

  it('loses none of several saves made at once, and leaves no temporary files', async () => {
    const dir = dataDir();
    const { settings } = store(dir);
    await Promise.all(['/x', '/y', '/z'].map((p, i) => settings.addRecentFolder(p, at(i))));
    await settings.flush();
    expect((await store(dir).settings.recentFolders()).map((r) => r.path)).toEqual(['/z', '/y', '/x']);
    expect(await readdir(dir)).toEqual(['settings.json']);
  });

  it('moves a file that is not JSON aside, warns, and starts over', async () => {
    const dir = dataDir();
    await mkdir(dir);
    await writeFile(path.join(dir, 'settings.json'), '{"recentFolders": [');
    const { settings, warnings } = store(dir);
    expect(await settings.recentFolders()).toEqual([]);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/was unreadable \(not valid JSON.*moved to .*settings\.json\.corrupt-/);
    const files = await readdir(dir);
    const aside = files.find((f) => f.startsWith('settings.json.corrupt-'));
    expect(await readFile(path.join(dir, aside!), 'utf8')).toBe('{"recentFolders": [');
    await settings.addRecentFolder('/after', at(0));
    expect((await store(dir).settings.recentFolders()).map((r) => r.path)).toEqual(['/after']);
  });

  it('treats JSON of the wrong shape as corrupt too', async () => {
    const dir = dataDir();
    await mkdir(dir);
    await writeFile(path.join(dir, 'settings.json'), JSON.stringify({ recentFolders: [{ path: 42 }] }));
    const { settings, warnings } = store(dir);
    expect(await settings.recentFolders()).toEqual([]);
    expect(warnings[0]).toMatch(/recentFolders\.0\.path/);
  });

  it('keeps settings keys it does not know', async () => {
    const dir = dataDir();
    await mkdir(dir);
    await writeFile(path.join(dir, 'settings.json'), JSON.stringify({ theme: 'dark', recentFolders: [] }));
    const { settings } = store(dir);
    await settings.addRecentFolder('/a', at(0));
    expect(JSON.parse(await readFile(path.join(dir, 'settings.json'), 'utf8'))).toMatchObject({ theme: 'dark' });
  });

  it('warns instead of failing when the settings cannot be saved', async () => {
    const blocker = path.join(tmp, `blocker-${n++}`);
    await writeFile(blocker, 'a file where the data folder should be');
    const { settings, warnings } = store(blocker);
    expect(await settings.addRecentFolder('/a', at(0))).toEqual([{ path: '/a', openedAt: at(0).toISOString() }]);
    expect(warnings).toContainEqual(expect.stringMatching(/^Could not save the settings/));
  });
});
