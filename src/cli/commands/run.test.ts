import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { normalizeVqaAnswer } from '../../common/laser/vqa-answer.ts';
import { loadRecord } from '../../engine/laser/record-io.ts';
import { loadWorldDataset } from '../../engine/world/dataset.ts';
import { generateWorld } from '../../engine/world/generate.ts';
import { compileTinyLaserBundle, IMAGE_500x375, type TinyLaserBundle } from '../../../test/laser/support/tiny-laser-bundle.ts';
import { isolatedEnv } from '../../../test/support/isolated-env.ts';
import { parseKnobValue } from '../model-options.ts';
import { knobsFor } from './run.ts';

const laser = fileURLToPath(new URL('../../../bin/laser.js', import.meta.url));
const exec = promisify(execFile);
let tiny: TinyLaserBundle;
let work: string;

beforeAll(async () => {
  tiny = await compileTinyLaserBundle();
  work = await mkdtemp(join(tmpdir(), 'laser-run-cli-'));
});
afterAll(async () => {
  await tiny?.dispose();
  if (work) await rm(work, { recursive: true, force: true });
});

function run(args: string[], image = IMAGE_500x375, question = 'What is the colour of the cat?') {
  return exec(process.execPath, [laser, 'run', '--bundle', tiny.bundle, image, question, '--max-new-tokens', '2', '--threads', '1', ...args], {
    env: isolatedEnv(work),
  });
}

describe('knob flags', () => {
  it('read null, booleans, numbers, ranges and words', () => {
    expect(parseKnobValue('null')).toBeNull();
    expect(parseKnobValue('off')).toBeNull();
    expect(parseKnobValue('true')).toBe(true);
    expect(parseKnobValue('0.055')).toBe(0.055);
    expect(parseKnobValue('-1')).toBe(-1);
    expect(parseKnobValue('10,20')).toEqual([10, 20]);
    expect(parseKnobValue('[3..7]')).toEqual([3, 7]);
    expect(parseKnobValue('topk-bbox')).toBe('topk-bbox');
  });

  it('go to the methods that have them; a single method gets them all, to refuse what it lacks', () => {
    const flags = { kHead: 2, alpha: 0.5, seed: 3 };
    expect(knobsFor('vanilla', flags, false)).toEqual({});
    expect(knobsFor('vcd', flags, false)).toEqual({ alpha: 0.5, seed: 3 });
    expect(knobsFor('laser-crop', flags, false)).toEqual({ kHead: 2 });
    expect(knobsFor('vanilla', flags, true)).toEqual(flags);
  });
});

