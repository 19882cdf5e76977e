import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { z } from 'zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileTinyLaserBundle, type TinyLaserBundle } from '../../../test/laser/support/tiny-laser-bundle.ts';
import { normalizeVqaAnswer } from '../../common/laser/vqa-answer.ts';
import { evaluate } from '../../engine/eval/evaluate.ts';
import { loadWorld } from '../../engine/eval/world.ts';
import { generateWorld } from '../../engine/world/generate.ts';
import { loadWorldDataset } from '../../engine/world/dataset.ts';
import { QUESTION_FAMILIES } from '../../engine/world/vocabulary.ts';
import { registerWorld } from './world.ts';
import { registerWorldEvaluate } from './world-evaluate.ts';

let tiny: TinyLaserBundle;
let work: string;
let world: string;
beforeAll(async () => {
  tiny = await compileTinyLaserBundle();
  work = await mkdtemp(join(tmpdir(), 'laser-world-eval-'));
  world = join(work, 'world');
  await generateWorld({ seed: 5, count: 3, out: world });
});
afterAll(async () => {
  await tiny?.dispose();
  if (work) await rm(work, { recursive: true, force: true });
});

/** The contract of issue 5, written out here independently of the code that writes it. */
const fraction = z.number().min(0).max(1);
const contract = z
  .object({
    methods: z.record(
      z.string(),
      z.strictObject({
        accuracy: fraction,
        bySize: z.strictObject({ small: fraction.nullable(), medium: fraction.nullable(), large: fraction.nullable() }),
        byFamily: z.record(z.enum(QUESTION_FAMILIES), fraction),
      }),
    ),
  })
  .catchall(z.unknown());

async function worldEvaluate(args: string[], data = world): Promise<string[]> {
  const lines: string[] = [];
  const program = new Command('laser').exitOverride().configureOutput({ writeErr: () => undefined });
  registerWorldEvaluate(
    registerWorld(program),
    (l) => lines.push(l),
    () => undefined,
  );
  await program.parseAsync(['node', 'laser', 'world', 'evaluate', '--data', data, '--bundle', tiny.bundle, '--max-new-tokens', '2', '--threads', '1', ...args]);
  return lines;
}

describe('laser world evaluate', () => {
  it('writes exactly the contract (extra keys only beside "methods"), with accuracies recomputed from the records', async () => {
    const out = join(work, 'report.json');
    const cache = join(work, 'cache');
    const lines = await worldEvaluate(['--methods', 'vanilla,laser', '--cache', cache, '--out', out]);
    const json = JSON.parse(await readFile(out, 'utf8')) as Record<string, unknown>;
    const report = contract.parse(json);
    expect(Object.keys(report.methods)).toEqual(['vanilla', 'laser']);
    expect(Object.keys(json).sort()).toEqual(['attentionAggregation', 'bundle', 'bySizeInFamily', 'dataset', 'knobs', 'layers', 'methods', 'pope']);
    // the knobs the runs used, defaults included, so the report says how it was made
    expect(json.knobs).toMatchObject({ vanilla: {}, laser: { cropRule: 'centroid', minCropSide: 224 } });

    // the same runs again come from the cache; their recorded answers against the world's truth
    const truth = await loadWorldDataset(world);
    const again = await evaluate({
      bundle: tiny.bundle,
      dataset: await loadWorld(world),
      methods: ['vanilla', 'laser'],
      options: { maxNewTokens: 2 },
      cacheDir: cache,
    });
    expect(again.results.every((r) => r.cached)).toBe(true);
    const correct = (method: string, keep: (q: (typeof truth.samples)[number]) => boolean) => {
      const qs = truth.samples.filter(keep);
      const hits = qs.filter(
        (q) => normalizeVqaAnswer(again.results.find((r) => r.sampleId === q.id && r.method === method)!.answer) === normalizeVqaAnswer(q.answer),
      );
      return qs.length === 0 ? null : hits.length / qs.length;
    };
    for (const m of ['vanilla', 'laser']) {
      expect(report.methods[m].accuracy).toBe(correct(m, () => true));
      for (const size of ['small', 'medium', 'large'] as const) expect(report.methods[m].bySize[size]).toBe(correct(m, (q) => q.sizeClass === size));
      const families = [...new Set(truth.samples.map((q) => q.family))].sort();
      expect(Object.keys(report.methods[m].byFamily).sort()).toEqual(families);
      for (const f of families) expect(report.methods[m].byFamily[f as 'attribute']).toBe(correct(m, (q) => q.family === f));
      const inFamily = (json.bySizeInFamily as Record<string, Record<string, Record<string, number | null>>>)[m];
      for (const f of Object.keys(inFamily)) {
        for (const size of ['small', 'medium', 'large'] as const) expect(inFamily[f][size]).toBe(correct(m, (q) => q.family === f && q.sizeClass === size));
      }
    }

    expect(lines[0]).toBe(`world seed 5: ${truth.samples.length} of ${truth.samples.length} questions, bundle checkpoint`);
    expect(lines).toContain('Accuracy (%)');
    expect(lines.find((l) => l.startsWith('method'))).toMatch(/^method\s+accuracy\s+small\s+medium\s+large\s+attribute/);
    expect(lines.at(-1)).toBe(`report: ${out}`);
  });

  it('requires --out and a generated world', async () => {
    await expect(worldEvaluate([])).rejects.toThrow("required option '--out <file>' not specified");
    await expect(worldEvaluate(['--out', join(work, 'x.json')], work)).rejects.toThrow('not a complete generated world');
  });
});
