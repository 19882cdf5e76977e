/**
 * Record consistency on a compiled tiny bundle: every number a record states can be recomputed from
 * what it stores, without the model. The tiny random model answers nonsense; the invariants hold
 * all the same.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  argmax,
  attentionStack,
  averageHeadVaq,
  centroidBox,
  contrastiveAttention,
  headVaq,
  layerVaq,
  localisationMap,
  relativeAttention,
  topCells,
  topkBox,
  vicropWindowBox,
  type AttentionStack,
} from '../../src/common/laser/index.ts';
import { loadRecord, type LoadedRecord } from '../../src/engine/laser/record-io.ts';
import { mapGrid, type AnalysisRecord, type RecordTensor } from '../../src/engine/laser/record.ts';
import { runMethod, type RunMethodRequest } from '../../src/engine/laser/run-method.ts';
import type { LaserProgress } from '../../src/engine/laser/stages.ts';
import { recordInputImages, recordViews } from '../../src/engine/laser/record-views.ts';
import { LaserModel } from '../../src/engine/laser/model.ts';
import { cellMapping, cropView, modelInput } from '../../src/engine/laser/views.ts';
import { decodeImage } from '../../src/engine/preprocess/decode.ts';
import { compileTinyLaserBundle, IMAGE_500x375, type TinyLaserBundle } from './support/tiny-laser-bundle.ts';

const QUESTION = 'What is the colour of the cat?';
let tiny: TinyLaserBundle;
let cropBundle: TinyLaserBundle;
let cacheDir: string;

beforeAll(async () => {
  [tiny, cropBundle] = await Promise.all([compileTinyLaserBundle(), compileTinyLaserBundle({ imageMode: 'crop' })]);
  cacheDir = await mkdtemp(join(tmpdir(), 'laser-records-'));
});
afterAll(async () => {
  await Promise.all([tiny?.dispose(), cropBundle?.dispose(), rm(cacheDir, { recursive: true, force: true })]);
});

/** Runs, then loads the record back from the cache folder, as a viewer would. */
async function run(method: RunMethodRequest['method'], knobs: Record<string, unknown> = {}, extra: Partial<RunMethodRequest> = {}): Promise<LoadedRecord> {
  const r = await runMethod({
    bundle: tiny.bundle,
    imagePath: IMAGE_500x375,
    question: QUESTION,
    method,
    knobs,
    cacheDir,
    options: { maxNewTokens: 3 },
    ...extra,
  });
  expect(r.dir).not.toBeNull();
  return loadRecord(r.dir!);
}

/** Position t of a stored [T, L, H, Nv] read-out. */
function positionAt(t: RecordTensor, pos: number): AttentionStack {
  const [, L, H, N] = t.shape;
  const per = L * H * N;
  return attentionStack(L, H, N, t.data.slice(pos * per, (pos + 1) * per));
}

function checkVaqFromMaps(loaded: LoadedRecord): void {
  const { record: r, tensors } = loaded;
  const T = tensors.a_q!.shape[0];
  expect(T).toBe(r.vaqPositions);
  const perPosition = Array.from({ length: T }, (_, t) =>
    contrastiveAttention(positionAt(tensors.a_q!, t), positionAt(tensors.a_0!, t), { renormalize: r.knobs.renormalize as boolean }),
  );
  const perHead = T === 1 ? headVaq(perPosition[0]) : averageHeadVaq(perPosition.map(headVaq));
  const scores = layerVaq(perHead, r.bundle.layers, r.bundle.heads, r.knobs.kHead as number);
  expect(r.vaqHeads!.flat()).toEqual(Array.from(perHead));
  expect(r.vaq).toEqual(Array.from(scores.perLayer));
  expect(Array.from(tensors.vaq!.data)).toEqual(r.vaq);
  expect(r.mapHeads).toEqual(scores.topHeads[r.layer!]);
  if (T === 1) expect(Array.from(tensors.A!.data)).toEqual(Array.from(perPosition[0].data));
}

function checkLayerIsArgmax(r: AnalysisRecord): void {
  const [lo, hi] = r.layerChoice!.searched;
  expect(r.layerChoice!.mode).toBe('argmax');
  expect(r.layer).toBe(lo + argmax(r.vaq!.slice(lo, hi + 1)));
}

