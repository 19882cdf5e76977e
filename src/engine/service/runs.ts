/**
 * The `runs.*` methods: the app's Runs view over the run folders `laser eval --run` writes
 * (src/engine/eval/run-folder.ts). Run folders are found under the data folder's `runs/` and
 * under any folder the user opens in the view (the folder itself, its sub-folders and theirs:
 * `runs/pope/shard-3`). For each: rows done of the rows expected (results.jsonl against the
 * manifest), errors, the running metric (mean score of the scored rows, as `laser eval`'s
 * progress line shows it), and, polled, the rate and ETA.
 *
 * State, from the files alone (a killed process leaves no mark): `complete` when every row is
 * there; `stopped` when summary.json (written when the command ends, also by Ctrl-C) is at least
 * as new as results.jsonl, or nothing has been written for RUNNING_QUIET_MS; else `running`.
 *
 * Rate: rows per second between this poll and the oldest poll of the last RATE_WINDOW_MS of the
 * same folder (`estimateRate`); the first poll of a run started in one go falls back to rows over
 * the time since `startedAt`. ETA: the rows left over the rate.
 *
 * Only folders a `runs.list` found are read by `runs.rows`, `runs.report` and `runs.sample` (the
 * renderer is untrusted). `runs.sample` opens the folder of a row's image (named by its record in
 * the app's record store) so the image view can show that sample's analysis.
 */
import { readdir, stat } from 'node:fs/promises';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { WorkbenchError, isWorkbenchError } from '../../common/contract/errors.ts';
import type { Handlers } from '../../common/contract/host.ts';
import type { ImageEntry, RunInfo } from '../../common/contract/methods.ts';
import { MANIFEST_FILE, readManifest, readRows, RESULTS_FILE, SUMMARY_FILE, type RunManifest, type RunRow } from '../eval/run-folder.ts';
import { buildRunReports, renderHtml } from '../eval/run-report.ts';
import type { OpenedFolders } from '../library/openedFolders.ts';
import type { RecordStore } from './record-store.ts';

export const RUNS_FOLDER = 'runs';
/** A run whose files have not changed for this long and has no summary since is not running. */
export const RUNNING_QUIET_MS = 10 * 60 * 1000;
export const RATE_WINDOW_MS = 60 * 1000;
/** How deep under a root run folders are looked for (root/benchmark/shard). */
const MAX_DEPTH = 2;

export interface Observation {
  at: number;
  rows: number;
}

/** Rows per second over the observations (oldest within the window to newest); null when it cannot tell. */
export function estimateRate(observations: readonly Observation[], windowMs: number = RATE_WINDOW_MS): number | null {
  const last = observations.at(-1);
  if (observations.length < 2 || last === undefined) return null;
  const first = observations.find((o) => last.at - o.at <= windowMs) ?? last;
  const dt = last.at - first.at;
  if (dt < 1000 || last.rows < first.rows) return null;
  return ((last.rows - first.rows) * 1000) / dt;
}

/** Milliseconds left at `rate` rows per second; null without a positive rate. */
export function etaMs(rate: number | null, remaining: number): number | null {
  if (remaining <= 0) return 0;
  if (rate === null || rate <= 0) return null;
  return Math.round((remaining / rate) * 1000);
}

/** Mean score of the rows that have one, or null. */
export function runningMetric(rows: readonly Pick<RunRow, 'status' | 'score'>[]): number | null {
  let n = 0;
  let sum = 0;
  for (const r of rows) {
    if (r.status === 'ok' && r.score !== null) {
      n++;
      sum += r.score;
    }
  }
  return n === 0 ? null : sum / n;
}

export function runState(p: { rows: number; expected: number; resultsMtime: number | null; summaryMtime: number | null; now: number }): RunInfo['state'] {
  if (p.rows >= p.expected && p.expected > 0) return 'complete';
  const last = p.resultsMtime ?? 0;
  if (p.summaryMtime !== null && p.summaryMtime >= last) return 'stopped';
  return p.now - last > RUNNING_QUIET_MS ? 'stopped' : 'running';
}

const mtimeOf = async (file: string) => (await stat(file).catch(() => null))?.mtimeMs ?? null;

interface Cached {
  key: string;
  rows: RunRow[];
}

export interface RunsDeps {
  dataDir: string;
  folders: OpenedFolders;
  records: RecordStore;
  now?: () => number;
}

type RunsHandlers = Pick<Handlers, 'runs.list' | 'runs.rows' | 'runs.report' | 'runs.sample'>;

