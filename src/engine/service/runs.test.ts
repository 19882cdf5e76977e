import { copyFile, mkdir, mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURE_IMAGES } from '../../../test/eval/support/fixtures.ts';
import { testManifest, testRow } from '../../../test/eval/support/run-folder.ts';
import { WorkbenchError } from '../../common/contract/errors.ts';
import { dispatch, type CallContext } from '../../common/contract/host.ts';
import { methods, type MethodName, type ResponseOf } from '../../common/contract/methods.ts';
import { rowLine, writeManifest, writeSummary, summarizeRows, type RunManifest, type RunRow } from '../eval/run-folder.ts';
import { OpenedFolders } from '../library/openedFolders.ts';
import type { RecordStore } from './record-store.ts';
import { estimateRate, etaMs, RUNNING_QUIET_MS, runningMetric, runsHandlers, runState } from './runs.ts';
import { at } from '../../../test/support/index-access.ts';

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'runs-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

const RECORD = 'a'.repeat(64);

async function runFolder(dir: string, manifest: RunManifest, rows: RunRow[], o: { summary?: boolean } = {}): Promise<string> {
  await mkdir(dir, { recursive: true });
  await writeManifest(dir, manifest);
  await writeFile(join(dir, 'results.jsonl'), rows.map(rowLine).join(''));
  if (o.summary) await writeSummary(dir, summarizeRows(manifest.identity.methods, rows, manifest.expected));
  return dir;
}

function handlersFor(dataDir: string, now: () => number, imagePath = join(FIXTURE_IMAGES, 'scene_wide.png')) {
  const folders = new OpenedFolders();
  // the store as the handler uses it: one record, naming the sample's image
  const records = {
    cache: { root: dataDir },
    load: async (id: string) => {
      if (id !== RECORD) throw new WorkbenchError('not-found', `No stored run has the id ${id}.`);
      return { record: { image: { path: imagePath } } };
    },
  } as unknown as RecordStore;
  const h = runsHandlers({ dataDir, folders, records, now });
  const call = async <M extends MethodName>(method: M, request: unknown): Promise<ResponseOf<M>> => {
    const ctx: CallContext<MethodName> = { signal: new AbortController().signal, progress: () => {} };
    return methods[method].response.parse(await dispatch(h as never, method, request, ctx)) as ResponseOf<M>;
  };
  return { call, folders };
}

describe('run progress', () => {
  it('rate from the polls of the last minute, ETA from the rows left, the metric as the mean score', () => {
    expect(estimateRate([{ at: 0, rows: 0 }])).toBeNull();
    expect(
      estimateRate([
        { at: 0, rows: 0 },
        { at: 500, rows: 3 },
      ]),
    ).toBeNull();
    expect(
      estimateRate([
        { at: 0, rows: 0 },
        { at: 10_000, rows: 20 },
      ]),
    ).toBe(2);
    // the poll of 90 s ago is out of the window: 30 rows over the last 40 s
    expect(
      estimateRate([
        { at: 0, rows: 0 },
        { at: 50_000, rows: 10 },
        { at: 90_000, rows: 40 },
      ]),
    ).toBe(0.75);
    expect(etaMs(2, 10)).toBe(5000);
    expect(etaMs(null, 10)).toBeNull();
    expect(etaMs(0, 10)).toBeNull();
    expect(etaMs(1, 0)).toBe(0);
    expect(
      runningMetric([
        { status: 'ok', score: 1 },
        { status: 'ok', score: 0 },
        { status: 'ok', score: null },
        { status: 'error', score: null },
        { status: 'ok', score: 0.5 },
      ]),
    ).toBe(0.5);
    expect(runningMetric([])).toBeNull();
  });

  it('state from the files: complete, stopped (summary as new as the rows, or quiet for long), running', () => {
    const now = 1_000_000_000;
    expect(runState({ rows: 4, expected: 4, resultsMtime: now, summaryMtime: null, now })).toBe('complete');
    expect(runState({ rows: 2, expected: 4, resultsMtime: now - 5000, summaryMtime: now - 5000, now })).toBe('stopped');
    expect(runState({ rows: 2, expected: 4, resultsMtime: now - 5000, summaryMtime: now - 60_000, now })).toBe('running');
    expect(runState({ rows: 2, expected: 4, resultsMtime: now - RUNNING_QUIET_MS - 1, summaryMtime: null, now })).toBe('stopped');
    expect(runState({ rows: 0, expected: 4, resultsMtime: null, summaryMtime: null, now: RUNNING_QUIET_MS / 2 })).toBe('running');
  });
});

