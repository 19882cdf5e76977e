import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixture, FIXTURE_IMAGES } from '../../../test/eval/support/fixtures.ts';
import { laserEvalLines, tinyRunFlags } from '../../../test/eval/support/laser-eval.ts';
import { compileTinyLaserBundle, type TinyLaserBundle } from '../../../test/laser/support/tiny-laser-bundle.ts';
import type { EvalReport } from '../../engine/eval/report.ts';
import type { RunManifest, RunRow, RunSummary } from '../../engine/eval/run-folder.ts';
import { aokvqaMultipleChoice } from '../../common/laser/metrics.ts';
import { loadRecordJson } from '../../engine/laser/record-io.ts';
import { parseMethods } from './eval.ts';

let tiny: TinyLaserBundle;
let work: string;
beforeAll(async () => {
  tiny = await compileTinyLaserBundle();
  work = await mkdtemp(join(tmpdir(), 'laser-eval-cli-'));
});
afterAll(async () => {
  await tiny?.dispose();
  if (work) await rm(work, { recursive: true, force: true });
});

async function laserEval(args: string[]): Promise<string[]> {
  return laserEvalLines(['eval', ...tinyRunFlags(tiny.bundle), '--cache', join(work, 'cache'), ...args]);
}

describe('--methods', () => {
  it('takes a comma-separated list (repeats dropped) or all, and names a wrong id', () => {
    expect(parseMethods('vanilla, laser,vanilla')).toEqual(['vanilla', 'laser']);
    expect(parseMethods('all')).toEqual(['vanilla', 'vicrop-rel', 'static-layer', 'laser-crop', 'vcd', 'laser']);
    expect(() => parseMethods('vanilla,lazer')).toThrow('"lazer" is not a method');
    expect(() => parseMethods(',')).toThrow('at least one method');
  });
});

