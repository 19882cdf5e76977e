/**
 * The demo world exported in each real benchmark layout (world-formats.ts) reads back through the
 * real loaders with the world's own truth, and runs end to end (load, vanilla and LASER on the tiny
 * bundle, score) in every one of them.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluate } from '../../src/engine/eval/evaluate.ts';
import { loadDataset } from '../../src/engine/eval/load.ts';
import { readPickle } from '../../src/engine/eval/pickle.ts';
import { cocoId, cocoName, cocoStem, exportWorldFormats, type ExportedFormat } from '../../src/engine/eval/world-formats.ts';
import { cocoBox } from '../../src/engine/world/export.ts';
import { popeColumns, refcocoColumns, textvqaColumns, vqav2Columns, writeParquet } from './support/parquet.ts';
import { loadWorldDataset, type WorldDataset } from '../../src/engine/world/dataset.ts';
import { generateWorld } from '../../src/engine/world/generate.ts';
import { compileTinyLaserBundle, type TinyLaserBundle } from '../laser/support/tiny-laser-bundle.ts';

let tmp: string;
let world: WorldDataset;
let exported: ExportedFormat[];
let tiny: TinyLaserBundle;
let images: string;

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'eval-world-formats-'));
  await generateWorld({ seed: 5, count: 3, out: join(tmp, 'world') });
  world = await loadWorldDataset(join(tmp, 'world'));
  exported = await exportWorldFormats(join(tmp, 'world'), join(tmp, 'export'));
  images = join(tmp, 'export', 'coco');
  tiny = await compileTinyLaserBundle();
});
afterAll(async () => {
  await tiny?.dispose();
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

/** The world's questions by image and text (texts repeat across scenes). */
const byImageText = (w: WorldDataset) => new Map(w.samples.map((q) => [`${cocoName(w.scenes.find((s) => s.id === q.sceneId)!)}|${q.text}`, q]));