describe('laser run (subprocess)', () => {
  it('--json reports each stage of each method as a JSON progress line on stderr; --quiet reports none', async () => {
    const { stderr } = await run(['--out', join(work, 'json'), '--method', 'vanilla', '--json', '--no-cache']);
    const events = stderr
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as { event: string; task: string; done: number; total: number; detail: string; data: { method: string; stage: string } });
    expect(events.length).toBeGreaterThan(1);
    for (const e of events) expect(e).toMatchObject({ event: 'progress', task: 'methods', done: 0, total: 1, data: { method: 'vanilla' } });
    expect(events.map((e) => e.data.stage)).toContain('query-pass');
    expect(events[0].detail).toMatch(/^vanilla: /);
    const quiet = await run(['--out', join(work, 'quiet'), '--method', 'vanilla', '--quiet', '--no-cache']);
    expect(quiet.stderr).toBe('');
  });

  it('writes the record and prints the answer, the chosen layer and the box', async () => {
    const out = join(work, 'one');
    const { stdout } = await run(['--out', out, '--kHead', '2', '--kPatch', '3']);
    const loaded = await loadRecord(join(out, 'laser'));
    const r = loaded.record;
    expect(r.knobs).toMatchObject({ kHead: 2, kPatch: 3 });
    expect(stdout).toContain(`answer: ${r.answer}\n`);
    expect(stdout).toContain(`layer: ${r.layer} (argmax of VAQ over 0..3)\n`);
    expect(stdout).toContain(`box: [${r.box!.join(', ')}] in 500x375 pixels\n`);
    expect(stdout).toContain(`record: ${join(out, 'laser')}`);
    expect(Object.keys(loaded.files).sort()).toEqual(['inputs/crop.png', 'inputs/image.png', 'inputs/masked.png', 'inputs/vat-contrast.png']);
  });

  it('--method all runs the six and prints a comparison table; the second time from the cache', async () => {
    const out = join(work, 'all');
    const first = await run(['--out', out, '--method', 'all', '--layer', '2', '--fixedLayer', '2']);
    const rows = first.stdout.split('\n').filter((l) => /^(vanilla|vicrop-rel|static-layer|laser-crop|vcd|laser) /.test(l));
    expect(rows.map((l) => l.split(/\s+/)[0])).toEqual(['vanilla', 'vicrop-rel', 'static-layer', 'laser-crop', 'vcd', 'laser']);
    expect(first.stdout).toMatch(/^method\s+answer\s+baseline\s+layer\s+box\s+ms$/m);
    for (const m of ['vanilla', 'vicrop-rel', 'static-layer', 'laser-crop', 'vcd', 'laser']) expect((await loadRecord(join(out, m))).record.method).toBe(m);
    expect((await loadRecord(join(out, 'static-layer'))).record.layer).toBe(2);
    const second = await run(['--out', out, '--method', 'all', '--layer', '2', '--fixedLayer', '2']);
    expect(second.stdout.split('\n').filter((l) => l.trimEnd().endsWith('cached'))).toHaveLength(6);
  });

  it("on a generated world's image and one of its questions, prints the truth and whether each answer matches it", async () => {
    const world = join(work, 'world');
    await generateWorld({ seed: 9, count: 1, out: world });
    const q = (await loadWorldDataset(world)).samples.find((s) => s.targets.length > 0)!;
    const out = join(work, 'world-run');
    const one = await run(['--out', out, '--method', 'vanilla'], q.imagePath, q.text);
    const answer = (await loadRecord(join(out, 'vanilla'))).record.answer;
    const right = normalizeVqaAnswer(answer) === normalizeVqaAnswer(q.answer) ? 'right' : 'wrong';
    const box = q.targets.find((t) => t.role === 'target')!.box;
    expect(one.stdout).toContain(`truth: ${q.answer} (answer ${right}, baseline ${right}; target box [${box.join(', ')}])\n`);
    const all = await run(['--out', out, '--method', 'all'], q.imagePath, q.text);
    expect(all.stdout).toContain(`truth: ${q.answer} (a question of the generated world this image belongs to)`);
    expect(all.stdout).toMatch(/^method\s+answer\s+vs truth\s+baseline\s+layer\s+box\s+ms$/m);
    // another question about the same image has no truth to show
    const other = await run(['--out', join(work, 'world-other'), '--method', 'vanilla'], q.imagePath, 'What is the colour of the cat?');
    expect(other.stdout).not.toContain('truth:');
  });

  it('refuses a knob out of range before running, naming the knob and its range', async () => {
    const err = await run(['--out', join(work, 'bad'), '--kPatch', '0']).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 1 });
    expect((err as { stderr: string }).stderr).toContain(
      'error: Knob kPatch of laser is 0; it must be a fraction in (0, 1) of the visual tokens, or an integer count >= 1.',
    );
  });

  it('refuses an --out it cannot write before opening the model, naming the path', async () => {
    const file = join(work, 'a-file');
    await writeFile(file, 'x');
    const err = await run(['--out', join(file, 'records')]).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 1 });
    const lines = (err as { stderr: string }).stderr.split('\n').filter((l) => l && !l.startsWith('npm warn'));
    expect(lines).toEqual([
      `error: ${file} is a file, not a folder (the records --out folder)`,
      'hint: Choose another location, or move that file out of the way.',
    ]);
  });
});
