/**
 * The evaluator end to end on the tiny compiled bundle (a random model: it answers nonsense, so the
 * VQA ground truth below is built from its own answers to make scores other than 0 possible).
 * Every figure of the summary is recomputed here from the record files the runs left in the cache.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attentionAggregation, groundingIou, popeAnswer, popeScores, vqaSoftAccuracy } from '../../src/common/laser/metrics.ts';
import { intersectRects, rectArea } from '../../src/common/laser/grid.ts';
import { evaluate, splitKnobs, type EvaluateResult } from '../../src/engine/eval/evaluate.ts';
import { loadPope } from '../../src/engine/eval/pope.ts';
import { loadRefcoco } from '../../src/engine/eval/refcoco.ts';
import { summarize } from '../../src/engine/eval/summary.ts';
import { loadVqa } from '../../src/engine/eval/vqa.ts';
import { loadRecord, loadRecordJson } from '../../src/engine/laser/record-io.ts';
import { runMethod } from '../../src/engine/laser/run-method.ts';
import { cellMapping } from '../../src/engine/laser/views.ts';
import { compileTinyLaserBundle, compileTinyQwenLaserBundle, type TinyLaserBundle } from '../laser/support/tiny-laser-bundle.ts';
import { fixture, FIXTURE_IMAGES } from './support/fixtures.ts';

let tiny: TinyLaserBundle;
let scratch: string;
const options = { maxNewTokens: 2 };

beforeAll(async () => {
  tiny = await compileTinyLaserBundle();
  scratch = await mkdtemp(join(tmpdir(), 'eval-e2e-'));
});
afterAll(async () => {
  await Promise.all([tiny?.dispose(), scratch ? rm(scratch, { recursive: true, force: true }) : undefined]);
});

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

/** Every result's record, read back from its folder. */
async function records(r: EvaluateResult) {
  return Promise.all(r.results.map(async (x) => ({ x, rec: await loadRecordJson(x.record!) })));
}

describe('evaluate: POPE', () => {
  it('scores each run by the POPE reading of its recorded answer; accuracy, precision, recall and F1 per split recompute from the records', async () => {
    const dataset = await loadPope(fixture('pope'), { images: FIXTURE_IMAGES });
    const r = await evaluate({ bundle: tiny.bundle, dataset, methods: ['vanilla', 'laser'], options, cacheDir: join(scratch, 'pope-cache') });
    expect(r.samples).toHaveLength(5);
    expect(r.results.map((x) => `${x.sampleId}:${x.method}`)).toEqual(dataset.samples.flatMap((s) => [`${s.id}:vanilla`, `${s.id}:laser`]));
    const summary = summarize(r.methods, r.samples, r.results);
    for (const { x, rec } of await records(r)) {
      const sample = dataset.samples.find((s) => s.id === x.sampleId)!;
      expect(rec).toMatchObject({ method: x.method, question: sample.question, answer: x.answer });
      expect(x.pope).toBe(popeAnswer(rec.answer));
      expect(x.score).toBe(popeAnswer(rec.answer) === sample.pope ? 1 : 0);
    }
    for (const m of r.methods) {
      const mine = r.results.filter((x) => x.method === m);
      expect(summary[m].accuracy.mean).toBeCloseTo(mean(mine.map((x) => x.score!)), 12);
      for (const split of ['random', 'adversarial']) {
        const inSplit = mine.filter((x) => x.sampleId.startsWith(`${split}/`));
        const labels = inSplit.map((x) => dataset.samples.find((s) => s.id === x.sampleId)!.pope!);
        expect(summary[m].pope!.bySplit[split]).toEqual({
          samples: inSplit.length,
          ...popeScores(
            inSplit.map((x) => x.pope!),
            labels,
          ),
        });
      }
      expect(summary[m].pope!.overall.samples).toBe(5);
      expect(summary[m].grounding).toBeNull();
    }
  });
});