function checkMap(loaded: LoadedRecord): Float64Array {
  const { record: r, tensors } = loaded;
  const A = tensors.A!;
  const [L, H, N] = A.shape;
  const m = localisationMap(attentionStack(L, H, N, A.data), r.layer!, r.mapHeads!, { gh: mapGrid(r, 'A')[0], gw: mapGrid(r, 'A')[1] });
  expect(m.ok).toBe(true);
  if (!m.ok) throw new Error('unreachable');
  expect(Array.from(tensors.M!.data)).toEqual(Array.from(m.map));
  expect(r.mapMass).toBe(m.mass);
  return m.map;
}

function checkFusion(r: AnalysisRecord): void {
  const alpha = r.decoding.alpha!;
  const beta = r.decoding.apcBeta;
  expect(r.steps.length).toBe(r.answerTokens.length);
  for (const s of r.steps) {
    expect(s.candidates.length).toBe(r.prompt.topCandidates);
    expect(s.candidates[0].token).toBe(s.token);
    const maxPositive = Math.max(...s.candidates.map((c) => c.positive));
    for (const c of s.candidates) {
      const implausible = beta !== null && c.positive < maxPositive + Math.log(beta);
      if (implausible) expect(c.fused).toBe(-Infinity);
      else expect(c.fused).toBeCloseTo((1 + alpha) * c.positive - alpha * c.negative!, 12);
    }
  }
}

