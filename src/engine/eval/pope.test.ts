import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixture, FIXTURE_IMAGES } from '../../../test/eval/support/fixtures.ts';
import { loadDataset } from './load.ts';
import { loadPope, popeSplitOf } from './pope.ts';
import { at } from '../../../test/support/index-access.ts';

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'eval-pope-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

async function popeFile(name: string, lines: string[]): Promise<string> {
  const path = join(tmp, name);
  await writeFile(path, lines.join('\n') + '\n');
  return path;
}

const line = (o: Record<string, unknown>) =>
  JSON.stringify({ question_id: 1, image: 'COCO_val2014_000000000042.png', text: 'Is there a cat?', label: 'yes', ...o });

describe('POPE loader', () => {
  it('--split keeps one split and names it; a split the data lacks names those it has', async () => {
    const ds = await loadDataset(fixture('pope'), 'pope', { images: FIXTURE_IMAGES, split: 'random' });
    expect(ds.name).toBe('pope random');
    expect(ds.samples.map((s) => s.id)).toEqual(['random/1', 'random/2', 'random/3']);
    await expect(loadDataset(fixture('pope'), 'pope', { images: FIXTURE_IMAGES, split: 'popular' })).rejects.toThrow(
      'no samples of split "popular" (its splits: adversarial, random)',
    );
  });

  it('reads every split file of a folder: official .json JSON lines and .jsonl, labels lower-cased, blank lines skipped', async () => {
    const ds = await loadPope(fixture('pope'), { images: FIXTURE_IMAGES });
    expect(ds.format).toBe('pope');
    expect(ds.sources.map((s) => s.split('/').pop())).toEqual(['coco_pope_adversarial.jsonl', 'coco_pope_random.json']);
    expect(ds.samples.map((s) => s.id)).toEqual(['adversarial/1', 'adversarial/2', 'random/1', 'random/2', 'random/3']);
    expect(ds.samples.map((s) => s.pope)).toEqual(['no', 'yes', 'yes', 'no', 'yes']);
    expect(ds.samples.map((s) => s.groups.split)).toEqual(['adversarial', 'adversarial', 'random', 'random', 'random']);
    expect(at(ds.samples, 2)).toMatchObject({ question: 'Is there a cat in the image?', imagePath: join(FIXTURE_IMAGES, 'COCO_val2014_000000000042.png') });
    expect(ds.samples.every((s) => s.vqa === undefined && s.box === undefined)).toBe(true);
  });

  it('reads one file, its split named from the file name', async () => {
    const ds = await loadPope(fixture('pope', 'coco_pope_random.json'), { images: FIXTURE_IMAGES });
    expect(ds.samples).toHaveLength(3);
    expect(popeSplitOf('/x/coco_pope_popular.json')).toBe('popular');
    expect(popeSplitOf('/x/mine.jsonl')).toBe('mine');
  });

  it('finds a generated world layout: pope/ inside the folder, images relative to the folder', async () => {
    const world = join(tmp, 'world');
    await mkdir(join(world, 'pope'), { recursive: true });
    await mkdir(join(world, 'images'), { recursive: true });
    await copyFile(join(FIXTURE_IMAGES, 'scene_wide.png'), join(world, 'images', 's1-0.png'));
    await writeFile(join(world, 'manifest.json'), '{}');
    await writeFile(join(world, 'pope', 'random.jsonl'), line({ image: 'images/s1-0.png' }) + '\n');
    const ds = await loadPope(world);
    expect(ds.samples.map((s) => s.imagePath)).toEqual([join(world, 'images', 's1-0.png')]);
    // the split file itself: its paths are relative to the folder above it
    expect((await loadPope(join(world, 'pope', 'random.jsonl'))).samples).toHaveLength(1);
  });

  it('names the file and line of a bad entry', async () => {
    const bad = await popeFile('bad_label.jsonl', [line({}), line({ question_id: 2, label: 'maybe' })]);
    await expect(loadPope(bad, { images: FIXTURE_IMAGES })).rejects.toThrow(`${bad}:2: label:`);
    const missing = await popeFile('missing_text.jsonl', [line({}), '', JSON.stringify({ question_id: 3, image: 'a.png', label: 'no' })]);
    await expect(loadPope(missing, { images: FIXTURE_IMAGES })).rejects.toThrow(`${missing}:3: text:`);
    const broken = await popeFile('broken.jsonl', [line({}), '{"question_id": 2,']);
    await expect(loadPope(broken, { images: FIXTURE_IMAGES })).rejects.toThrow(`${broken}:2: not a JSON object`);
    const twice = await popeFile('twice.jsonl', [line({}), line({}), line({ question_id: 2 }), line({ question_id: 2 }), line({ question_id: 1 })]);
    await expect(loadPope(twice, { images: FIXTURE_IMAGES })).rejects.toThrow(
      `${twice}: line 2: question_id 1 again (first on line 1); line 4: question_id 2 again (first on line 3); line 5: question_id 1 again (first on line 1) (3 duplicate ids)`,
    );
    const empty = await popeFile('empty.jsonl', ['']);
    await expect(loadPope(empty)).rejects.toThrow('no questions');
    // A line that is JSON but not an object (found by test/fuzz/formats.test.ts: was a TypeError).
    for (const value of ['0', '"text"', 'null', '[1]']) {
      const scalar = await popeFile(`scalar-${value.length}.jsonl`, [line({}), value]);
      await expect(loadPope(scalar, { images: FIXTURE_IMAGES })).rejects.toMatchObject({
        code: expect.not.stringMatching(/^internal$/),
        message: expect.stringContaining(`${scalar}:2`),
      });
    }
  });

  it('keeps a sample whose image is missing, with the reason; --strict throws it, saying where it looked and how to point at the images', async () => {
    await mkdir(join(tmp, 'lonely'), { recursive: true });
    const file = join(tmp, 'lonely', 'coco_pope_random.json');
    await copyFile(fixture('pope', 'coco_pope_random.json'), file);
    const loose = await loadPope(file);
    expect(loose.samples.length).toBeGreaterThan(0);
    expect(loose.samples.every((s) => s.imagePath === '' && s.missing!.includes('not found under'))).toBe(true);
    expect(at(loose.samples, 0).missing).toBe(`${file}:1: image COCO_val2014_000000000042.png not found under ${join(tmp, 'lonely')} or ${tmp}`);
    const err = await loadPope(file, { strict: true }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'not-found', hint: expect.stringContaining('--images') });
    expect((err as Error).message).toBe(at(loose.samples, 0).missing);
    // the standard layouts: the fixtures' images/ folder beside the data's parent is found without --images
    expect((await loadPope(fixture('pope', 'coco_pope_random.json'))).samples.every((s) => s.imagePath.startsWith(FIXTURE_IMAGES))).toBe(true);
  });

  it("lmms-eval's POPE rows: question / answer / image_source (a file stem) / category as the split", async () => {
    const ds = await loadPope(fixture('pope-lmms'), { images: FIXTURE_IMAGES });
    expect(ds.samples.map((s) => [s.id, s.groups.split, s.pope, s.imagePath.split('/').pop()])).toEqual([
      ['adversarial/1', 'adversarial', 'yes', 'COCO_val2014_000000000042.png'],
      ['adversarial/2', 'adversarial', 'no', 'COCO_val2014_000000000042.png'],
      ['popular/1', 'popular', 'yes', 'COCO_val2014_000000000007.png'],
      ['random/1', 'random', 'no', 'COCO_val2014_000000000007.png'],
    ]);
    expect(at(ds.samples, 0).question).toBe('Is there a cat in the image?');
  });

  it("LLaVA's layout: llava_pope_test.jsonl without labels, paired in order with coco/coco_pope_<category>.json; a reordered label file is refused", async () => {
    const ds = await loadPope(fixture('pope-llava'), { images: FIXTURE_IMAGES });
    expect(ds.sources).toEqual([fixture('pope-llava', 'llava_pope_test.jsonl')]);
    expect(ds.samples.map((s) => [s.id, s.pope])).toEqual([
      ['random/1', 'yes'],
      ['random/2', 'no'],
      ['adversarial/3', 'no'],
    ]);
    const dir = join(tmp, 'llava-swapped');
    await mkdir(join(dir, 'coco'), { recursive: true });
    await copyFile(fixture('pope-llava', 'llava_pope_test.jsonl'), join(dir, 'llava_pope_test.jsonl'));
    await copyFile(fixture('pope-llava', 'coco', 'coco_pope_adversarial.json'), join(dir, 'coco', 'coco_pope_adversarial.json'));
    const random = (await readFile(fixture('pope-llava', 'coco', 'coco_pope_random.json'), 'utf8')).trim().split('\n');
    await writeFile(join(dir, 'coco', 'coco_pope_random.json'), [random[1], random[0]].join('\n') + '\n');
    await expect(loadPope(dir, { images: FIXTURE_IMAGES })).rejects.toThrow(
      `${join(dir, 'llava_pope_test.jsonl')}:1: question "Is there a cat in the image?" is "Is there a bus in the image?" on line 1`,
    );
    await rm(join(dir, 'coco', 'coco_pope_random.json'));
    await expect(loadPope(dir, { images: FIXTURE_IMAGES })).rejects.toThrow("has no labels (LLaVA's layout)");
  });

  it('refuses a missing file and a folder without POPE files', async () => {
    await expect(loadPope(join(tmp, 'nope.jsonl'))).rejects.toMatchObject({ code: 'not-found' });
    await expect(loadPope(fixture('textvqa'))).rejects.toThrow('no POPE files');
  });
});
