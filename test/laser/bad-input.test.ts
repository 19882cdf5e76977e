/**
 * What a run does with input it cannot use as given: it refuses with a message that names the
 * problem (empty question, knob out of range, missing or corrupt image, a bundle without a
 * tokenizer), or, where the spec says so, degrades and records how (an image too small to crop, a
 * question that changes no attention).
 */
import { cp, mkdtemp, open, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VICROP_GENERIC_PROMPT } from '../../src/common/laser/index.ts';
import { runMethod, type RunMethodRequest } from '../../src/engine/laser/run-method.ts';
import { compileTinyLaserBundle, IMAGE_224, IMAGE_37x91, IMAGE_500x375, type TinyLaserBundle } from './support/tiny-laser-bundle.ts';

let tiny: TinyLaserBundle;
let noTokenizer: TinyLaserBundle;
let scratch: string;

beforeAll(async () => {
  [tiny, noTokenizer] = await Promise.all([compileTinyLaserBundle(), compileTinyLaserBundle({ tokenizer: false })]);
  scratch = await mkdtemp(join(tmpdir(), 'laser-bad-'));
});
afterAll(async () => {
  await Promise.all([tiny?.dispose(), noTokenizer?.dispose(), scratch ? rm(scratch, { recursive: true, force: true }) : undefined]);
});

const base = (): RunMethodRequest => ({
  bundle: tiny.bundle,
  imagePath: IMAGE_500x375,
  question: 'What is the colour of the cat?',
  method: 'laser',
  cacheDir: null,
  options: { maxNewTokens: 2 },
});

describe('degraded runs, recorded as such', () => {
  it('an image under 224 px on both sides: the crop is the whole image, flagged degenerate', async () => {
    const { record } = await runMethod({ ...base(), imagePath: IMAGE_37x91 });
    expect(record.image).toMatchObject({ width: 37, height: 91 });
    expect(record.box).toEqual([0, 0, 37, 91]);
    expect(record.crop).toMatchObject({ rule: 'centroid', degenerate: true });
    expect(record.fallback).toBeNull();
    expect(record.answer.length).toBeGreaterThan(0);
  });

  it('an image of exactly 224 px: max(floor(224 / 2), 224) = 224, the whole image again', async () => {
    const { record } = await runMethod({ ...base(), imagePath: IMAGE_224 });
    expect(record.box).toEqual([0, 0, 224, 224]);
    expect(record.crop?.degenerate).toBe(true);
  });

  it('an image under 224 px on one side only: that side is spanned fully, the other is halved', async () => {
    const wide = join(scratch, 'wide.png');
    await sharp({ create: { width: 600, height: 120, channels: 3, background: { r: 200, g: 30, b: 30 } } })
      .png()
      .toFile(wide);
    const { record } = await runMethod({ ...base(), imagePath: wide });
    const [x0, y0, x1, y1] = record.box!;
    expect([x1 - x0, y0, y1]).toEqual([300, 0, 120]);
    expect(record.crop?.degenerate).toBe(false);
  });

  it('a question that changes no attention: the map has no mass, the full image is used and the fallback recorded', async () => {
    // with noQueryPrompt = 'generic', asking ViCrop's generic prompt itself makes the two prompts identical
    const { record, tensors } = await runMethod({ ...base(), question: VICROP_GENERIC_PROMPT, knobs: { noQueryPrompt: 'generic' } });
    expect(record.prompt.queryText).toBe(record.prompt.otherText);
    expect(record.fallback).toBe('no-activation');
    expect(record.mapMass).toBe(0);
    expect(record.box).toEqual([0, 0, 500, 375]);
    expect(record.maskedCells).toEqual([]);
    expect(record.vaq!.every((v) => v === 0)).toBe(true);
    expect(tensors.M).toBeUndefined();
    // with nothing masked and nothing cropped, the negative equals the positive, so VAT changes nothing
    for (const s of record.steps) {
      for (const c of s.candidates) {
        expect(c.negative).toBeCloseTo(c.positive, 4);
        expect(c.fused).toBeCloseTo(c.positive, 4);
      }
    }
  });
});