describe("evaluate: VQA soft accuracy with each dataset's protocol", () => {
  it('TextVQA leave-one-out and A-OKVQA min(1, m/3), recomputed from the recorded answers', async () => {
    // the model's own answers, so that matches happen
    const images = ['COCO_val2014_000000000042.png', 'COCO_val2014_000000000007.png', '003a8ae2ef43b901.png', 'scene_wide.png'];
    const question = 'what is the colour of the cat?';
    const own: string[] = [];
    for (const im of images) {
      own.push(
        (await runMethod({ bundle: tiny.bundle, imagePath: join(FIXTURE_IMAGES, im), question, method: 'vanilla', options, cacheDir: null })).record.answer,
      );
    }
    // 10 answers with the model's answer k times: leave-one-out gives (k * min(1, (k-1)/3) + (10-k) * min(1, k/3)) / 10
    const ks = [0, 1, 3, 10];
    const data = images.map((im, q) => ({
      question_id: q + 1,
      image: im,
      question,
      answers: [...Array<string>(ks[q]).fill(own[q]), ...Array<string>(10 - ks[q]).fill('zebra')],
    }));
    const file = join(scratch, 'own_answers.json');
    await writeFile(file, JSON.stringify({ data }));
    const textvqa = await loadVqa(file, { images: FIXTURE_IMAGES });
    const r = await evaluate({ bundle: tiny.bundle, dataset: textvqa, methods: ['vanilla'], options, cacheDir: join(scratch, 'vqa-cache') });
    expect(r.results.map((x) => x.score)).toEqual([0, 0.3, 0.9, 1]);
    for (const { x, rec } of await records(r)) {
      const s = textvqa.samples.find((y) => y.id === x.sampleId)!;
      expect(x.score).toBe(vqaSoftAccuracy(rec.answer, s.vqa!.answers, 'leave-one-out'));
    }
    expect(summarize(r.methods, r.samples, r.results).vanilla.accuracy).toMatchObject({ samples: 4, mean: (0 + 0.3 + 0.9 + 1) / 4 });

    // the same answers as A-OKVQA: min(1, k / 3)
    const aok = join(scratch, 'aokvqa_val.json');
    await writeFile(aok, JSON.stringify(data.map(({ answers, ...rest }) => ({ ...rest, direct_answers: answers }))));
    const r2 = await evaluate({
      bundle: tiny.bundle,
      dataset: await loadVqa(aok, { images: FIXTURE_IMAGES }),
      methods: ['vanilla'],
      options,
      cacheDir: join(scratch, 'vqa-cache'),
    });
    expect(r2.results.map((x) => x.score)).toEqual([0, 1 / 3, 1, 1]);
    expect(r2.results.every((x) => x.cached)).toBe(true);
  });

  it('VQA v2 pair: groups by answer type, each group the mean of its samples', async () => {
    const dataset = await loadVqa(fixture('vqav2'), { images: FIXTURE_IMAGES });
    const r = await evaluate({ bundle: tiny.bundle, dataset, methods: ['vanilla', 'laser-crop'], options, cacheDir: join(scratch, 'vqa2-cache') });
    const s = summarize(r.methods, r.samples, r.results);
    for (const m of r.methods) {
      for (const [type, g] of Object.entries(s[m].accuracy.byGroup.answerType)) {
        const xs = r.results.filter((x) => x.method === m && dataset.samples.find((y) => y.id === x.sampleId)!.groups.answerType === type);
        expect(g).toEqual({ samples: xs.length, mean: mean(xs.map((x) => x.score!)) });
      }
    }
    expect(Object.keys(s.vanilla.accuracy.byGroup.answerType).sort()).toEqual(['number', 'other', 'yes/no']);
  });
});

