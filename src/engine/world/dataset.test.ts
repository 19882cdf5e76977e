import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadWorldDataset } from './dataset.ts';
import { killBetweenWriteAndRename } from '../../../test/support/kill-during-rename.ts';
import { generateWorld } from './generate.ts';
import type { PopeLine, RefEntry, VqaFiles } from './export.ts';
import { at } from '../../../test/support/index-access.ts';

let root: string;
let a: string;

async function allFiles(dir: string, prefix = ''): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    if (e.isDirectory()) out.push(...(await allFiles(join(dir, e.name), `${prefix}${e.name}/`)));
    else out.push(prefix + e.name);
  }
  return out.sort();
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'laser-world-'));
  a = join(root, 'a');
  await generateWorld({ seed: 17, count: 12, out: a });
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('generateWorld', () => {
  it('writes the same bytes for the same seed, file by file', async () => {
    const b = join(root, 'b');
    await generateWorld({ seed: 17, count: 12, out: b, concurrency: 1 });
    const files = await allFiles(a);
    expect(await allFiles(b)).toEqual(files);
    expect(files).toContain('images/s17-00011.png');
    for (const f of files) expect(Buffer.compare(await readFile(join(a, f)), await readFile(join(b, f))), f).toBe(0);
  });

  it('exports POPE, VQA and referring-expression files that agree with the questions', async () => {
    const ds = await loadWorldDataset(a);
    const existence = ds.samples.filter((s) => s.family === 'existence');
    const pope: PopeLine[] = [];
    for (const split of ['random', 'popular', 'adversarial']) {
      const text = await readFile(join(a, 'pope', `${split}.jsonl`), 'utf8');
      pope.push(
        ...text
          .trim()
          .split('\n')
          .filter((l) => l.length > 0)
          .map((l) => JSON.parse(l) as PopeLine),
      );
    }
    expect(pope.map((p) => p.question_id).sort((x, y) => x - y)).toEqual(existence.map((s) => s.number));
    for (const p of pope) {
      const s = at(ds.samples, p.question_id - 1);
      expect([p.text, p.label, join(a, p.image)]).toEqual([s.text, s.answer, s.imagePath]);
    }
    const vqaQ = JSON.parse(await readFile(join(a, 'vqa', 'questions.json'), 'utf8')) as VqaFiles['questions'];
    const vqaA = JSON.parse(await readFile(join(a, 'vqa', 'annotations.json'), 'utf8')) as VqaFiles['annotations'];
    expect(vqaQ.questions).toHaveLength(ds.samples.length);
    for (const [i, ann] of vqaA.annotations.entries()) {
      expect(ann.answers).toHaveLength(10);
      expect(ann.answers.every((x) => x.answer === at(ds.samples, i).answer)).toBe(true);
      expect(at(vqaQ.questions, i).question).toBe(at(ds.samples, i).text);
    }
    const refs = (JSON.parse(await readFile(join(a, 'refs.json'), 'utf8')) as { refs: RefEntry[] }).refs;
    expect(refs).toHaveLength(ds.samples.filter((s) => s.targets.length > 0).length);
    for (const r of refs) {
      const box = at(ds.samples, r.question_id - 1).targets.find((t) => t.role === 'target')!.box;
      expect(r.bbox).toEqual([box[0], box[1], box[2] - box[0], box[3] - box[1]]);
    }
  });

  it('refuses to overwrite a folder that is not a world, and leaves no partial folder behind', async () => {
    const other = join(root, 'other');
    await generateWorld({ seed: 1, count: 1, out: other });
    await writeFile(join(other, 'manifest.json'), '{"format": "something-else"}');
    await expect(generateWorld({ seed: 1, count: 1, out: other })).rejects.toMatchObject({ code: 'bad-request' });
    expect((await readdir(root)).filter((n) => n.includes('.partial-'))).toEqual([]);
  });

  it('survives a kill while a new world replaces an old one: the old world stays whole and loads', async () => {
    const d = join(root, 'replaced');
    await generateWorld({ seed: 5, count: 2, out: d });
    const before = await allFiles(d);
    const manifest = await readFile(join(d, 'manifest.json'), 'utf8');
    const generate = (seed: number) => `
      const { generateWorld } = await import(${JSON.stringify(join(import.meta.dirname, 'generate.ts'))});
      await generateWorld({ seed: ${seed}, count: 3, out: ${JSON.stringify(d)} });`;
    // Killed as the new manifest (the last file) is renamed into the partial folder ...
    await killBetweenWriteAndRename(root, 'manifest.json', generate(6));
    expect(await allFiles(d)).toEqual(before);
    expect(await readFile(join(d, 'manifest.json'), 'utf8')).toBe(manifest);
    expect((await loadWorldDataset(d)).manifest).toMatchObject({ seed: 5 });
    // ... and as a scene image is renamed: never a world with some new images.
    await killBetweenWriteAndRename(root, '.png', generate(7));
    expect(await allFiles(d)).toEqual(before);
    // A later generate replaces it whole, leaving no temporary or aside folder of its own.
    await generateWorld({ seed: 6, count: 3, out: d });
    expect(JSON.parse(await readFile(join(d, 'manifest.json'), 'utf8'))).toMatchObject({ seed: 6 });
    expect((await readdir(root)).filter((n) => n.startsWith('replaced.old-'))).toEqual([]);
  });

  it('stops when cancelled', async () => {
    const c = new AbortController();
    c.abort();
    await expect(generateWorld({ seed: 1, count: 3, out: join(root, 'cancelled'), signal: c.signal })).rejects.toMatchObject({ code: 'cancelled' });
    expect((await readdir(root)).filter((n) => n.startsWith('cancelled'))).toEqual([]);
  });
});

