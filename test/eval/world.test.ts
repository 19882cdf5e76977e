/** A generated world's folder read as a benchmark: every question a sample with its truth, groups and target box. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDataset } from '../../src/engine/eval/load.ts';
import { generateWorld } from '../../src/engine/world/generate.ts';
import { loadWorldDataset } from '../../src/engine/world/dataset.ts';

let tmp: string;
let world: string;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'eval-world-'));
  world = join(tmp, 'world');
  await generateWorld({ seed: 11, count: 2, out: world });
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe('a generated world as a dataset', () => {
  it('one sample per question: ten answers, POPE label on existence questions, the target box, family / size / split groups', async () => {
    const truth = await loadWorldDataset(world);
    const ds = await loadDataset(world, 'world');
    expect(ds.format).toBe('world');
    expect(ds.name).toBe('world seed 11');
    expect(ds.samples).toHaveLength(truth.samples.length);
    for (const [k, s] of ds.samples.entries()) {
      const q = truth.samples[k];
      expect(s).toMatchObject({ id: q.id, imagePath: q.imagePath, question: q.text, vqa: { answers: Array(10).fill(q.answer), protocol: 'simple' } });
      expect(s.groups.family).toBe(q.family);
      expect(s.groups.size).toBe(q.sizeClass ?? undefined);
      expect(s.groups.familySize).toBe(q.sizeClass === null ? undefined : `${q.family}/${q.sizeClass}`);
      expect(s.groups.split).toBe(q.popeSplit);
      expect(s.pope).toBe(q.family === 'existence' ? q.answer : undefined);
      expect(s.box).toEqual(q.targets.find((t) => t.role === 'target')?.box);
    }
    expect(ds.samples.some((s) => s.pope === 'no' && s.box === undefined && s.groups.size === undefined)).toBe(true);
  });

  it('the same folder through the benchmark loaders: POPE splits, the VQA v2 pair and the referring expressions it exports', async () => {
    const truth = await loadWorldDataset(world);
    const pope = await loadDataset(world, 'pope');
    expect(pope.samples).toHaveLength(truth.samples.filter((q) => q.family === 'existence').length);
    const vqa = await loadDataset(world, 'vqa');
    expect(vqa.name).toBe('vqav2');
    expect(vqa.samples.map((s) => s.question)).toEqual(truth.samples.map((q) => q.text));
    expect(vqa.samples.map((s) => s.imagePath)).toEqual(truth.samples.map((q) => q.imagePath));
    const refs = await loadDataset(world, 'refcoco');
    expect(refs.samples.length).toBe(truth.samples.filter((q) => q.targets.some((t) => t.role === 'target')).length);
    expect(refs.samples[0].question).toMatch(/^Where is the .+\?$/);
  });

  it('refuses a path that is not there', async () => {
    await expect(loadDataset(join(tmp, 'none'), 'world')).rejects.toMatchObject({ code: 'not-found' });
    await expect(loadDataset(world, 'coco' as never)).rejects.toThrow('Unknown dataset format');
  });
});