describe('evaluate: grounding and layers', () => {
  it('attention aggregation of the raw and the method map recomputes from the stored tensors; layers are counted per run', async () => {
    const dataset = await loadRefcoco(fixture('refcoco'));
    const methods = ['vanilla', 'vicrop-rel', 'static-layer', 'laser'] as const;
    const r = await evaluate({ bundle: tiny.bundle, dataset, methods: [...methods], knobs: { kHead: 2 }, options, cacheDir: join(scratch, 'ref-cache') });
    expect(r.knobs.laser).toMatchObject({ kHead: 2 });
    expect(r.knobs['vicrop-rel']).not.toHaveProperty('kHead');
    for (const x of r.results) {
      const { record, tensors } = await loadRecord(x.record!);
      const box = dataset.samples.find((s) => s.id === x.sampleId)!.box!;
      if (x.method === 'vanilla') {
        expect(x.aggregation).toBeNull();
        continue;
      }
      const mapping = cellMapping(record.geometry);
      expect(x.aggregation!.raw).toBe(attentionAggregation(tensors['a_q.layer_mean']!.data, mapping, box));
      expect(x.aggregation!.map).toBe(tensors.M ? attentionAggregation(tensors.M.data, mapping, box) : 0);
      // chance level: a flat map; it depends on the box and the geometry only, not on the method
      expect(x.aggregation!.uniform).toBe(attentionAggregation(new Float64Array(mapping.grid.gh * mapping.grid.gw).fill(1), mapping, box));
      expect(x.aggregation!.uniform).toBeGreaterThan(0);
      expect(x.aggregation!.uniform).toBeLessThanOrEqual(1);
      const first = r.results.find((y) => y.sampleId === x.sampleId && y.method === 'laser')!;
      expect(x.aggregation!.uniform).toBeCloseTo(first.aggregation!.uniform, 12);
      // the share of the target box inside the crop, from the record's box; vicrop-rel and the laser family crop
      const inCrop = rectArea(intersectRects(record.box!, box)) / rectArea(box);
      expect(x.aggregation!.crop).toBe(inCrop);
      expect(inCrop).toBeGreaterThanOrEqual(0);
      expect(inCrop).toBeLessThanOrEqual(1);
      expect(x.layer).toBe(record.layer);
    }
    const s = summarize(r.methods, r.samples, r.results);
    expect(s.vanilla.grounding).toBeNull();
    // a grounding-only sample's score is Acc@0.5 of the box in the answer (the random model gives none: 0)
    for (const x of r.results) {
      const { record } = await loadRecordJson(x.record!).then((rec) => ({ record: rec }));
      const sample = dataset.samples.find((y) => y.id === x.sampleId)!;
      expect(x.iou).toBe(groundingIou(record.answer, sample.box!, record.image));
      expect(x.score).toBe(x.iou! >= 0.5 ? 1 : 0);
    }
    expect(s.vanilla.accuracy.samples).toBe(3);
    for (const m of ['vicrop-rel', 'static-layer', 'laser'] as const) {
      const xs = r.results.filter((x) => x.method === m);
      expect(s[m].grounding).toMatchObject({
        samples: 3,
        raw: mean(xs.map((x) => x.aggregation!.raw!)),
        map: mean(xs.map((x) => x.aggregation!.map!)),
        uniform: mean(xs.map((x) => x.aggregation!.uniform)),
        crop: mean(xs.map((x) => x.aggregation!.crop!)),
      });
      const counts: Record<string, number> = {};
      for (const x of xs) counts[String(x.layer)] = (counts[String(x.layer)] ?? 0) + 1;
      expect(s[m].layers!.overall).toEqual(counts);
    }
    expect(s.laser.layers!.mode).toBe('argmax');
    expect(s['static-layer'].layers!.mode).toBe('fixed');
    // per RefCOCO split: one expression each
    expect(Object.values(s.laser.layers!.byGroup.split).map((c) => Object.values(c).reduce((a, b) => a + b, 0))).toEqual([1, 1, 1]);
  });
});