describe('refusals', () => {
  it('an empty question, before anything is loaded', async () => {
    for (const question of ['', '   \n']) {
      await expect(runMethod({ ...base(), bundle: join(scratch, 'no-bundle-needed'), question })).rejects.toMatchObject({
        code: 'bad-request',
        message: 'The question is empty.',
      });
    }
  });

  it('a knob out of range, naming the knob and its range', async () => {
    await expect(runMethod({ ...base(), knobs: { kPatch: -3 } })).rejects.toMatchObject({
      code: 'bad-request',
      message: 'Knob kPatch of laser is -3; it must be a fraction in (0, 1) of the visual tokens, or an integer count >= 1.',
    });
    await expect(runMethod({ ...base(), knobs: { alpha: -1 } })).rejects.toThrow(/^Knob alpha of laser is -1; it must be a finite number >= 0\.$/);
    await expect(runMethod({ ...base(), method: 'static-layer', knobs: { fixedLayer: 4 } })).rejects.toThrow(
      /fixedLayer of static-layer is 4; it must be an integer in 0\.\.3/,
    );
    await expect(runMethod({ ...base(), method: 'vcd', knobs: { noiseStep: 1000 } })).rejects.toThrow(
      /noiseStep of vcd is 1000; it must be an integer in 0\.\.999/,
    );
    await expect(runMethod({ ...base(), knobs: { fixedLayer: 1, layerRange: [0, 2] } })).rejects.toThrow(/fixedLayer and layerRange exclude each other/);
  });

  it('a missing image, naming the path', async () => {
    const missing = join(scratch, 'nope.png');
    await expect(runMethod({ ...base(), imagePath: missing })).rejects.toMatchObject({ code: 'not-found', message: `Image ${missing} does not exist.` });
  });

  it('a corrupt image, naming the file', async () => {
    const corrupt = join(scratch, 'corrupt.png');
    const png = await sharp({ create: { width: 64, height: 64, channels: 3, background: 'white' } })
      .png()
      .toBuffer();
    await writeFile(corrupt, png.subarray(0, png.length >> 1));
    await expect(runMethod({ ...base(), imagePath: corrupt })).rejects.toMatchObject({
      code: 'corrupt-image',
      message: expect.stringMatching(/^corrupt\.png could not be decoded/),
    });
    const text = join(scratch, 'text.png');
    await writeFile(text, 'not an image');
    await expect(runMethod({ ...base(), imagePath: text })).rejects.toMatchObject({ code: 'unsupported-image' });
  });

  it('a bundle without tokenizer files, saying which files to add', async () => {
    await expect(runMethod({ ...base(), bundle: noTokenizer.bundle, method: 'vanilla' })).rejects.toMatchObject({
      code: 'missing-tokenizer',
      message: expect.stringContaining('has no tokenizer files (tokenizer.json, tokenizer_config.json)'),
      hint: expect.stringContaining('Add tokenizer.json and tokenizer_config.json'),
    });
  });

  it('options out of range', async () => {
    await expect(runMethod({ ...base(), options: { maxNewTokens: 0 } })).rejects.toThrow(/Option maxNewTokens is 0; it must be an integer in 1\.\.4096/);
  });
});

describe('a model whose scores are not finite', () => {
  it('fails the run naming the first bad score, and caches nothing', async () => {
    // A bundle whose decoder weights hold NaN (what a checkpoint with NaN would have compiled to
    // before the compiler refused them): every attention score and logit becomes NaN.
    const broken = join(scratch, 'nan-bundle');
    await cp(tiny.bundle, broken, { recursive: true });
    const data = await open(join(broken, 'decoder.onnx.data'), 'r+');
    await data.write(Buffer.from(new Float32Array(4096).fill(NaN).buffer), 0, 16384, 0);
    await data.close();
    const cacheDir = join(scratch, 'nan-cache');
    const run = runMethod({ ...base(), bundle: broken, cacheDir });
    await expect(run).rejects.toMatchObject({
      code: 'invalid-bundle',
      message: expect.stringMatching(
        new RegExp(`^${broken}: the model's scores are not finite \\(.+ is NaN\\), so laser's answer and chosen layer would mean nothing; nothing was cached$`),
      ),
    });
    expect(await readdir(cacheDir).catch(() => [])).not.toContain('records');
  });
});