export function runsHandlers({ dataDir, folders, records, now = Date.now }: RunsDeps): RunsHandlers {
  const known = new Set<string>();
  const extraRoots: string[] = [];
  const observations = new Map<string, Observation[]>();
  const cache = new Map<string, Cached>();

  /** The rows of a folder, read again only when results.jsonl changed. */
  async function rowsOf(dir: string): Promise<RunRow[]> {
    const file = join(dir, RESULTS_FILE);
    const s = await stat(file).catch(() => null);
    if (s === null) return [];
    const key = `${s.mtimeMs}:${s.size}`;
    const hit = cache.get(dir);
    if (hit?.key === key) return hit.rows;
    const { rows } = await readRows(file);
    cache.set(dir, { key, rows });
    return rows;
  }

  async function runFolders(root: string, depth: number, out: string[]): Promise<void> {
    if ((await stat(join(root, MANIFEST_FILE)).catch(() => null))?.isFile()) {
      out.push(root);
      return;
    }
    if (depth >= MAX_DEPTH) return;
    const names = await readdir(root, { withFileTypes: true }).catch(() => []);
    for (const d of names.filter((n) => n.isDirectory() && !n.name.startsWith('.')).sort((a, b) => a.name.localeCompare(b.name)))
      await runFolders(join(root, d.name), depth + 1, out);
  }

  async function infoOf(dir: string, root: string): Promise<RunInfo> {
    const t = now();
    const base = { dir, name: relative(root, dir) || basename(dir), root };
    let manifest: RunManifest | null;
    let rows: RunRow[];
    try {
      manifest = await readManifest(dir);
      rows = await rowsOf(dir);
    } catch (e) {
      const problem = isWorkbenchError(e) ? e.message : (e as Error).message;
      return {
        ...base,
        dataset: '',
        format: '',
        model: '',
        methods: [],
        shard: null,
        rows: 0,
        expected: 0,
        errors: 0,
        state: 'stopped',
        startedAt: null,
        updatedAt: null,
        rate: null,
        etaMs: null,
        metric: null,
        problem,
      };
    }
    if (manifest === null) throw new WorkbenchError('not-found', `${dir}: no ${MANIFEST_FILE}; not a run folder.`);
    const resultsMtime = await mtimeOf(join(dir, RESULTS_FILE));
    const summaryMtime = await mtimeOf(join(dir, SUMMARY_FILE));
    const state = runState({ rows: rows.length, expected: manifest.expected, resultsMtime, summaryMtime, now: t });
    const seen = [...(observations.get(dir) ?? []).filter((o) => t - o.at <= RATE_WINDOW_MS * 2), { at: t, rows: rows.length }];
    observations.set(dir, seen);
    let rate = state === 'running' ? estimateRate(seen) : null;
    // a run made in one go: its rows over its time so far
    if (rate === null && state === 'running' && (manifest.resumedAt ?? []).length === 0) {
      const elapsed = t - Date.parse(manifest.startedAt);
      if (elapsed >= 1000 && rows.length > 0) rate = (rows.length * 1000) / elapsed;
    }
    return {
      ...base,
      dataset: manifest.identity.dataset.name,
      format: manifest.identity.dataset.format,
      model: manifest.identity.bundle.name,
      methods: [...manifest.identity.methods],
      shard: manifest.shard === null ? null : `${manifest.shard.index}/${manifest.shard.count}`,
      rows: rows.length,
      expected: manifest.expected,
      errors: rows.filter((r) => r.status === 'error').length,
      state,
      startedAt: manifest.startedAt,
      updatedAt: resultsMtime === null ? null : new Date(resultsMtime).toISOString(),
      rate,
      etaMs: state === 'running' ? etaMs(rate, manifest.expected - rows.length) : null,
      metric: runningMetric(rows),
      problem: null,
    };
  }

  function knownDir(dir: string): string {
    const d = resolve(dir);
    if (!known.has(d))
      throw new WorkbenchError(
        'outside-opened-folders',
        `${d} is not a run folder the Runs view has listed.`,
        'Open the folder that holds it in the Runs view first.',
      );
    return d;
  }

  return {
    'runs.list': async ({ folder }) => {
      const defaultRoot = join(dataDir, RUNS_FOLDER);
      if (folder !== undefined) {
        const f = resolve(folder);
        if (!(await stat(f).catch(() => null))?.isDirectory())
          throw new WorkbenchError('not-found', `${f}: no such folder.`, 'Pick the folder that holds the run folders (laser eval --run <dir>).');
        if (!extraRoots.includes(f)) extraRoots.unshift(f);
      }
      const roots = [defaultRoot, ...extraRoots.filter((r) => r !== defaultRoot)];
      const runs: RunInfo[] = [];
      const listed = new Set<string>();
      for (const root of roots) {
        const dirs: string[] = [];
        await runFolders(root, 0, dirs);
        for (const dir of dirs) {
          if (listed.has(dir)) continue;
          listed.add(dir);
          known.add(dir);
          runs.push(await infoOf(dir, root === dir ? dirname(root) : root));
        }
      }
      return { roots, runs };
    },
    'runs.rows': async ({ dir, offset = 0, limit = 200 }) => {
      const rows = await rowsOf(knownDir(dir));
      return {
        total: rows.length,
        rows: rows
          .slice(offset, offset + limit)
          .map((r) => ({ id: r.id, method: r.method, status: r.status, prediction: r.prediction, score: r.score, reason: r.reason, record: r.record })),
      };
    },
    'runs.report': async ({ dir }) => {
      return { html: renderHtml(await buildRunReports([knownDir(dir)])) };
    },
    'runs.sample': async ({ dir, record }) => {
      const d = knownDir(dir);
      if (!(await rowsOf(d)).some((r) => r.record === record)) throw new WorkbenchError('not-found', `No row of ${d} has the record ${record}.`);
      let imagePath: string;
      try {
        imagePath = (await records.load(record)).record.image.path;
      } catch (e) {
        if (!isWorkbenchError(e) || e.code !== 'not-found') throw e;
        const manifest = await readManifest(d);
        const where = manifest?.cacheDir ?? null;
        throw new WorkbenchError(
          'not-found',
          `The run's records are not in the app's data folder (${records.cache.root})${where && resolve(where) !== resolve(records.cache.root) ? `: the run kept them in ${where}` : ''}.`,
          "Run laser eval with the same data folder (its default), or with --cache pointing at the app's data folder, to open its samples here.",
        );
      }
      const s = await stat(imagePath).catch(() => null);
      if (s === null || !s.isFile())
        throw new WorkbenchError('not-found', `The sample's image ${imagePath} is no longer there.`, 'Put it back where the run found it.');
      const root = await folders.add(dirname(imagePath));
      const entry: ImageEntry = {
        path: imagePath,
        relPath: relative(root, imagePath).split(/[\\/]/).join('/'),
        name: basename(imagePath),
        bytes: s.size,
        mtimeMs: s.mtimeMs,
      };
      return entry;
    },
  };
}
