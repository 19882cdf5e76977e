/**
 * The demo job on the tiny bundle and a small generated world (the shipped demo model may not be
 * there, and would be slower): figures per LASER run, a summary whose rows are the evaluation's,
 * and a clear refusal naming whatever is missing. The script itself runs once as a subprocess.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDemo } from '../../src/engine/eval/demo.ts';
import { loadWorldDataset } from '../../src/engine/world/dataset.ts';
import { generateWorld } from '../../src/engine/world/generate.ts';
import { compileTinyLaserBundle, type TinyLaserBundle } from '../laser/support/tiny-laser-bundle.ts';

const exec = promisify(execFile);
const script = fileURLToPath(new URL('../../scripts/demo.ts', import.meta.url));

let tiny: TinyLaserBundle;
let work: string;
let world: string;
beforeAll(async () => {
  tiny = await compileTinyLaserBundle();
  work = await mkdtemp(join(tmpdir(), 'laser-demo-'));
  world = join(work, 'world');
  await generateWorld({ seed: 9, count: 2, out: world });
});
afterAll(async () => {
  await tiny?.dispose();
  if (work) await rm(work, { recursive: true, force: true });
});

describe('the demo job', () => {
  it('answers every question with vanilla and LASER, draws each LASER run, and writes a summary of exactly those runs', async () => {
    const out = join(work, 'out');
    const r = await runDemo({ out, samples: world, bundle: tiny.bundle, cacheDir: join(work, 'cache'), maxNewTokens: 2 });
    const truth = await loadWorldDataset(world);
    expect(r.rows.map((x) => x.id)).toEqual(truth.samples.map((q) => q.id));
    expect(r.evaluation.results).toHaveLength(2 * truth.samples.length);

    const json = JSON.parse(await readFile(r.json, 'utf8')) as { methods: Record<string, { accuracy: number }>; questions: typeof r.rows };
    expect(json.questions).toEqual(r.rows);
    for (const m of ['vanilla', 'laser']) {
      const correct = r.rows.filter((x) => x.correct[m]).length;
      expect(json.methods[m].accuracy).toBe(correct / r.rows.length);
    }
    for (const row of r.rows) {
      const laser = r.evaluation.results.find((x) => x.sampleId === row.id && x.method === 'laser')!;
      expect(row.answers.laser).toBe(laser.answer);
      expect(row.layer).toBe(laser.layer);
      // overlay only where the run had a map; vaq and compare always
      const kinds = row.figures.map((f) => f.split('/').pop());
      expect(kinds).toEqual([...(laser.fallback ? [] : ['overlay.png']), 'vaq.png', 'compare.png']);
      for (const f of row.figures) expect((await sharp(join(out, f)).metadata()).format).toBe('png');
    }
    expect(r.figureCount).toBe(r.rows.reduce((n, x) => n + x.figures.length, 0));

    const md = await readFile(r.markdown, 'utf8');
    expect(md).toContain('# LASER demo: world seed 9');
    expect(md).toContain('### Accuracy (%)');
    expect(md).toContain('### Every question');
    for (const row of r.rows) expect(md).toContain(`| ${row.question} | ${row.family} |`);
  });

  it('a second demo into the same folder comes from the cache and replaces the figures', async () => {
    const out = join(work, 'out');
    const r = await runDemo({ out, samples: world, bundle: tiny.bundle, cacheDir: join(work, 'cache'), maxNewTokens: 2, figures: [] });
    expect(r.evaluation.results.every((x) => x.cached)).toBe(true);
    expect(await readdir(r.figuresDir)).toEqual([]);
  });

  it('names everything that is missing before doing anything', async () => {
    const err = await runDemo({ out: join(work, 'none-out'), samples: join(work, 'no-samples'), modelSource: join(work, 'no-model') }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'not-found' });
    expect((err as Error).message).toBe(
      `The demo cannot run; missing: the sample folder ${join(work, 'no-samples')} (a generated world: manifest.json, questions.json, images/); and the demo model ${join(work, 'no-model')} (a Hugging Face LLaVA checkpoint: config.json, model.safetensors, tokenizer files).`,
    );
  });
});

describe('npm run demo (the script)', () => {
  it('prints where the summary and figures are', async () => {
    const out = join(work, 'script-out');
    const { stdout } = await exec(process.execPath, ['--import', 'tsx', script, '--out', out, '--samples', world, '--bundle', tiny.bundle, '--limit', '3'], {
      env: { ...process.env, LASER_CACHE_DIR: join(work, 'cache') },
    });
    expect(stdout).toMatch(/^world seed 9: 3 questions, 6 runs \(\d+ run now, \d+ from the cache\)/);
    expect(stdout).toContain(`summary:  ${join(out, 'summary.md')}\n          ${join(out, 'summary.json')}\n`);
    expect(stdout).toMatch(new RegExp(`figures:  ${join(out, 'figures')} \\(\\d+ PNG\\)`));
  });

  it('exits 1 with the error and its hint when something is missing', async () => {
    const failed = await exec(process.execPath, [
      '--import',
      'tsx',
      script,
      '--out',
      join(work, 'x'),
      '--samples',
      join(work, 'nothing'),
      '--bundle',
      tiny.bundle,
    ]).catch((e: { code: number; stderr: string }) => e);
    expect(failed).toMatchObject({ code: 1 });
    expect((failed as { stderr: string }).stderr).toContain(`error: The demo cannot run; missing: the sample folder ${join(work, 'nothing')}`);
    expect((failed as { stderr: string }).stderr).toContain('hint: Both ship with the repository');
  });
});