describe('loadWorldDataset', () => {
  it('round-trips every question with its image, size, ten answers and boxes', async () => {
    const ds = await loadWorldDataset(a);
    const questions = (JSON.parse(await readFile(join(a, 'questions.json'), 'utf8')) as { questions: unknown[] }).questions;
    expect(ds.samples).toHaveLength(questions.length);
    expect(ds.manifest.seed).toBe(17);
    expect(ds.scenes).toHaveLength(12);
    for (const s of ds.samples) {
      const scene = ds.scenes.find((x) => x.id === s.sceneId)!;
      expect([s.imageWidth, s.imageHeight]).toEqual([scene.width, scene.height]);
      expect(s.imagePath).toBe(join(a, 'images', `${scene.id}.png`));
      expect(s.answers).toEqual(Array(10).fill(s.answer));
    }
    expect(ds.samples.map(({ imagePath: _i, imageWidth: _w, imageHeight: _h, answers: _a, ...q }) => q)).toEqual(questions);
  });

  it('names the file and the field when a folder is incomplete or damaged', async () => {
    await expect(loadWorldDataset(join(root, 'nothing-here'))).rejects.toMatchObject({ code: 'not-found' });
    const d = join(root, 'damaged');
    await generateWorld({ seed: 2, count: 2, out: d });
    const q = JSON.parse(await readFile(join(d, 'questions.json'), 'utf8')) as { questions: { answer: unknown }[] };
    at(q.questions, 1).answer = 7;
    await writeFile(join(d, 'questions.json'), JSON.stringify(q));
    await expect(loadWorldDataset(d)).rejects.toThrow(/questions\.json: 1\.answer/);
    await rm(join(d, 'images', 's2-00001.png'));
    await writeFile(join(d, 'questions.json'), JSON.stringify({ questions: [] }));
    await expect(loadWorldDataset(d)).rejects.toThrow(/s2-00001\.png: image of scene s2-00001 is missing/);
  });

  it('refuses a question id or a scene id listed twice (one question would count twice)', async () => {
    const d = join(root, 'duplicated');
    await generateWorld({ seed: 4, count: 2, out: d });
    const file = join(d, 'questions.json');
    const q = JSON.parse(await readFile(file, 'utf8')) as { questions: { id: string }[] };
    q.questions.push({ ...at(q.questions, 0) });
    await writeFile(file, JSON.stringify(q));
    await expect(loadWorldDataset(d)).rejects.toMatchObject({
      code: 'bad-request',
      message: `${file}: question id ${at(q.questions, 0).id} is listed twice; it would be counted twice`,
    });
    q.questions.pop();
    await writeFile(file, JSON.stringify(q));
    const scenesFile = join(d, 'scenes.json');
    const sc = JSON.parse(await readFile(scenesFile, 'utf8')) as { scenes: { id: string }[] };
    sc.scenes.push({ ...at(sc.scenes, 1) });
    await writeFile(scenesFile, JSON.stringify(sc));
    await expect(loadWorldDataset(d)).rejects.toThrow(`${scenesFile}: scene id ${at(sc.scenes, 1).id} is listed twice`);
    sc.scenes.pop();
    await writeFile(scenesFile, JSON.stringify(sc));
    // An empty question id (found by test/fuzz/formats.test.ts: was accepted, an id that names nothing).
    at(q.questions, 0).id = '';
    await writeFile(file, JSON.stringify(q));
    await expect(loadWorldDataset(d)).rejects.toMatchObject({ code: 'bad-request', message: expect.stringContaining(file) });
  });
});