describe('evaluate: resuming and refusing', () => {
  it('an evaluation aborted after three runs resumes from the cache without running them again', async () => {
    const dataset = await loadPope(fixture('pope'), { images: FIXTURE_IMAGES });
    const cacheDir = join(scratch, 'resume-cache');
    const controller = new AbortController();
    const first = evaluate({
      bundle: tiny.bundle,
      dataset,
      methods: ['vanilla', 'laser'],
      options,
      cacheDir,
      signal: controller.signal,
      onProgress: (p) => {
        if (p.kind === 'run' && p.done === 3) controller.abort();
      },
    });
    await expect(first).rejects.toMatchObject({ code: 'cancelled' });
    const again = await evaluate({ bundle: tiny.bundle, dataset, methods: ['vanilla', 'laser'], options, cacheDir });
    expect(again.results.map((x) => x.cached)).toEqual([true, true, true, false, false, false, false, false, false, false]);
    const third = await evaluate({ bundle: tiny.bundle, dataset, methods: ['vanilla', 'laser'], options, cacheDir });
    expect(third.results.every((x) => x.cached)).toBe(true);
    expect(third.results.map((x) => x.answer)).toEqual(again.results.map((x) => x.answer));
    expect(summarize(third.methods, third.samples, third.results).laser).toMatchObject({ runs: 5, cached: 5, meanMs: null });
  });

  it('limit evaluates the first N samples', async () => {
    const dataset = await loadPope(fixture('pope'), { images: FIXTURE_IMAGES });
    const r = await evaluate({ bundle: tiny.bundle, dataset, methods: ['vanilla'], options, limit: 2, cacheDir: join(scratch, 'resume-cache') });
    expect(r.samples.map((s) => s.id)).toEqual(['adversarial/1', 'adversarial/2']);
    await expect(evaluate({ bundle: tiny.bundle, dataset, methods: ['vanilla'], limit: 0 })).rejects.toThrow('limit is 0');
  });

  it("refuses a knob no chosen method has, and a knob out of this model's range, before any run", async () => {
    const dataset = await loadPope(fixture('pope'), { images: FIXTURE_IMAGES });
    await expect(evaluate({ bundle: tiny.bundle, dataset, methods: ['vanilla', 'laser'], knobs: { layer: 2 }, cacheDir: null })).rejects.toMatchObject({
      message: 'Knob layer belongs to none of the methods evaluated (vanilla, laser).',
      hint: 'layer is a knob of vicrop-rel.',
    });
    await expect(evaluate({ bundle: tiny.bundle, dataset, methods: ['laser'], knobs: { fixedLayer: 9 }, cacheDir: null })).rejects.toThrow(
      'this model has 4 layers',
    );
    await expect(evaluate({ bundle: tiny.bundle, dataset, methods: [], cacheDir: null })).rejects.toThrow('No method');
  });

  it('splits shared knobs among the methods that have them', () => {
    expect(splitKnobs(['vanilla', 'laser', 'vcd'], { alpha: 2, kHead: 4 })).toEqual({ vanilla: {}, laser: { alpha: 2, kHead: 4 }, vcd: { alpha: 2 } });
  });
});

describe('evaluate on an any-resolution model (Qwen2-VL)', () => {
  it("the same evaluator scores a Qwen bundle; each map is aggregated on its own image's grid, read from the record", async () => {
    const qwen = await compileTinyQwenLaserBundle();
    try {
      const dataset = await loadRefcoco(fixture('refcoco'));
      const r = await evaluate({ bundle: qwen.bundle, dataset, methods: ['vanilla', 'laser'], options, cacheDir: join(scratch, 'qwen-cache') });
      expect(r.results).toHaveLength(dataset.samples.length * 2);
      const grids = new Set<string>();
      for (const x of r.results.filter((y) => y.method === 'laser')) {
        const { record, tensors } = await loadRecord(x.record!);
        expect(record.bundle.viewEncoding).toBe('native-resolution');
        const mapping = cellMapping(record.geometry);
        grids.add(`${mapping.grid.gh}x${mapping.grid.gw}`);
        expect(tensors.M!.shape).toEqual([mapping.grid.gh, mapping.grid.gw]);
        const box = dataset.samples.find((s) => s.id === x.sampleId)!.box!;
        expect(x.aggregation!.map).toBe(attentionAggregation(tensors.M!.data, mapping, box));
      }
      // the fixture's images differ in shape, so their grids differ too
      expect(grids.size).toBeGreaterThan(1);
    } finally {
      await qwen.dispose();
    }
  }, 60_000);
});
