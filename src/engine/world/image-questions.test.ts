import { cp, mkdir, mkdtemp, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isWorkbenchError } from '../../common/contract/errors.ts';
import { loadWorldDataset } from './dataset.ts';
import { generateWorld } from './generate.ts';
import { WorldQuestionIndex } from './image-questions.ts';
import { at } from '../../../test/support/index-access.ts';

let root: string;
let world: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'laser-image-questions-'));
  world = join(root, 'world');
  await generateWorld({ seed: 23, count: 3, out: world });
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('WorldQuestionIndex', () => {
  it("gives each image exactly its scene's questions, with the truth and the target's box", async () => {
    const truth = await loadWorldDataset(world);
    const index = new WorldQuestionIndex();
    for (const scene of truth.scenes) {
      const image = join(world, 'images', `${scene.id}.png`);
      const expected = truth.samples.filter((s) => s.sceneId === scene.id);
      const got = await index.forImage(image);
      expect(got.map((q) => q.id)).toEqual(expected.map((s) => s.id));
      for (const [i, q] of got.entries()) {
        const s = at(expected, i);
        expect(q).toEqual({
          id: s.id,
          question: s.text,
          answer: s.answer,
          family: s.family,
          size: s.sizeClass,
          box: s.targets.find((t) => t.role === 'target')?.box ?? null,
        });
      }
    }
    // "no" existence questions name no object: no box, no size
    const all = (await Promise.all(truth.scenes.map((s) => index.forImage(join(world, 'images', `${s.id}.png`))))).flat();
    expect(all.some((q) => q.answer === 'no' && q.box === null && q.size === null)).toBe(true);
  });

  it('has nothing for an image outside a world: not under images/, or under an images/ with no manifest beside it', async () => {
    const index = new WorldQuestionIndex();
    const loose = join(root, 'loose');
    await mkdir(join(loose, 'images'), { recursive: true });
    const png = await readFile(join(world, 'images', 's23-00000.png'));
    await writeFile(join(loose, 'a.png'), png);
    await writeFile(join(loose, 'images', 's23-00000.png'), png);
    expect(await index.forImage(join(loose, 'a.png'))).toEqual([]);
    expect(await index.forImage(join(loose, 'images', 's23-00000.png'))).toEqual([]);
    // an image the world does not list
    expect(await index.forImage(join(world, 'images', 'not-a-scene.png'))).toEqual([]);
  });

  it('a broken world is an error naming the file, and is read again once fixed', async () => {
    const broken = join(root, 'broken');
    await cp(world, broken, { recursive: true });
    const manifest = join(broken, 'manifest.json');
    const good = await readFile(manifest, 'utf8');
    await writeFile(manifest, '{"format": "laser-world", ');
    const index = new WorldQuestionIndex();
    const image = join(broken, 'images', 's23-00001.png');
    const err = await index.forImage(image).catch((e: unknown) => e);
    expect(isWorkbenchError(err)).toBe(true);
    expect((err as Error).message).toContain(manifest);
    await writeFile(manifest, good);
    expect((await index.forImage(image)).length).toBeGreaterThan(0);
  });

  it('reads a world again when its manifest changes (generated again in place)', async () => {
    const again = join(root, 'again');
    await generateWorld({ seed: 23, count: 3, out: again });
    const index = new WorldQuestionIndex();
    const image = join(again, 'images', 's23-00002.png');
    const before = await index.forImage(image);
    // the same scenes with attribute questions only: only a re-read can see the change
    await generateWorld({ seed: 23, count: 3, out: again, counts: { attribute: 1, existence: 0, relation: 0, glyph: 0 } });
    const future = new Date(Date.now() + 5000);
    await utimes(join(again, 'manifest.json'), future, future);
    const after = await index.forImage(image);
    expect(after.every((q) => q.family === 'attribute')).toBe(true);
    expect(after.length).toBeLessThan(before.length);
  });
});
