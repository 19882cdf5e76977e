/**
 * `laser eval --shard i/n` and `laser eval merge`: 2 and 3 shards merged give the results.jsonl and
 * summary.json of the unsharded run byte for byte. All runs share one record cache, so each
 * (sample, method) has one record and one `ms` whichever run asked for it; the rows' other fields
 * are the same without the cache (eval-run.test.ts).
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { laserEvalLines, popeFlags, tinyRunFlags } from '../../../test/eval/support/laser-eval.ts';
import { compileTinyLaserBundle, type TinyLaserBundle } from '../../../test/laser/support/tiny-laser-bundle.ts';
import { shardOf, type RunManifest, type RunRow } from '../../engine/eval/run-folder.ts';

let tiny: TinyLaserBundle;
let work: string;
let data: string;
const N = 14;

beforeAll(async () => {
  tiny = await compileTinyLaserBundle();
  work = await mkdtemp(join(tmpdir(), 'laser-eval-merge-'));
  data = join(work, 'coco_pope_popular.jsonl');
  const images = ['COCO_val2014_000000000007.png', 'COCO_val2014_000000000042.png', 'scene_wide.png'];
  const objects = ['cat', 'dog', 'car', 'cup', 'tree', 'bus', 'kite'];
  const lines = Array.from({ length: N }, (_, k) =>
    JSON.stringify({ question_id: 100 + k, image: images[k % 3], text: `Is there a ${objects[k % 7]} in the image?`, label: k % 2 === 0 ? 'yes' : 'no' }),
  );
  await writeFile(data, lines.join('\n') + '\n');
});
afterAll(async () => {
  await tiny?.dispose();
  if (work) await rm(work, { recursive: true, force: true });
});

const evalArgs = (run: string, extra: string[] = []) => [
  'eval',
  ...tinyRunFlags(tiny.bundle),
  '--cache',
  join(work, 'cache'),
  ...popeFlags(data),
  '--run',
  run,
  ...extra,
];

const text = (dir: string, f: string) => readFile(join(dir, f), 'utf8');
const rows = async (dir: string) =>
  (await text(dir, 'results.jsonl'))
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as RunRow);

describe('shards and merge', () => {
  let whole: string;
  beforeAll(async () => {
    whole = join(work, 'whole');
    await laserEvalLines(evalArgs(whole));
  }, 120_000);

  for (const n of [2, 3]) {
    it(`${n} shards: each runs the samples whose id hashes to it; merged, they equal the unsharded run byte for byte`, async () => {
      const dirs: string[] = [];
      for (let i = 0; i < n; i++) {
        const dir = join(work, `s${n}-${i}`);
        const out = await laserEvalLines(evalArgs(dir, ['--shard', `${i}/${n}`]));
        const mine = await rows(dir);
        expect(mine.length).toBeGreaterThan(0);
        expect(mine.every((r) => shardOf(r.id, n) === i)).toBe(true);
        expect(out[0]).toMatch(new RegExp(`^dataset: pope, ${mine.length / 2} of ${N} samples \\(shard ${i}/${n}\\)`));
        expect((JSON.parse(await text(dir, 'manifest.json')) as RunManifest).shard).toEqual({ index: i, count: n });
        dirs.push(dir);
      }
      const merged = join(work, `merged-${n}`);
      const out = await laserEvalLines(['eval', 'merge', ...dirs.reverse(), '--run', merged]);
      expect(out[0]).toBe(`merged ${n} shards: ${2 * N} rows (${N} samples x 2 methods)`);
      expect(await text(merged, 'results.jsonl')).toBe(await text(whole, 'results.jsonl'));
      expect(await text(merged, 'summary.json')).toBe(await text(whole, 'summary.json'));
      const [m, w] = [JSON.parse(await text(merged, 'manifest.json')) as RunManifest, JSON.parse(await text(whole, 'manifest.json')) as RunManifest];
      expect(m.identity).toEqual(w.identity);
      expect(m).toMatchObject({ shard: null, expected: 2 * N, mergedFrom: dirs.reverse() });
    }, 120_000);
  }

  it('--json reports each shard read as a JSON progress line on stderr, --quiet says nothing there, and the two do not go together', async () => {
    const d = (i: number) => join(work, `s3-${i}`);
    const written: string[] = [];
    const spy = vi.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => (written.push(String(s)), true));
    let json: string[];
    let quiet: string[];
    let quietOut: string[];
    try {
      await laserEvalLines(['eval', 'merge', d(0), d(1), d(2), '--run', join(work, 'm-json'), '--json']);
      json = written.splice(0);
      quietOut = await laserEvalLines(['eval', 'merge', d(0), d(1), d(2), '--run', join(work, 'm-quiet'), '--quiet']);
      quiet = written.splice(0);
    } finally {
      spy.mockRestore();
    }
    const events = json.map((l) => JSON.parse(l) as { event: string; task: string; done: number; total: number });
    expect(events.map((e) => [e.event, e.task, e.done, e.total])).toEqual([1, 2, 3].map((k) => ['progress', 'shards read', k, 3]));
    expect(quiet).toEqual([]);
    // the summary still goes to stdout
    expect(quietOut[0]).toBe(`merged 3 shards: ${2 * N} rows (${N} samples x 2 methods)`);
    await expect(laserEvalLines(['eval', 'merge', d(0), d(1), d(2), '--run', join(work, 'm-both'), '--quiet', '--json'])).rejects.toThrow(
      /cannot be used with/,
    );
  }, 120_000);

  it('refuses a missing shard, a shard given twice, an unfinished shard, shards of other settings, and a folder that already holds a run', async () => {
    const d = (i: number) => join(work, `s3-${i}`);
    await expect(laserEvalLines(['eval', 'merge', d(0), d(2), '--run', join(work, 'm-a')])).rejects.toThrow('Shard 1/3 missing: 2 of 3 given.');
    await expect(laserEvalLines(['eval', 'merge', d(0), d(1), d(1), '--run', join(work, 'm-b')])).rejects.toThrow(
      `Shard 1/3 is given twice (${d(1)} and ${d(1)}).`,
    );
    await expect(laserEvalLines(['eval', 'merge', d(0), join(work, 's2-1'), '--run', join(work, 'm-c')])).rejects.toThrow('not shards of one split');
    const other = join(work, 'other-1');
    await laserEvalLines(evalArgs(other, ['--shard', '1/3', '--kHead', '2']));
    await expect(laserEvalLines(['eval', 'merge', d(0), other, d(2), '--run', join(work, 'm-d')])).rejects.toThrow(
      `${other} and ${d(0)} are not shards of one run (knobs.laser.kHead 2 here,`,
    );
    const cut = join(work, 'cut-1');
    await laserEvalLines(evalArgs(cut, ['--shard', '1/3']));
    const lines = (await text(cut, 'results.jsonl')).split('\n');
    await writeFile(join(cut, 'results.jsonl'), lines.slice(0, 2).join('\n') + '\n');
    await expect(laserEvalLines(['eval', 'merge', d(0), cut, d(2), '--run', join(work, 'm-e')])).rejects.toThrow(`${cut} is not finished (2 of`);
    await expect(laserEvalLines(['eval', 'merge', d(0), d(1), d(2), '--run', join(work, 'merged-3')])).rejects.toThrow('already holds a run');
    await expect(laserEvalLines(['eval', 'merge', d(0), d(1), d(2), '--run', join(work, 'merged-3'), '--force-new'])).resolves.toBeDefined();
  }, 120_000);

  it('refuses a shard spec that is not i/n with i < n', async () => {
    await expect(laserEvalLines(evalArgs(join(work, 'bad'), ['--shard', '3/3']))).rejects.toThrow('Use i/n with 0 <= i < n');
  });
});