describe('runs handlers', () => {
  it("lists the data folder's runs/ and an opened folder's, with rows, errors, metric, state; a running one gets rate and ETA from polling", async () => {
    const dataDir = join(tmp, 'data');
    const t0 = Date.parse('2026-01-01T00:00:00.000Z');
    let clock = t0 + 10_000;
    const done = [
      testRow('a', 0, 'vanilla'),
      testRow('a', 0, 'laser', { score: 0 }),
      testRow('b', 1, 'vanilla'),
      testRow('b', 1, 'laser', { status: 'error', reason: 'image missing', score: null }),
    ];
    await runFolder(join(dataDir, 'runs', 'pope-all'), testManifest(2, { endedAt: '2026-01-01T01:00:00.000Z' }), done, { summary: true });
    const live = join(tmp, 'cluster', 'pope', 'shard-1');
    await runFolder(live, testManifest(10, { shard: { index: 1, count: 4 } }), done.slice(0, 2));
    // a shard's folder two levels down; its rows were written just now (by the clock the handler reads)
    await utimes(join(live, 'results.jsonl'), new Date(clock), new Date(clock));
    await mkdir(join(tmp, 'cluster', 'not-a-run'), { recursive: true });
    const { call } = handlersFor(dataDir, () => clock);
    const first = await call('runs.list', { folder: join(tmp, 'cluster') });
    expect(first.roots).toEqual([join(dataDir, 'runs'), join(tmp, 'cluster')]);
    expect(first.runs.map((r) => [r.name, r.state, r.rows, r.expected, r.errors, r.metric, r.shard])).toEqual([
      ['pope-all', 'complete', 4, 4, 1, 2 / 3, null],
      ['pope/shard-1', 'running', 2, 20, 0, 0.5, '1/4'],
    ]);
    // the first poll of a run made in one go: its rows over its 10 s so far
    expect(at(first.runs, 1).rate).toBeCloseTo(0.2, 9);
    expect(at(first.runs, 1).etaMs).toBe(90_000);
    expect(at(first.runs, 0).rate).toBeNull();
    // 20 s later 6 more rows: 0.3 rows/s between the polls
    clock += 20_000;
    await writeFile(
      join(live, 'results.jsonl'),
      [...done.slice(0, 2), ...Array.from({ length: 3 }, (_, k) => [testRow(`c${k}`, 2 + k, 'vanilla'), testRow(`c${k}`, 2 + k, 'laser')]).flat()]
        .map(rowLine)
        .join(''),
    );
    await utimes(join(live, 'results.jsonl'), new Date(clock), new Date(clock));
    const second = await call('runs.list', {});
    expect(second.roots).toEqual([join(dataDir, 'runs'), join(tmp, 'cluster')]);
    const r = at(second.runs, 1);
    expect([r.rows, r.rate, r.etaMs]).toEqual([8, 0.3, 40_000]);
  });

  it("rows page through results.jsonl; the report is laser report's HTML; only listed folders are read", async () => {
    const dataDir = join(tmp, 'data2');
    const dir = await runFolder(join(dataDir, 'runs', 'r'), testManifest(2), [
      testRow('a', 0, 'vanilla', { record: RECORD }),
      testRow('a', 0, 'laser', { prediction: 'no', score: 0 }),
      testRow('b', 1, 'vanilla'),
    ]);
    const { call } = handlersFor(dataDir, Date.now);
    await expect(call('runs.rows', { dir })).rejects.toMatchObject({ code: 'outside-opened-folders' });
    await call('runs.list', {});
    const page = await call('runs.rows', { dir, offset: 1, limit: 1 });
    expect(page).toEqual({ total: 3, rows: [{ id: 'a', method: 'laser', status: 'ok', prediction: 'no', score: 0, reason: null, record: null }] });
    const { html } = await call('runs.report', { dir });
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).toContain('<svg');
    expect(html).toContain('Accuracy (%, 95 % bootstrap interval)');
    await expect(call('runs.report', { dir: join(tmp, 'elsewhere') })).rejects.toMatchObject({ code: 'outside-opened-folders' });
  });

  it("a row's sample: its record's image, its folder opened; a record not in the app's store says where the run kept it", async () => {
    const dataDir = join(tmp, 'data3');
    const images = join(tmp, 'imgs');
    await mkdir(images, { recursive: true });
    await copyFile(join(FIXTURE_IMAGES, 'scene_wide.png'), join(images, 'scene_wide.png'));
    const other = 'b'.repeat(64);
    const dir = await runFolder(join(dataDir, 'runs', 'r'), testManifest(1, { cacheDir: '/elsewhere/cache' }), [
      testRow('a', 0, 'vanilla', { record: RECORD }),
      testRow('a', 0, 'laser', { record: other }),
    ]);
    const { call, folders } = handlersFor(dataDir, Date.now, join(images, 'scene_wide.png'));
    await call('runs.list', {});
    const entry = await call('runs.sample', { dir, record: RECORD });
    expect(entry).toMatchObject({ path: join(images, 'scene_wide.png'), relPath: 'scene_wide.png', name: 'scene_wide.png' });
    expect(folders.list()).toEqual([images]);
    await expect(call('runs.sample', { dir, record: other })).rejects.toThrow("The run's records are not in the app's data folder");
    await expect(call('runs.sample', { dir, record: other })).rejects.toThrow('the run kept them in /elsewhere/cache');
    await expect(call('runs.sample', { dir, record: 'c'.repeat(64) })).rejects.toThrow('No row of');
  });

  it('a run folder opened itself is listed under its own name', async () => {
    const dataDir = join(tmp, 'data5');
    const dir = await runFolder(join(tmp, 'one-run', 'textvqa-llava'), testManifest(1), [testRow('a', 0, 'vanilla')]);
    const { call } = handlersFor(dataDir, Date.now);
    const { roots, runs } = await call('runs.list', { folder: dir });
    expect(roots).toEqual([join(dataDir, 'runs'), dir]);
    expect(runs.map((r) => [r.name, r.dir, r.rows, r.expected])).toEqual([['textvqa-llava', dir, 1, 2]]);
  });

  it('a folder with a broken manifest is listed with its problem; a missing folder is refused', async () => {
    const dataDir = join(tmp, 'data4');
    await mkdir(join(dataDir, 'runs', 'broken'), { recursive: true });
    await writeFile(join(dataDir, 'runs', 'broken', 'manifest.json'), '{"format": "x"}');
    const { call } = handlersFor(dataDir, Date.now);
    const { runs } = await call('runs.list', {});
    expect(runs.map((r) => [r.name, r.problem?.includes('not a laser eval run manifest')])).toEqual([['broken', true]]);
    await expect(call('runs.list', { folder: join(tmp, 'absent') })).rejects.toThrow('no such folder');
  });
});
