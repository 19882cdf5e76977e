/**
 * `laser eval --run <dir>`: a run folder streamed row by row, resumed after a SIGKILL (also one
 * that landed mid-write) to the rows of an uninterrupted run, refused when the settings differ.
 * The real `laser` process is spawned and killed, on the tiny bundle.
 */
import { execFile, spawn } from 'node:child_process';
import { appendFile, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { popeFlags, tinyRunFlags } from '../../../test/eval/support/laser-eval.ts';
import { compileTinyLaserBundle, type TinyLaserBundle } from '../../../test/laser/support/tiny-laser-bundle.ts';
import type { RunManifest, RunRow, RunSummary } from '../../engine/eval/run-folder.ts';

const exec = promisify(execFile);
const laser = fileURLToPath(new URL('../../../bin/laser.js', import.meta.url));

let tiny: TinyLaserBundle;
let work: string;
let data: string;
const IMAGES = ['COCO_val2014_000000000007.png', 'COCO_val2014_000000000042.png', 'scene_wide.png', '003a8ae2ef43b901.png'];
const OBJECTS = ['cat', 'dog', 'car', 'cup', 'tree', 'bus', 'kite', 'bird', 'boat', 'bench'];
const N = 30;

beforeAll(async () => {
  tiny = await compileTinyLaserBundle();
  work = await mkdtemp(join(tmpdir(), 'laser-eval-run-'));
  data = join(work, 'coco_pope_random.jsonl');
  const lines = Array.from({ length: N }, (_, k) =>
    JSON.stringify({ question_id: k + 1, image: IMAGES[k % 4], text: `Is there a ${OBJECTS[k % 10]} in the image?`, label: k % 3 === 0 ? 'no' : 'yes' }),
  );
  await writeFile(data, lines.join('\n') + '\n');
});
afterAll(async () => {
  await tiny?.dispose();
  if (work) await rm(work, { recursive: true, force: true });
});

const args = (run: string, extra: string[] = []) => [laser, 'eval', ...tinyRunFlags(tiny.bundle), ...popeFlags(data), '--no-cache', '--run', run, ...extra];

const read = async (dir: string, file: string) => readFile(join(dir, file), 'utf8');
const rowsOf = async (dir: string): Promise<RunRow[]> =>
  (await read(dir, 'results.jsonl'))
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => JSON.parse(l) as RunRow);
/** A row without its wall time, the one field two runs of the same sample cannot share (--no-cache: each is made afresh). */
const timeless = (rows: RunRow[]) => rows.map(({ ms: _ms, ...rest }) => JSON.stringify(rest));

async function lineCount(file: string): Promise<number> {
  const text = await readFile(file, 'utf8').catch(() => '');
  return text.split('\n').length - 1;
}

/** Starts laser eval, SIGKILLs it once results.jsonl has `atLeast` rows; resolves with the row count at the kill. */
async function runAndKill(run: string, atLeast: number): Promise<number> {
  const child = spawn(process.execPath, args(run), { stdio: 'ignore' });
  const exited = new Promise<void>((res) => child.on('exit', () => res()));
  const file = join(run, 'results.jsonl');
  for (;;) {
    if ((await lineCount(file)) >= atLeast) break;
    if (child.exitCode !== null) throw new Error('laser eval finished before it could be killed');
    await new Promise((r) => setTimeout(r, 10));
  }
  child.kill('SIGKILL');
  await exited;
  return lineCount(file);
}

