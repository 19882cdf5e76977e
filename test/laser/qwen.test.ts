/**
 * LASER and every baseline on an any-resolution model: the qwen2vl_tiny checkpoint with a tokenizer
 * and Qwen2-VL's chat template, compiled (support/tiny-laser-bundle.ts). A 600 x 200 picture is
 * smart-resized to 168 x 56 px: a 2 x 6 grid of merged tokens, so every I map is non-square; LASER's
 * 300 x 200 crop is re-encoded at its own resolution (112 x 84 px: a 3 x 4 grid), not squeezed onto
 * I's grid. The random model answers nonsense; what is checked is that the pipeline feeds each view
 * on its own grid and that the shortcuts (prefix reuse, batched streams) change nothing.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { METHOD_IDS } from '../../src/common/laser/index.ts';
import { prefillOne, prefillPair } from '../../src/engine/laser/contrast.ts';
import { decodeGreedy } from '../../src/engine/laser/decode.ts';
import { concatFeatures, sliceFeatures } from '../../src/engine/laser/features.ts';
import { figuresForRecord } from '../../src/engine/figures/figures.ts';
import { loadSampleImage } from '../../src/engine/laser/image.ts';
import { encodeInputs } from '../../src/engine/laser/methods/context.ts';
import { LaserModel } from '../../src/engine/laser/model.ts';
import { runPromptPasses } from '../../src/engine/laser/passes.ts';
import { DEFAULT_INSTRUCTION, queryPrompts, viewPrompt } from '../../src/engine/laser/prompts.ts';
import { loadRecord } from '../../src/engine/laser/record-io.ts';
import { recordGrid } from '../../src/engine/laser/record.ts';
import { runMethod } from '../../src/engine/laser/run-method.ts';
import { cropView, gridOf, modelInput } from '../../src/engine/laser/views.ts';
import { maxAbsDiff } from '../support/tiny-bundle.ts';
import { compileTinyLaserBundle, compileTinyQwenLaserBundle, type TinyLaserBundle } from './support/tiny-laser-bundle.ts';

const laser = fileURLToPath(new URL('../../bin/laser.js', import.meta.url));
const exec = promisify(execFile);

const QUESTION = 'What is the colour of the cat?';
const options = { instruction: DEFAULT_INSTRUCTION, systemPrompt: null };
let tiny: TinyLaserBundle;
let root: string;
let wide: string;

beforeAll(async () => {
  tiny = await compileTinyQwenLaserBundle();
  root = await mkdtemp(join(tmpdir(), 'laser-qwen-run-'));
  wide = join(root, 'wide.png');
  const w = 600;
  const h = 200;
  const px = Buffer.alloc(w * h * 3);
  for (let i = 0; i < w * h; i++) px.set([(i * 7) % 251, Math.floor(i / w) % 253, (i % w) % 255], i * 3);
  await sharp(px, { raw: { width: w, height: h, channels: 3 } })
    .png()
    .toFile(wide);
});
afterAll(async () => {
  await Promise.all([tiny?.dispose(), root ? rm(root, { recursive: true, force: true }) : null]);
});

describe('LASER on a Qwen2-VL bundle', () => {
  it("every method runs; each record states the family, the view encoding and I's own non-square grid", async () => {
    for (const method of METHOD_IDS) {
      const r = await runMethod({
        bundle: tiny.bundle,
        imagePath: wide,
        question: QUESTION,
        method,
        cacheDir: join(root, 'cache'),
        options: { maxNewTokens: 3 },
      });
      const { record, tensors } = await loadRecord(r.dir!);
      expect(record.bundle).toMatchObject({
        architecture: 'qwen2-vl',
        viewEncoding: 'native-resolution',
        imageSize: null,
        tokensPerImage: null,
        grid: null,
        preprocessing: 'smart-resize',
      });
      expect(recordGrid(record)).toEqual({ gh: 2, gw: 6 });
      expect(record.geometry).toMatchObject({ mode: 'resize', inputWidth: 168, inputHeight: 56 });
      expect(tensors.a_q!.shape.slice(1)).toEqual([4, 4, 12]);
      if (tensors.M) expect(tensors.M.shape).toEqual([2, 6]);
      if (tensors['a_q.layer_mean']) expect(tensors['a_q.layer_mean'].shape).toEqual([2, 6]);
      expect(record.answerTokens.length).toBeGreaterThan(0);
    }
  });

  it('laser-crop answers on [I, I+] with the crop re-encoded at its own size (3 x 4), and prefix reuse changes nothing', async () => {
    const run = (reusePrefix: boolean) =>
      runMethod({ bundle: tiny.bundle, imagePath: wide, question: QUESTION, method: 'laser-crop', cacheDir: null, options: { maxNewTokens: 4, reusePrefix } });
    const [reused, scratch] = [await run(true), await run(false)];
    expect(reused.record.answerTokens).toEqual(scratch.record.answerTokens);
    // the record's inputs: I and the crop, each with its own grid and the maps on them named so
    const byRole = Object.fromEntries(reused.record.inputs.map((i) => [i.role, i]));
    expect(byRole.image.grid).toEqual([2, 6]);
    expect(byRole.crop.grid).toEqual([3, 4]);
    expect([byRole.crop.width, byRole.crop.height]).toEqual([112, 84]);
    expect(reused.record.tensors.maps[byRole.crop.attention!]).toEqual({ input: 'crop', grid: [3, 4] });
    const box = reused.record.box!;
    expect([box[2] - box[0], box[3] - box[1]]).toEqual([300, 200]);

    // the same answer by hand, with the crop on its own grid
    const model = await LaserModel.open(tiny.bundle);
    try {
      const rt = await model.runtime();
      const img = await loadSampleImage(wide);
      const I = modelInput(img.rgb, model.processor);
      const plus = modelInput(cropView(img.rgb, box), model.processor);
      expect(gridOf(plus)).toEqual({ gh: 3, gw: 4 });
      expect(plus.patches).toEqual({ t: 1, h: 6, w: 8 });
      const features = await encodeInputs(rt, [I, plus]);
      expect(features.perImage).toEqual([12, 12]);
      const prompt = viewPrompt(model, QUESTION, options, [I.tokens, plus.tokens]);
      const out = await rt.prefill([{ ids: prompt.inputIds, images: features }]);
      const answer = await decodeGreedy(rt, out, rt.dims.vocab, { tokenizer: model.tokenizer, eosIds: model.eosIds, maxNewTokens: 4, topCandidates: 1 });
      expect(reused.record.answerTokens).toEqual(answer.ids);
    } finally {
      await model.dispose();
    }
  });

  it('the [I, I+] / [mask(I), I-] pair with views on different grids: continuing the query prefix equals prefilling it whole', async () => {
    const model = await LaserModel.open(tiny.bundle);
    try {
      const rt = await model.runtime();
      const img = await loadSampleImage(wide);
      const I = modelInput(img.rgb, model.processor);
      const features = await encodeInputs(rt, [I]);
      // a crop of another shape than I, and a masked I and crop of the same sizes
      const views = [cropView(img.rgb, [100, 0, 250, 200]), cropView(img.rgb, [0, 0, 600, 200]), cropView(img.rgb, [350, 0, 500, 200])].map((v) =>
        modelInput(v, model.processor),
      );
      expect(views.map(gridOf)).toEqual([
        { gh: 4, gw: 3 },
        { gh: 2, gw: 6 },
        { gh: 4, gw: 3 },
      ]);
      const encoded = await encodeInputs(rt, views);
      const positive = concatFeatures(features, sliceFeatures(encoded, 0));
      const negative = sliceFeatures(encoded, 1, 2);
      expect(positive.perImage).toEqual([12, 12]);
      expect(positive.grids).toEqual([
        { t: 1, h: 4, w: 12 },
        { t: 1, h: 8, w: 6 },
      ]);
      const geometry = { layers: 4, heads: 4, gridOffset: 0, cells: 12 };
      const p = queryPrompts(model, QUESTION, options, 'instruction-only', I.tokens);
      const passes = await runPromptPasses(rt, features, p.query, p.other, geometry);
      const scratch = await runPromptPasses(rt, features, p.query, p.other, geometry, { reusePrefix: false });
      expect(passes.prefix).not.toBeNull();
      expect(maxAbsDiff(passes.other!.attention.data, scratch.other!.attention.data)).toBeLessThanOrEqual(1e-5);
      const prompt = viewPrompt(model, QUESTION, options, [I.tokens, views[0].tokens]);
      const reused = await prefillPair(rt, prompt, positive, negative, passes.prefix);
      const whole = await prefillPair(rt, prompt, positive, negative, null);
      expect(reused.cache.length).toBe(prompt.inputIds.length);
      expect(maxAbsDiff(reused.attnLast, whole.attnLast)).toBeLessThanOrEqual(1e-5);
      expect(maxAbsDiff(reused.logits, whole.logits)).toBeLessThanOrEqual(1e-4);
      expect(reused.cache.ropeDeltas).toEqual(whole.cache.ropeDeltas);
      const one = await prefillOne(rt, prompt, positive, passes.prefix);
      const V = rt.dims.vocab;
      const last = (o: typeof one) => o.logits.subarray((o.logitRows - 1) * V, o.logitRows * V);
      expect(maxAbsDiff(last(one), last(reused))).toBeLessThanOrEqual(1e-4);
    } finally {
      await model.dispose();
    }
  });
});

describe('figures of a Qwen2-VL record', () => {
  it("every kind draws, the overlay and the layer strip on I's own 2 x 6 grid", async () => {
    const r = await runMethod({
      bundle: tiny.bundle,
      imagePath: wide,
      question: QUESTION,
      method: 'laser',
      cacheDir: join(root, 'cache'),
      options: { maxNewTokens: 3 },
    });
    const out = join(root, 'figures');
    const result = await figuresForRecord(r.dir!, { formats: ['svg'], outDir: out });
    expect(result.skipped.filter((s) => s.kind !== 'compare' && s.kind !== 'compare-maps')).toEqual([]);
    expect(result.written.map((w) => w.kind)).toEqual(expect.arrayContaining(['overlay', 'vaq', 'layers', 'heads', 'decoding']));
    const overlay = await readFile(result.written.find((w) => w.kind === 'overlay')!.path, 'utf8');
    // one heat rectangle per cell of I's 2 x 6 grid (cells of one colour share a path)
    const heat = /<g class="heatmap"[^>]*>(.*?)<\/g>/s.exec(overlay)![1];
    expect(heat.match(/M[\d.-]+ [\d.-]+h/g)).toHaveLength(12);
    // smart_resize keeps the picture's shape: its grid has no padding, so none is drawn
    expect(overlay).not.toContain('class="padding"');
  });
});

describe('pixel bounds (--min-pixels / --max-pixels)', () => {
  it('laser compile records them; laser run resizes within its own and records them; a fixed-grid model refuses them', async () => {
    const b2 = join(root, 'bounded');
    await exec(process.execPath, [laser, 'compile', tiny.checkpoint, b2, '--min-pixels', '784', '--max-pixels', '3136']);
    const manifest = JSON.parse(await readFile(join(b2, 'manifest.json'), 'utf8'));
    expect(manifest.preprocessing.config).toMatchObject({ min_pixels: 784, max_pixels: 3136 });

    const out = join(root, 'run-bounds');
    await exec(process.execPath, [
      laser,
      'run',
      wide,
      QUESTION,
      '--bundle',
      tiny.bundle,
      '--method',
      'vanilla',
      '--out',
      out,
      '--no-cache',
      '--max-new-tokens',
      '2',
      '--max-pixels',
      '3136',
      '--device',
      'cpu',
    ]);
    const { record } = await loadRecord(join(out, 'vanilla'));
    // 600 x 200 within 3136 px: 84 x 28 -> 6 x 2 patches -> a 1 x 3 token grid
    expect(recordGrid(record)).toEqual({ gh: 1, gw: 3 });
    expect(record.bundle.pixelBounds).toEqual([784, 3136]);

    const llava = await compileTinyLaserBundle();
    try {
      const failed = await exec(process.execPath, [
        laser,
        'run',
        wide,
        QUESTION,
        '--bundle',
        llava.bundle,
        '--method',
        'vanilla',
        '--out',
        join(root, 'llava-bounds'),
        '--no-cache',
        '--max-pixels',
        '3136',
      ]).catch((e: { code: number; stderr: string }) => e);
      expect((failed as { code: number }).code).toBe(1);
      expect((failed as { stderr: string }).stderr).toMatch(
        /minPixels\/maxPixels set the resolution of an any-resolution model \(Qwen2-VL\); this bundle feeds every view on a fixed 4x4 grid/,
      );
      expect((failed as { stderr: string }).stderr).not.toMatch(/\n\s+at /);
    } finally {
      await llava.dispose();
    }
  }, 60_000);
});
