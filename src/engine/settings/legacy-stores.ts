/**
 * Stores of earlier versions, moved into the one data folder once. Before the data folder was one,
 * `laser run`/`ask`/`eval` kept runs and the compiled demo model in a cache (`~/.cache/laser-workbench`,
 * or `$XDG_CACHE_HOME/laser-workbench`), serve mode kept its data in `~/.laser-workbench`, and the
 * Linux app in Electron's `~/.config/LASER Workbench`. On first use of a data folder each of those
 * that exists is moved in: stored runs (`records/`, `images/`) and compiled demo bundles
 * (`bundles/laser-demo-*`) are moved entry by entry, never over one already there; `settings.json`
 * and `models.json` are copied when the data folder has none (their bundle paths are absolute, so
 * models compiled into an old folder keep working where they are). A marker file,
 * `legacy-stores.json`, records what was moved, so it happens once.
 */
import { cp, mkdir, readdir, rename, rm, stat, writeFile, copyFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import path from 'node:path';

export const MIGRATION_MARKER = 'legacy-stores.json';

export interface LegacyStores {
  /** Old record caches (records/, images/, bundles/laser-demo-*). */
  caches: string[];
  /** Old data folders (settings.json, models.json, records/, images/, bundles/laser-demo-*). */
  dataDirs: string[];
}

/** Where earlier versions kept their stores on this platform. Pure. */
export function legacyStores(env: Readonly<Record<string, string | undefined>>, platform: NodeJS.Platform, home: string): LegacyStores {
  const p = platform === 'win32' ? path.win32 : path.posix;
  const xdgCache = env.XDG_CACHE_HOME && p.isAbsolute(env.XDG_CACHE_HOME) ? env.XDG_CACHE_HOME : null;
  const caches = [...new Set([p.join(home, '.cache', 'laser-workbench'), ...(xdgCache ? [p.join(xdgCache, 'laser-workbench')] : [])])];
  const dataDirs = [p.join(home, '.laser-workbench')];
  // Electron's userData on Linux; on macOS and Windows it is the data folder's own convention.
  if (platform !== 'win32' && platform !== 'darwin') {
    const config = env.XDG_CONFIG_HOME && p.isAbsolute(env.XDG_CONFIG_HOME) ? env.XDG_CONFIG_HOME : p.join(home, '.config');
    dataDirs.push(p.join(config, 'LASER Workbench'));
  }
  return { caches, dataDirs };
}

export interface MigrationReport {
  /** False when the marker said it was done before. */
  ran: boolean;
  from: string[];
  records: number;
  bundles: number;
  files: string[];
}

async function exists(p: string): Promise<boolean> {
  return (await stat(p).catch(() => null)) !== null;
}

async function list(dir: string): Promise<string[]> {
  return readdir(dir).catch(() => [] as string[]);
}

/** Moves a file or folder; across file systems, copies it and removes the original. */
async function move(from: string, to: string): Promise<void> {
  await mkdir(path.dirname(to), { recursive: true });
  try {
    await rename(from, to);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EXDEV') throw e;
    await cp(from, to, { recursive: true, errorOnExist: true, force: false });
    await rm(from, { recursive: true, force: true });
  }
}

/** Moves `<from>/<sub>/<a>/<b>` entries (records/<shard>/<key>, images/<hash>/<key>) not already in `to`. */
async function moveTwoLevels(from: string, to: string, sub: string): Promise<number> {
  let n = 0;
  for (const a of await list(path.join(from, sub))) {
    for (const b of await list(path.join(from, sub, a))) {
      const target = path.join(to, sub, a, b);
      if (await exists(target)) continue;
      await move(path.join(from, sub, a, b), target);
      n += 1;
    }
  }
  return n;
}

async function moveDemoBundles(from: string, to: string): Promise<number> {
  let n = 0;
  for (const name of await list(path.join(from, 'bundles'))) {
    if (!name.startsWith('laser-demo-') || name.includes('.partial-')) continue;
    const target = path.join(to, 'bundles', name);
    if (await exists(target)) continue;
    await move(path.join(from, 'bundles', name), target);
    n += 1;
  }
  return n;
}

/**
 * Moves the stores of earlier versions into `dataDir`, once (see the module comment). A store that
 * is the data folder itself is skipped. A failure is a warning, not a stop: the old stores stay
 * where they are and the next start tries again.
 */
export async function migrateLegacyStores(
  dataDir: string,
  stores: LegacyStores,
  warn: (line: string) => void = (l) => console.warn(`warning: ${l}`),
): Promise<MigrationReport> {
  const report: MigrationReport = { ran: false, from: [], records: 0, bundles: 0, files: [] };
  const marker = path.join(dataDir, MIGRATION_MARKER);
  if (await exists(marker)) return report;
  report.ran = true;
  const self = path.resolve(dataDir);
  try {
    for (const dir of [...stores.dataDirs, ...stores.caches]) {
      if (path.resolve(dir) === self || !(await exists(dir))) continue;
      report.from.push(dir);
      if (stores.dataDirs.includes(dir)) {
        for (const file of ['settings.json', 'models.json']) {
          if ((await exists(path.join(dir, file))) && !(await exists(path.join(dataDir, file)))) {
            await mkdir(dataDir, { recursive: true });
            await copyFile(path.join(dir, file), path.join(dataDir, file));
            report.files.push(path.join(dir, file));
          }
        }
      }
      report.records += await moveTwoLevels(dir, dataDir, 'records');
      await moveTwoLevels(dir, dataDir, 'images');
      report.bundles += await moveDemoBundles(dir, dataDir);
    }
    await mkdir(dataDir, { recursive: true });
    await writeFile(marker, `${JSON.stringify({ version: 1, migratedAt: new Date().toISOString(), ...report, ran: undefined }, null, 2)}\n`);
  } catch (e) {
    warn(
      `Could not move the stores of an earlier version into ${dataDir} (${(e as Error).message}); they stay where they are, and the next start tries again.`,
    );
  }
  return report;
}

/** This process's legacy stores moved into `dataDir` (once); one line on `note` when anything moved. */
export async function migrateLegacyStoresOfProcess(dataDir: string, note: (line: string) => void = (l) => console.warn(l)): Promise<MigrationReport> {
  const report = await migrateLegacyStores(dataDir, legacyStores(process.env, process.platform, homedir()), (l) => note(`warning: ${l}`));
  if (report.records + report.bundles + report.files.length > 0) {
    note(
      `note: moved ${report.records} stored run(s), ${report.bundles} compiled demo model(s) and ${report.files.length} settings file(s) of an earlier version from ${report.from.join(', ')} into the data folder ${dataDir}`,
    );
  }
  return report;
}