describe('laser eval --run', () => {
  let whole: string;
  beforeAll(async () => {
    whole = join(work, 'whole');
    await exec(process.execPath, args(whole));
  }, 120_000);

  it('writes one row per sample and method, in dataset order, with the manifest and the summary', async () => {
    const rows = await rowsOf(whole);
    expect(rows).toHaveLength(2 * N);
    expect(rows.map((r) => `${r.index}:${r.method}`)).toEqual(Array.from({ length: N }, (_, k) => [`${k}:vanilla`, `${k}:laser`]).flat());
    expect(Object.keys(rows[1])).toEqual([
      'id',
      'index',
      'method',
      'status',
      'reason',
      'prediction',
      'score',
      'pope',
      'layer',
      'layerMode',
      'cropBox',
      'fallback',
      'aggregation',
      'iou',
      'ms',
      'record',
      'groups',
      'truth',
    ]);
    expect(rows[1]).toMatchObject({ id: 'random/1', method: 'laser', status: 'ok', reason: null, groups: { split: 'random' }, truth: { pope: 'no' } });
    expect(typeof rows[1].layer).toBe('number');
    for (const r of rows) expect(r.score).toBe((r.pope === r.truth.pope ? 1 : 0) as number);
    const manifest = JSON.parse(await read(whole, 'manifest.json')) as RunManifest;
    expect(manifest).toMatchObject({
      format: 'laser-eval-run',
      identity: { methods: ['vanilla', 'laser'], dataset: { format: 'pope', samples: N, evaluated: N }, options: { maxNewTokens: 2 }, limit: null },
      shard: null,
      expected: 2 * N,
      dataset: { sources: [data] },
      program: { name: 'laser-workbench' },
    });
    expect(manifest.identity.bundle.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(manifest.identity.dataset.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(manifest.identity.knobs.laser).toHaveProperty('kHead');
    expect(Date.parse(manifest.endedAt!)).toBeGreaterThanOrEqual(Date.parse(manifest.startedAt));
    const summary = JSON.parse(await read(whole, 'summary.json')) as RunSummary;
    expect(summary).toMatchObject({ complete: true, rows: 2 * N, expected: 2 * N, errors: { vanilla: 0, laser: 0 } });
    const laserRows = rows.filter((r) => r.method === 'laser');
    expect(summary.methods.laser.accuracy.mean).toBeCloseTo(laserRows.reduce((a, r) => a + r.score!, 0) / N, 12);
  });

  it('killed (SIGKILL) mid-run, and again mid-write, resumes to the rows of the uninterrupted run', async () => {
    const run = join(work, 'killed');
    const atKill = await runAndKill(run, 6);
    expect(atKill).toBeGreaterThanOrEqual(6);
    expect(atKill).toBeLessThan(2 * N);
    // a kill during a write leaves half a line: emulate it on the rows the kill left
    const partial = (await read(whole, 'results.jsonl')).split('\n')[atKill];
    await appendFile(join(run, 'results.jsonl'), partial.slice(0, Math.floor(partial.length / 2)));
    const second = await runAndKill(run, atKill + 4);
    expect(second).toBeGreaterThanOrEqual(atKill + 4);
    const { stderr } = await exec(process.execPath, args(run));
    expect(stderr).toMatch(/resuming .*killed: \d+ rows kept/);
    const resumed = await rowsOf(run);
    expect(resumed).toHaveLength(2 * N);
    expect(timeless(resumed)).toEqual(timeless(await rowsOf(whole)));
    expect(JSON.parse(await read(run, 'summary.json'))).toMatchObject({ complete: true, rows: 2 * N });
    const m = JSON.parse(await read(run, 'manifest.json')) as RunManifest;
    expect(m.resumedAt.length).toBeGreaterThanOrEqual(2);
  }, 180_000);

  it('refuses a folder made with other settings, naming what differs, unless --force-new', async () => {
    const err = (await exec(process.execPath, args(whole, ['--kHead', '3'])).catch((e: unknown) => e)) as { stderr: string; code: number };
    expect(err.code).toBe(1);
    expect(err.stderr).toContain(`error: ${whole} holds another run (identity.knobs.laser.kHead 3 here,`);
    expect(err.stderr).toContain('hint: Pass --force-new');
    const before = (await stat(join(whole, 'results.jsonl'))).mtimeMs;
    expect((await stat(join(whole, 'results.jsonl'))).mtimeMs).toBe(before);
    const fresh = join(work, 'fresh');
    await exec(process.execPath, args(fresh, ['--limit', '2']));
    await exec(process.execPath, args(fresh, ['--limit', '3', '--force-new']));
    const rows = await rowsOf(fresh);
    expect(rows.map((r) => r.id)).toEqual(['random/1', 'random/1', 'random/2', 'random/2', 'random/3', 'random/3']);
    expect((JSON.parse(await read(fresh, 'manifest.json')) as RunManifest).identity.limit).toBe(3);
  }, 120_000);
});
