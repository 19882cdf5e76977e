/**
 * `laser report` on a two-method run folder (rows written through openRun, as laser eval does):
 * its intervals and its paired test equal a reference computation written out here.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRng } from '../../common/laser/random.ts';
import { testManifest, testRow } from '../../../test/eval/support/run-folder.ts';
import { openRun, type RunRow } from '../../engine/eval/run-folder.ts';
import { registerReport } from './report.ts';

let work: string;
let run: string;
const N = 40;
// vanilla right on k % 2 === 0; laser right on k % 5 !== 0: discordant pairs counted below
const vanilla = Array.from({ length: N }, (_, k) => (k % 2 === 0 ? 1 : 0));
const laserScores = Array.from({ length: N }, (_, k) => (k % 5 !== 0 ? 1 : 0));

const row = (k: number, method: 'vanilla' | 'laser', score: number): RunRow =>
  testRow(`random/${k}`, k, method, {
    prediction: score === 1 ? 'yes' : 'no',
    score,
    pope: score === 1 ? 'yes' : 'no',
    ms: 1,
    groups: { split: k < 20 ? 'random' : 'adversarial' },
  });

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'laser-report-'));
  run = join(work, 'run');
  const manifest = testManifest(N, {}, { knobs: {}, options: {} });
  const folder = await openRun({ dir: run, manifest });
  for (let k = 0; k < N; k++) {
    await folder.append(row(k, 'vanilla', vanilla[k]));
    await folder.append(row(k, 'laser', laserScores[k]));
  }
  await folder.close();
});
afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

async function laser(args: string[]): Promise<string[]> {
  const lines: string[] = [];
  const program = new Command('laser').exitOverride();
  registerReport(program, (l) => lines.push(l));
  await program.parseAsync(['node', 'laser', 'report', ...args]);
  return lines;
}

/** Percentile bootstrap, written out plainly: the reference. */
function reference(values: number[], seed: number, resamples: number): [number, number] {
  const rng = createRng(seed);
  const means: number[] = [];
  for (let r = 0; r < resamples; r++) means.push(values.map(() => values[rng.nextUint32() % values.length]).reduce((a, b) => a + b, 0) / values.length);
  means.sort((a, b) => a - b);
  const q = (p: number) => {
    const h = (resamples - 1) * p;
    const lo = Math.floor(h);
    return means[lo] + (h - lo) * (means[Math.min(resamples - 1, lo + 1)] - means[lo]);
  };
  return [q(0.025), q(0.975)];
}

const pct = (x: number) => (100 * x).toFixed(1);

describe('laser report', () => {
  it('Markdown: accuracy with intervals, per split, and the paired difference with McNemar, all equal to the reference', async () => {
    const lines = await laser([run, '--resamples', '1000', '--seed', '5']);
    const md = lines.join('\n');
    const [vl, vh] = reference(vanilla, 5, 1000);
    expect(md).toContain(`| vanilla | ${pct(0.5)} [${pct(vl)}, ${pct(vh)}] | 40 | 0 |`);
    const [ll, lh] = reference(laserScores, 5, 1000);
    expect(md).toContain(`| laser | ${pct(0.8)} [${pct(ll)}, ${pct(lh)}] | 40 | 0 |`);
    // discordant: vanilla right, laser wrong at k = 0, 10, 20, 30 (4); laser right, vanilla wrong at odd k not divisible by 5 (16)
    const onlyA = vanilla.filter((v, k) => v === 1 && laserScores[k] === 0).length;
    const onlyB = vanilla.filter((v, k) => v === 0 && laserScores[k] === 1).length;
    expect([onlyA, onlyB]).toEqual([4, 16]);
    // two-sided exact: 2 * sum_{k<=4} C(20, k) / 2^20
    const choose = (n: number, k: number): number => (k === 0 ? 1 : (choose(n, k - 1) * (n - k + 1)) / k);
    const p = (2 * [0, 1, 2, 3, 4].reduce((s, k) => s + choose(20, k), 0)) / 2 ** 20;
    expect(p).toBeCloseTo(0.01182, 5);
    const [dl, dh] = reference(
      laserScores.map((x, k) => x - vanilla[k]),
      5,
      1000,
    );
    expect(md).toContain(`| vanilla | laser | 40 | +${pct(0.3)} [${pct(dl)}, ${pct(dh)}] | 4 | 16 | ${p.toFixed(3)} |`);
    expect(md).toContain('### Accuracy by split (%, 95 % interval)');
    const adv = reference(laserScores.slice(20), 5, 1000);
    expect(md).toMatch(new RegExp(`\\| laser \\| ${pct(0.8)} \\[${pct(adv[0])}, ${pct(adv[1])}\\] \\|`));
    expect(md).toContain('"format": "laser-eval-run"');
  });

  it('HTML: one self-contained file with SVG charts, the tables and the manifest; no script, nothing fetched', async () => {
    const out = join(work, 'report.html');
    expect(await laser([run, '--out', out])).toEqual([`report: ${out} (1 run)`]);
    const html = await readFile(out, 'utf8');
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect((html.match(/<svg /g) ?? []).length).toBe(2);
    expect(html).toContain('<th>McNemar p</th>');
    expect(html).toContain('&quot;format&quot;: &quot;laser-eval-run&quot;');
    expect(html).not.toMatch(/<script|https?:\/\/(?!www\.w3\.org\/2000\/svg)/);
    await laser([run, '--out', join(work, 'report.md')]);
    expect(await readFile(join(work, 'report.md'), 'utf8')).toContain('# LASER evaluation report');
  });

  it('refuses another --out kind and a folder that is not a run', async () => {
    await expect(laser([run, '--out', join(work, 'r.pdf')])).rejects.toThrow('name a .html or .md file');
    await expect(laser([work])).rejects.toThrow('no manifest.json; not a laser eval run folder');
  });
});