describe('laser eval', () => {
  it('POPE: prints the tables and writes a report whose samples point at their records', async () => {
    const out = join(work, 'pope.json');
    const lines = await laserEval([
      '--data',
      fixture('pope'),
      '--format',
      'pope',
      '--images',
      FIXTURE_IMAGES,
      '--methods',
      'vanilla,laser',
      '--kHead',
      '2',
      '--out',
      out,
    ]);
    const report = JSON.parse(await readFile(out, 'utf8')) as EvalReport;
    expect(report).toMatchObject({
      format: 'laser-eval-report',
      version: 1,
      methods: ['vanilla', 'laser'],
      dataset: { format: 'pope', samples: 5, evaluated: 5 },
    });
    expect(report.knobs.laser).toMatchObject({ kHead: 2 });
    expect(report.samples).toHaveLength(5);
    for (const s of report.samples) {
      for (const [method, r] of Object.entries(s.results)) {
        const rec = await loadRecordJson(r.record!);
        expect([rec.method, rec.question, rec.answer]).toEqual([method, s.question, r.answer]);
      }
    }
    expect(lines[0]).toBe(`dataset: pope, 5 of 5 samples (${fixture('pope', 'coco_pope_adversarial.jsonl')}, ${fixture('pope', 'coco_pope_random.json')})`);
    expect(lines).toContain('POPE (%)');
    const accuracy = (report.summary.laser.accuracy.mean! * 100).toFixed(1);
    expect(lines.some((l) => l.startsWith('laser') && l.includes(`${accuracy} (5)`))).toBe(true);
    expect(lines.at(-1)).toBe(`report: ${out}`);
  });

  it('refcoco with --limit: grounding and layer tables, nothing written without --out', async () => {
    const lines = await laserEval(['--data', fixture('refcoco'), '--format', 'refcoco', '--methods', 'vicrop-rel,laser', '--limit', '2']);
    expect(lines[0]).toMatch(/^dataset: refcoco, 2 of 3 samples/);
    expect(lines).toContain('Attention aggregation: share of map mass inside the box (%)');
    expect(lines).toContain('Layer of the map (layer:runs)');
    expect(lines.some((l) => l.startsWith('report:'))).toBe(false);
  });

  it('a missing image becomes an error row (status, reason) and the run goes on; the summary counts it; --strict stops', async () => {
    const data = join(work, 'missing', 'coco_pope_random.jsonl');
    await mkdir(join(work, 'missing'), { recursive: true });
    const q = (id: number, image: string) => JSON.stringify({ question_id: id, image, text: 'Is there a cat?', label: 'yes' });
    await writeFile(data, [q(1, 'scene_wide.png'), q(2, 'gone.png'), q(3, 'COCO_val2014_000000000042.png')].join('\n') + '\n');
    const run = join(work, 'missing-run');
    const lines = await laserEval(['--data', data, '--format', 'pope', '--images', FIXTURE_IMAGES, '--methods', 'vanilla', '--run', run]);
    const rows = (await readFile(join(run, 'results.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as RunRow);
    expect(rows.map((r) => r.status)).toEqual(['ok', 'error', 'ok']);
    expect(rows[1]).toMatchObject({ id: 'random/2', prediction: '', score: null, reason: `${data}:2: image gone.png not found under ${FIXTURE_IMAGES}` });
    const summary = JSON.parse(await readFile(join(run, 'summary.json'), 'utf8')) as RunSummary;
    expect(summary).toMatchObject({ complete: true, rows: 3, errors: { vanilla: 1 } });
    expect(summary.methods.vanilla).toMatchObject({ runs: 2, errors: 1, accuracy: { samples: 2 } });
    expect(lines.some((l) => l.startsWith(`run: ${run} (3 rows`))).toBe(true);
    const head = lines.find((l) => l.startsWith('method') && l.includes('accuracy'))!;
    expect(head.trim().endsWith('errors')).toBe(true);
    expect(lines[lines.indexOf(head) + 2].trim().endsWith(' 1')).toBe(true);
    await expect(laserEval(['--data', data, '--format', 'pope', '--images', FIXTURE_IMAGES, '--methods', 'vanilla', '--strict'])).rejects.toMatchObject({
      code: 'not-found',
      message: `${data}:2: image gone.png not found under ${FIXTURE_IMAGES}`,
    });
  });

  it("--protocol mc: A-OKVQA's multiple choice, asked with LLaVA's instruction (recorded in the manifest), scored against correct_choice_idx", async () => {
    const run = join(work, 'mc-run');
    await laserEval(['--data', fixture('aokvqa'), '--format', 'vqa', '--images', FIXTURE_IMAGES, '--methods', 'vanilla', '--protocol', 'mc', '--run', run]);
    const manifest = JSON.parse(await readFile(join(run, 'manifest.json'), 'utf8')) as RunManifest;
    expect(manifest.identity.dataset.name).toBe('aokvqa-mc');
    expect(manifest.identity.options).toMatchObject({ instruction: "Answer with the option's letter from the given choices directly.", protocol: 'mc' });
    const rows = (await readFile(join(run, 'results.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as RunRow);
    expect(rows[0].truth).toEqual({ choices: ['red', 'blue', 'green', 'yellow'], correct: 3 });
    for (const r of rows) expect(r.score).toBe(aokvqaMultipleChoice(r.prediction, r.truth.choices!, r.truth.correct!));
    await expect(laserEval(['--data', fixture('aokvqa'), '--format', 'vqa', '--protocol', 'official'])).rejects.toThrow('Use vqav2 (VQA v2 vqaEval.py)');
  });

  it('refuses a knob none of the methods has, and a missing data path, before running anything', async () => {
    await expect(
      laserEval(['--data', fixture('pope'), '--format', 'pope', '--images', FIXTURE_IMAGES, '--methods', 'vanilla', '--alpha', '2']),
    ).rejects.toThrow('Knob alpha belongs to none of the methods evaluated (vanilla).');
    await expect(laserEval(['--data', join(work, 'none'), '--format', 'vqa'])).rejects.toMatchObject({ code: 'not-found' });
  });
});

describe('laser eval --out', () => {
  it('is checked before any sample runs: a report that cannot be written stops the evaluation at once', async () => {
    const file = join(work, 'not-a-folder');
    await writeFile(file, 'x');
    const cache = join(work, 'cache-untouched');
    // the later --cache wins over laserEval's own
    const args = ['--cache', cache, '--data', fixture('pope'), '--format', 'pope', '--images', FIXTURE_IMAGES, '--out', join(file, 'report.json')];
    await expect(laserEval(args)).rejects.toMatchObject({ code: 'not-a-directory', message: `${file} is a file, not a folder (the report --out)` });
    expect(await readdir(work)).not.toContain('cache-untouched');
  });
});
