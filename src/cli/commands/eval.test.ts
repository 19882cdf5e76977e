import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixture, FIXTURE_IMAGES } from '../../../test/eval/support/fixtures.ts';
import { compileTinyLaserBundle, type TinyLaserBundle } from '../../../test/laser/support/tiny-laser-bundle.ts';
import type { EvalReport } from '../../engine/eval/report.ts';
import { loadRecordJson } from '../../engine/laser/record-io.ts';
import { parseMethods, registerEval } from './eval.ts';

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
  const lines: string[] = [];
  const program = new Command('laser').exitOverride();
  registerEval(
    program,
    (l) => lines.push(l),
    () => undefined,
  );
  await program.parseAsync(['node', 'laser', 'eval', '--bundle', tiny.bundle, '--max-new-tokens', '2', '--threads', '1', '--cache', join(work, 'cache'), ...args]);
  return lines;
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
    const lines = await laserEval(['--data', fixture('pope'), '--format', 'pope', '--images', FIXTURE_IMAGES, '--methods', 'vanilla,laser', '--kHead', '2', '--out', out]);
    const report = JSON.parse(await readFile(out, 'utf8')) as EvalReport;
    expect(report).toMatchObject({ format: 'laser-eval-report', version: 1, methods: ['vanilla', 'laser'], dataset: { format: 'pope', samples: 5, evaluated: 5 } });
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

  it('refuses a knob none of the methods has, and a missing data path, before running anything', async () => {
    await expect(laserEval(['--data', fixture('pope'), '--format', 'pope', '--images', FIXTURE_IMAGES, '--methods', 'vanilla', '--alpha', '2'])).rejects.toThrow(
      'Knob alpha belongs to none of the methods evaluated (vanilla).',
    );
    await expect(laserEval(['--data', join(work, 'none'), '--format', 'vqa'])).rejects.toMatchObject({ code: 'not-found' });
  });
});

describe('laser eval --out', () => {
  it('is checked before any sample runs: a report that cannot be written stops the evaluation at once', async () => {
    const file = join(work, 'not-a-folder');
    await writeFile(file, 'x');
    const cache = join(work, 'cache-untouched');
    const program = new Command('laser').exitOverride();
    registerEval(program, () => undefined, () => undefined);
    const args = ['node', 'laser', 'eval', '--bundle', tiny.bundle, '--threads', '1', '--cache', cache, '--data', fixture('pope'), '--format', 'pope', '--images', FIXTURE_IMAGES, '--out', join(file, 'report.json')];
    await expect(program.parseAsync(args)).rejects.toMatchObject({ code: 'not-a-directory', message: `${file} is a file, not a folder (the report --out)` });
    expect(await readdir(work)).not.toContain('cache-untouched');
  });
});