describe('laser records (tiny bundle)', () => {
  it('laser: layer = argmax VAQ, VAQ and M recompute from the stored maps, fused = (1+a)z+ - a z-, the box is the centroid box, the masked cells the top-k', async () => {
    const loaded = await run('laser', { kHead: 2, kPatch: 3 });
    const r = loaded.record;
    expect(r.method).toBe('laser');
    expect(r.knobs).toMatchObject({
      kHead: 2,
      kPatch: 3,
      alpha: 1,
      apcBeta: null,
      feed: 'pair',
      fill: 'mean',
      cropRule: 'centroid',
      noQueryPrompt: 'instruction-only',
      vaqSteps: 'prefill',
    });
    expect(r.fallback).toBeNull();
    checkLayerIsArgmax(r);
    checkVaqFromMaps(loaded);
    const M = checkMap(loaded);
    checkFusion(r);
    expect(r.decoding).toMatchObject({ kind: 'vat', positive: '[I, I+]', negative: '[mask(I), I-]' });
    const mapping = cellMapping(r.geometry);
    const size = { width: 500, height: 375 };
    expect(r.box).toEqual([...centroidBox(M, mapping, size, 224).box]);
    // the spec's w_B = min(W, max(floor(W/2), 224)) = 250 and h_B = min(H, max(floor(H/2), 224)) = 224
    expect([r.box![2] - r.box![0], r.box![3] - r.box![1]]).toEqual([250, 224]);
    expect(r.crop).toMatchObject({ rule: 'centroid', degenerate: false });
    expect(r.maskedCells).toEqual(topCells(M, 3));
    expect(r.maskedCells).toHaveLength(3);
    expect(Object.keys(r.timings)).toEqual(
      expect.arrayContaining([
        'query-pass',
        'no-query-pass',
        'baseline-decode',
        'localise',
        'crop',
        'mask',
        'encode-views',
        'prefill-views',
        'decode',
        'total',
      ]),
    );
    expect(loaded.tensors['a_q.layer']?.shape).toEqual([4, 4, 4]);
    expect(loaded.tensors['a_0.layer_mean']?.shape).toEqual([4, 4]);

    // what the renderer gets: the same numbers, laid out, and each cell on the original image
    const views = recordViews(r, loaded.tensors);
    expect(views.grid).toEqual([4, 4]);
    expect(views.map).toEqual(Array.from(M));
    expect(views.cells[5]).toEqual([...mapping.cellRect(5)]);
    expect(views.queryAttention).toEqual(Array.from(loaded.tensors['a_q.layer_mean']!.data));
    const A = loaded.tensors.A!.data;
    expect(views.contrastive![r.layer!][7]).toBeCloseTo([0, 1, 2, 3].reduce((s, h) => s + A[(r.layer! * 4 + h) * 16 + 7], 0) / 4, 12);
  });

  it('every method records the vanilla answer as its baseline', async () => {
    const vanilla = (await run('vanilla')).record;
    expect(vanilla.answer).toBe(vanilla.baselineAnswer);
    expect(vanilla.decoding).toEqual({ kind: 'greedy', positive: '[I]', negative: null, alpha: null, apcBeta: null });
    for (const s of vanilla.steps) for (const c of s.candidates) expect([c.negative, c.fused]).toEqual([null, c.positive]);
    expect([vanilla.vaq, vanilla.layer, vanilla.box]).toEqual([null, null, null]);
    const views = recordViews(vanilla, (await run('vanilla')).tensors);
    expect([views.map, views.contrastive, views.queryAttention, views.baseAttention]).toEqual([null, null, null, null]);
    for (const m of ['vicrop-rel', 'static-layer', 'laser-crop', 'vcd', 'laser'] as const) {
      const r = (await run(m)).record;
      expect(r.baselineTokens).toEqual(vanilla.answerTokens);
      expect(r.baselineAnswer).toBe(vanilla.answer);
    }
  });

  it('static-layer reads the fixed layer; laser-crop crops without mask or VAT', async () => {
    const fixed = await run('static-layer', { fixedLayer: 2, kHead: 2 });
    expect(fixed.record.layer).toBe(2);
    expect(fixed.record.layerChoice).toEqual({ mode: 'fixed', searched: [2, 2] });
    checkVaqFromMaps(fixed);
    checkMap(fixed);
    checkFusion(fixed.record);
    const crop = await run('laser-crop', { kHead: 2 });
    expect(crop.record.maskedCells).toEqual([]);
    expect(crop.record.decoding).toMatchObject({ kind: 'greedy', positive: '[I, I+]', negative: null });
    checkLayerIsArgmax(crop.record);
  });

  it('layerRange restricts the argmax', async () => {
    const r = (await run('laser', { layerRange: [0, 1] })).record;
    expect(r.layerChoice!.searched).toEqual([0, 1]);
    checkLayerIsArgmax(r);
    expect(r.layer).toBeLessThanOrEqual(1);
  });

  it("vicrop-rel: M is a_q / a_generic at the fixed layer, and the box is ViCrop's window on it", async () => {
    const loaded = await run('vicrop-rel', { layer: 2 });
    const { record: r, tensors } = loaded;
    expect(r.prompt.otherText).toContain('Write a general description of the image.');
    const grid = { gh: 4, gw: 4 };
    const rel = relativeAttention(positionAt(tensors.a_q!, 0), positionAt(tensors.a_0!, 0), 2, grid, 0);
    expect(Array.from(tensors.M!.data)).toEqual(Array.from(rel.map));
    expect(r.undefinedCells).toEqual(rel.undefinedCells);
    expect(r.box).toEqual([...vicropWindowBox(rel.map, cellMapping(r.geometry), { width: 500, height: 375 }, r.knobs.windowBase as number).box]);
  });

  it('vcd: VAT against the noisy image with the plausibility cutoff; -Infinity survives the trip to disk', async () => {
    // the tiny model's logits lie close together: a strict cutoff makes sure some candidates fall below it
    const loaded = await run('vcd', { beta: 0.9 }, { options: { maxNewTokens: 2, topCandidates: 20 } });
    const r = loaded.record;
    expect(r.decoding).toMatchObject({ kind: 'vat', alpha: 1, apcBeta: 0.9 });
    checkFusion(r);
    const fused = r.steps.flatMap((s) => s.candidates.map((c) => c.fused));
    expect(fused).toContain(-Infinity);
    const text = await readFile(join(loaded.dir, 'record.json'), 'utf8');
    expect(text).toContain('"fused": "-Infinity"');
  });

  it("vaqSteps = answer teacher-forces the baseline and averages over the answer's positions", async () => {
    const loaded = await run('laser', { vaqSteps: 'answer', kHead: 2 });
    const r = loaded.record;
    expect(r.vaqPositions).toBe(r.baselineTokens.length);
    expect(loaded.tensors.a_q!.shape[0]).toBe(r.baselineTokens.length);
    expect(r.vaqPositions).toBeGreaterThan(1);
    checkVaqFromMaps(loaded);
    checkLayerIsArgmax(r);
  });

  it('crop preprocessing: the topk-bbox box is computed on the cells of the centre crop the model saw', async () => {
    const r = await runMethod({
      bundle: cropBundle.bundle,
      imagePath: IMAGE_500x375,
      question: QUESTION,
      method: 'laser',
      knobs: { cropRule: 'topk-bbox', topkCells: 2, kHead: 2 },
      cacheDir,
      options: { maxNewTokens: 2 },
    });
    const loaded = await loadRecord(r.dir!);
    expect(loaded.record.bundle.preprocessing).toBe('crop');
    expect(loaded.record.geometry.mode).toBe('crop');
    const M = checkMap(loaded);
    const mapping = cellMapping(loaded.record.geometry);
    // 500x375 is resized to 74x56 (int(56 * 500 / 375)) and the centre 56 columns kept from column 9:
    // no cell lies left of x = 9 * 500 / 74 in the original
    expect(mapping.cellRect(0)[0]).toBe((9 * 500) / 74);
    expect(loaded.record.box).toEqual([...topkBox(M, mapping, { width: 500, height: 375 }, 2, 224).box]);
  });

  it('a second identical run returns the cached record without running the model', async () => {
    const first = await runMethod({
      bundle: tiny.bundle,
      imagePath: IMAGE_500x375,
      question: QUESTION,
      method: 'laser',
      knobs: { alpha: 0.5 },
      cacheDir,
      options: { maxNewTokens: 2 },
    });
    expect(first.cached).toBe(false);
    const stages: string[] = [];
    const second = await runMethod({
      bundle: tiny.bundle,
      imagePath: IMAGE_500x375,
      question: QUESTION,
      method: 'laser',
      knobs: { alpha: 0.5 },
      cacheDir,
      options: { maxNewTokens: 2 },
      onProgress: (p) => stages.push(p.stage),
    });
    expect(second.cached).toBe(true);
    expect(second.record).toEqual(first.record);
    expect(stages).not.toContain('encode-images');
    const other = await runMethod({
      bundle: tiny.bundle,
      imagePath: IMAGE_500x375,
      question: QUESTION,
      method: 'laser',
      knobs: { alpha: 0.25 },
      cacheDir,
      options: { maxNewTokens: 2 },
    });
    expect(other.cached).toBe(false);
  });

  it('reports progress stage by stage and stops when cancelled', async () => {
    const seen: LaserProgress[] = [];
    const ac = new AbortController();
    const req: RunMethodRequest = {
      bundle: tiny.bundle,
      imagePath: IMAGE_500x375,
      question: QUESTION,
      method: 'laser',
      cacheDir: null,
      options: { maxNewTokens: 3 },
      signal: ac.signal,
      onProgress: (p) => {
        seen.push(p);
        if (p.stage === 'localise' && p.step === 1) ac.abort();
      },
    };
    await expect(runMethod(req)).rejects.toMatchObject({ code: 'cancelled' });
    const started = seen.filter((p) => p.step === 0).map((p) => p.stage);
    expect(started).toEqual([
      'load-model',
      'read-image',
      'read-image',
      'load-model',
      'preprocess',
      'encode-images',
      'query-pass',
      'no-query-pass',
      'baseline-decode',
      'localise',
    ]);
    expect(seen.some((p) => p.stage === 'baseline-decode' && p.step === 3 && p.total === 3)).toBe(true);
  });
});