describe('the demo world in every real layout', () => {
  it('each layout loads with its row count and the world truth: labels, answers, choices, boxes', async () => {
    expect(exported.map((e) => e.name)).toEqual([
      'pope',
      'pope-llava',
      'pope-lmms',
      'textvqa',
      'aokvqa',
      'aokvqa-mc',
      'vqav2',
      'vicrop',
      'refcoco',
      'refcoco-lmms',
    ]);
    const truth = byImageText(world);
    const sceneName = (id: string) => cocoName(world.scenes.find((s) => s.id === id)!);
    const boxes = new Map<string, readonly number[]>(
      world.samples.flatMap((q) => q.targets.filter((t) => t.role === 'target').map((t) => [`${sceneName(q.sceneId)}|the ${t.phrase}`, t.box] as const)),
    );
    for (const e of exported) {
      const ds = await loadDataset(e.data, e.format, { images, multipleChoice: e.multipleChoice });
      expect(ds.samples, e.name).toHaveLength(e.samples);
      expect(
        ds.samples.filter((s) => s.missing !== undefined),
        e.name,
      ).toEqual([]);
      for (const s of ds.samples) {
        const q = (text: string) => truth.get(`${basename(s.imagePath)}|${text}`)!;
        if (e.format === 'pope') expect(s.pope, e.name).toBe(q(s.question).answer);
        else if (e.multipleChoice) expect(s.choices!.options[s.choices!.correct], e.name).toBe(q(s.question.split('\n')[0]).answer);
        else if (e.format === 'vqa') expect(s.vqa!.answers, e.name).toEqual(Array(10).fill(q(s.question).answer));
        else expect(s.box, e.name).toEqual(boxes.get(`${basename(s.imagePath)}|${s.question.replace(/^Where is (.+)\?$/, '$1')}`));
      }
    }
    // the refer pickle is what the refer API reads: a list of refs with ann_id, split, sentences
    const refs = readPickle(new Uint8Array(await readFile(join(tmp, 'export', 'refer', 'refcoco', 'refs(unc).p')))) as { split: string; ann_id: number }[];
    expect(new Set(refs.map((r) => r.split))).toEqual(new Set(['val', 'testA', 'testB']));
  });

  it('runs end to end in every layout: vanilla and LASER on two samples each, every run scored', async () => {
    for (const e of exported) {
      const dataset = await loadDataset(e.data, e.format, { images, multipleChoice: e.multipleChoice });
      const r = await evaluate({
        bundle: tiny.bundle,
        dataset,
        methods: ['vanilla', 'laser'],
        options: { maxNewTokens: 2 },
        limit: 2,
        cacheDir: join(tmp, 'cache'),
      });
      expect(
        r.results.map((x) => [x.error, typeof x.score]),
        e.name,
      ).toEqual(Array(4).fill([null, 'number']));
    }
  });

  it("and as lmms-lab's parquet (POPE, textvqa, VQAv2, RefCOCO; the images embedded): same truth, end to end", async () => {
    const scene = new Map(world.scenes.map((x) => [x.id, x]));
    const bytes = new Map<string, Uint8Array>();
    for (const q of world.samples) if (!bytes.has(q.sceneId)) bytes.set(q.sceneId, new Uint8Array(await readFile(q.imagePath)));
    const base = join(tmp, 'export', 'parquet');
    const pope = world.samples.filter((q) => q.family === 'existence' && q.popeSplit !== undefined);
    writeParquet(
      join(base, 'pope', 'data', 'test-00000-of-00001.parquet'),
      popeColumns(
        pope.map((q, k) => ({
          id: String(k),
          qid: String(q.number),
          question: q.text,
          answer: q.answer,
          source: cocoStem(scene.get(q.sceneId)!),
          category: q.popeSplit!,
          bytes: bytes.get(q.sceneId)!,
        })),
      ),
    );
    const rows = world.samples.map((q) => ({ q, s: scene.get(q.sceneId)!, b: bytes.get(q.sceneId)! }));
    writeParquet(
      join(base, 'textvqa', 'data', 'validation-00000-of-00001.parquet'),
      textvqaColumns(
        rows.map(({ q, s, b }) => ({
          image_id: cocoStem(s),
          question_id: q.number,
          question: q.text,
          answers: q.answers,
          bytes: b,
          ocr: [],
          width: s.width,
          height: s.height,
        })),
      ),
    );
    writeParquet(
      join(base, 'vqav2', 'data', 'validation-00000-of-00001.parquet'),
      vqav2Columns(
        rows.map(({ q, s, b }) => ({ qid: q.number, image_id: cocoId(s), question: q.text, answers: q.answers, type: 'other', qtype: q.family, bytes: b })),
      ),
    );
    const refs = rows.flatMap(({ q, s, b }) =>
      q.targets
        .filter((t) => t.role === 'target')
        .map((t) => ({ qid: String(q.number), file: cocoName(s), answers: [`the ${t.phrase}`], bbox: cocoBox(t.box), bytes: b, box: t.box })),
    );
    writeParquet(join(base, 'refcoco', 'data', 'val-00000-of-00001.parquet'), refcocoColumns(refs));
    const cases = [
      { dir: 'pope', format: 'pope' as const, n: pope.length },
      { dir: 'textvqa', format: 'vqa' as const, n: rows.length },
      { dir: 'vqav2', format: 'vqa' as const, n: rows.length },
      { dir: 'refcoco', format: 'refcoco' as const, n: refs.length },
    ];
    for (const c of cases) {
      const dataset = await loadDataset(join(base, c.dir), c.format);
      expect(dataset.samples, c.dir).toHaveLength(c.n);
      // the embedded image is the scene's own bytes
      expect(new Uint8Array(await readFile(dataset.samples[0].imagePath)), c.dir).toEqual(
        c.format === 'pope' ? bytes.get(pope[0].sceneId) : c.format === 'refcoco' ? refs[0].bytes : rows[0].b,
      );
      if (c.format === 'pope') expect(dataset.samples.map((s) => s.pope)).toEqual(pope.map((q) => q.answer));
      else if (c.format === 'vqa') expect(dataset.samples.map((s) => s.vqa!.answers[0])).toEqual(rows.map((r) => r.q.answer));
      else expect(dataset.samples.map((s) => s.box)).toEqual(refs.map((r) => r.box));
      const r = await evaluate({
        bundle: tiny.bundle,
        dataset,
        methods: ['vanilla', 'laser'],
        options: { maxNewTokens: 2 },
        limit: 2,
        cacheDir: join(tmp, 'cache'),
      });
      expect(
        r.results.map((x) => [x.error, typeof x.score]),
        c.dir,
      ).toEqual(Array(4).fill([null, 'number']));
    }
  });
});