describe('the images the model got (record.inputs)', () => {
  async function pixelsOf(png: Uint8Array) {
    const { data, info } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
    return { width: info.width, height: info.height, data: new Uint8Array(data) };
  }

  it('laser (pair feed): I, I+, mask(I) and I- as the encoder got them, each on its own grid, with its own attention', async () => {
    const loaded = await run('laser', { kHead: 2, kPatch: 3 });
    const r = loaded.record;
    expect(r.inputs.map((i) => [i.role, i.fedIn, i.attention])).toEqual([
      ['image', ['query pass', 'no-query pass', 'positive [I, I+]'], 'a_q'],
      ['crop', ['positive [I, I+]'], 'input.crop'],
      ['masked', ['negative [mask(I), I-]'], 'input.masked'],
      ['vat-contrast', ['negative [mask(I), I-]'], 'input.vat-contrast'],
    ]);
    const model = await LaserModel.open(tiny.bundle);
    try {
      const I = await decodeImage(await readFile(IMAGE_500x375), 'cat.png');
      const crop = r.inputs[1];
      expect(crop.rule).toEqual({ kind: 'crop', box: r.box });
      expect([crop.sourceWidth, crop.sourceHeight]).toEqual([r.box![2] - r.box![0], r.box![3] - r.box![1]]);
      // the PNG is exactly the crop after the bundle's own preprocessing
      const expected = modelInput(cropView(I, r.box!), model.processor);
      const got = await pixelsOf(loaded.files[crop.file]);
      expect([got.width, got.height]).toEqual([crop.width, crop.height]);
      expect(Buffer.from(got.data).equals(Buffer.from(expected.image.data))).toBe(true);
      expect(crop.geometry).toEqual(expected.transform);
      const image = await pixelsOf(loaded.files[r.inputs[0].file]);
      expect(Buffer.from(image.data).equals(Buffer.from(modelInput(I, model.processor).image.data))).toBe(true);
    } finally {
      await model.dispose();
    }
    expect(r.inputs[2].rule).toMatchObject({ kind: 'mask', cells: r.maskedCells, fill: 'mean' });
    expect(r.inputs[3].rule).toEqual({ kind: 'mask-crop', box: r.box, cells: r.maskedCells, fill: 'mean' });
    for (const i of r.inputs) {
      expect(i.grid).toEqual([4, 4]);
      const t = i.attention === 'a_q' ? null : loaded.tensors[i.attention as 'input.crop'];
      if (t) {
        expect(t.shape).toEqual([4, 4, 16]);
        expect(mapGrid(r, i.attention!)).toEqual(i.grid);
        // probabilities of one softmax row: positive, and the grid's share of it at most 1
        for (let row = 0; row < 16; row++) {
          const share = Array.from(t.data.subarray(row * 16, (row + 1) * 16)).reduce((s, v) => s + v, 0);
          expect(share).toBeGreaterThan(0);
          expect(share).toBeLessThanOrEqual(1 + 1e-6);
        }
      }
    }
    const inputs = recordInputImages(r, loaded.tensors);
    expect(inputs.map((i) => i.media)).toEqual(r.inputs.map((i) => ({ kind: 'record-input', id: r.cacheKey, role: i.role })));
    expect(inputs[1].attention).toHaveLength(4);
    expect(inputs[1].attention![0]).toHaveLength(16);
  });

  it('the crop attention read from the shared-prefix prefill equals a prefill from scratch', async () => {
    const shared = await run('laser', { kHead: 2, kPatch: 3 });
    const scratch = await run('laser', { kHead: 2, kPatch: 3 }, { options: { maxNewTokens: 3, reusePrefix: false } });
    for (const name of ['input.crop', 'input.masked', 'input.vat-contrast'] as const) {
      const a = shared.tensors[name]!.data;
      const b = scratch.tensors[name]!.data;
      expect(a.length).toBe(b.length);
      let worst = 0;
      for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
      expect(worst).toBeLessThan(1e-5);
    }
  });

  it('crop feed keeps mask(I) as made but not fed; vcd records its noised image with the seed; vanilla only I', async () => {
    const crop = (await run('laser', { feed: 'crop-only' })).record;
    expect(crop.inputs.map((i) => [i.role, i.fedIn, i.attention])).toEqual([
      ['image', ['query pass', 'no-query pass'], 'a_q'],
      ['crop', ['positive [I+]'], 'input.crop'],
      ['masked', [], null],
      ['vat-contrast', ['negative [I-]'], 'input.vat-contrast'],
    ]);
    const vcd = await run('vcd', { seed: 7 });
    expect(vcd.record.inputs.map((i) => i.role)).toEqual(['image', 'vcd-noise']);
    expect(vcd.record.inputs[1].rule).toEqual({ kind: 'noise', step: vcd.record.knobs.noiseStep, steps: 1000, seed: 7 });
    const noise = await pixelsOf(vcd.files['inputs/vcd-noise.png']);
    const clean = await pixelsOf(vcd.files['inputs/image.png']);
    expect([noise.width, noise.height]).toEqual([clean.width, clean.height]);
    expect(Buffer.from(noise.data).equals(Buffer.from(clean.data))).toBe(false);
    expect(vcd.tensors['input.vcd-noise']?.shape).toEqual([4, 4, 16]);
    const vicrop = (await run('vicrop-rel')).record;
    expect(vicrop.inputs.map((i) => [i.role, i.fedIn])).toEqual([
      ['image', ['query pass', 'generic-prompt pass', '[I, crop]']],
      ['crop', ['[I, crop]']],
    ]);
    expect((await run('vanilla')).record.inputs.map((i) => i.role)).toEqual(['image']);
  });
});
