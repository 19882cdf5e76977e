/**
 * Whole-layer attention for inspection views: `prefill(..., { attnLayer })` returns attn_full
 * [B, H, S, P+S] from decoder-attention.onnx, which the runtime loads instead of decoder.onnx.
 *
 * Tolerances: against the golden attentions 1e-5 (FIXTURES.md §6, as for attn_last). attn_full's
 * last row and attn_last are slices of the same softmax tensor, so they must be bit-identical; so
 * must logits with attn_layer = l vs -1 (the If only routes a tensor to an output). Logits of
 * decoder-attention.onnx vs decoder.onnx: the same ops on the same weights, held to 1e-6.
 */
import { cp, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ImageFeatures } from './image-tokens.ts';
import type { ModelRuntime } from './model-runtime.ts';
import { openModelRuntime } from './open.ts';
import { at } from '../../../test/support/index-access.ts';
import { compileTinyBundle, maxAbsDiff, readTinyGolden, type CompiledTiny, type TinyGolden } from '../../../test/support/tiny-bundle.ts';

let compiled: CompiledTiny;
let rt: ModelRuntime;
let g: TinyGolden;
let image: ImageFeatures;
/** The same bundle as compiled by a version without decoder-attention.onnx. */
let oldBundle: string;

beforeAll(async () => {
  compiled = await compileTinyBundle();
  rt = await openModelRuntime(compiled.bundle, { device: 'cpu', threads: 1, inspect: true });
  g = await readTinyGolden();
  image = await rt.encodeImages(g.pixelValues, 1);
  oldBundle = join(compiled.root, 'old-bundle');
  await cp(compiled.bundle, oldBundle, { recursive: true });
  const manifestPath = join(oldBundle, 'manifest.json');
  const manifest = JSON.parse(await readFile(manifestPath, 'utf8'));
  delete manifest.graphs.decoderAttention;
  await writeFile(manifestPath, JSON.stringify(manifest));
  await rm(join(oldBundle, 'decoder-attention.onnx'));
});
afterAll(async () => {
  await rt?.dispose();
  await compiled?.dispose();
});

const S = 26;
const H = 4;

/** Rows [from, to) of every head of an attention [1, H, rows, T]. */
function rows(attn: Float32Array, rowCount: number, T: number, from: number, to: number): Float32Array {
  const out = new Float32Array(H * (to - from) * T);
  for (let h = 0; h < H; h++) out.set(attn.subarray((h * rowCount + from) * T, (h * rowCount + to) * T), h * (to - from) * T);
  return out;
}

describe('whole-layer attention (attnLayer)', () => {
  it('loads decoder-attention.onnx as the one decoder session', () => {
    expect(rt.decoderGraph).toBe(join(compiled.bundle, 'decoder-attention.onnx'));
    expect(rt.canInspect).toBe(true);
  });

  it("returns each layer's HF attention; its last row is attn_last and the logits do not change", async () => {
    const stream = [{ ids: g.inputIds, images: image }];
    const plain = await rt.prefill(stream, { logits: 'all' });
    expect(plain.attnFull).toBeUndefined();
    for (let l = 0; l < 4; l++) {
      const out = await rt.prefill(stream, { logits: 'all', attnLayer: l });
      const full = out.attnFull!;
      expect(full).toHaveLength(H * S * S);
      expect(maxAbsDiff(full, at(g.attentions, l))).toBeLessThan(1e-5);
      expect(Array.from(rows(full, S, S, S - 1, S))).toEqual(Array.from(plain.attnLast.subarray(l * H * S, (l + 1) * H * S)));
      expect(maxAbsDiff(out.logits, plain.logits)).toBeLessThan(1e-6);
      expect(Array.from(out.attnLast)).toEqual(Array.from(plain.attnLast));
    }
  });

  it("holds P + S columns when continuing a cache: the rows of the whole prompt's attention", async () => {
    const cut = 20;
    const whole = await rt.prefill([{ ids: g.inputIds, images: image }], { attnLayer: 2 });
    const prefix = await rt.prefill([{ ids: g.inputIds.slice(0, cut), images: image }]);
    const suffix = await rt.prefill([{ ids: g.inputIds.slice(cut) }], { cache: prefix.cache, attnLayer: 2 });
    expect(suffix.attnFull).toHaveLength(H * (S - cut) * S);
    expect(maxAbsDiff(suffix.attnFull!, rows(whole.attnFull!, S, S, cut, S))).toBeLessThan(1e-5);
  });

  it('lays a batch out as [B, H, S, T]', async () => {
    const one = await rt.prefill([{ ids: g.inputIds, images: image }], { attnLayer: 1 });
    const negImage = await rt.encodeImages(
      g.pixelValues.map((x) => -x),
      1,
    );
    const neg = await rt.prefill([{ ids: g.inputIds, images: negImage }], { attnLayer: 1 });
    const both = await rt.prefill(
      [
        { ids: g.inputIds, images: image },
        { ids: g.inputIds, images: negImage },
      ],
      { attnLayer: 1 },
    );
    expect(maxAbsDiff(both.attnFull!.subarray(0, H * S * S), one.attnFull!)).toBeLessThan(1e-5);
    expect(maxAbsDiff(both.attnFull!.subarray(H * S * S), neg.attnFull!)).toBeLessThan(1e-5);
    // The two images really give different maps, so the check above tells the rows apart.
    expect(maxAbsDiff(one.attnFull!, neg.attnFull!)).toBeGreaterThan(1e-3);
  });

  it('names the valid range for a layer outside it', async () => {
    for (const bad of [4, -1, 1.5]) {
      await expect(rt.prefill([{ ids: [1, 5] }], { attnLayer: bad })).rejects.toMatchObject({
        code: 'bad-request',
        message: `Attention layer ${bad} is out of range: this model's decoder layers are 0..3.`,
      });
    }
  });
});

describe('bundles without decoder-attention.onnx', () => {
  it('refuses inspection at open, saying to recompile with this version', async () => {
    await expect(openModelRuntime(oldBundle, { device: 'cpu', threads: 1, inspect: true })).rejects.toMatchObject({
      code: 'invalid-bundle',
      message: expect.stringMatching(/has no decoder-attention\.onnx/),
      hint: expect.stringMatching(/Recompile the bundle with this version/),
    });
  });

  it('still run on decoder.onnx, with the same logits, and refuse attnLayer there', async () => {
    const old = await openModelRuntime(oldBundle, { device: 'cpu', threads: 1 });
    try {
      expect([old.decoderGraph, old.canInspect]).toEqual([join(oldBundle, 'decoder.onnx'), false]);
      const stream = [{ ids: g.inputIds, images: image }];
      const a = await old.prefill(stream, { logits: 'all' });
      const b = await rt.prefill(stream, { logits: 'all' });
      expect(maxAbsDiff(a.logits, b.logits)).toBeLessThan(1e-6);
      expect(maxAbsDiff(a.attnLast, b.attnLast)).toBeLessThan(1e-6);
      const stepA = await old.step([7], a.cache);
      const stepB = await rt.step([7], b.cache);
      expect(maxAbsDiff(stepA.logits, stepB.logits)).toBeLessThan(1e-6);
      await expect(old.prefill(stream, { attnLayer: 0 })).rejects.toMatchObject({ code: 'invalid-bundle', hint: expect.stringMatching(/this version/) });
    } finally {
      await old.dispose();
    }
  });

  it('refuse inspection when decoder-attention.onnx has no attn_layer input', async () => {
    const broken = join(compiled.root, 'broken-bundle');
    await cp(compiled.bundle, broken, { recursive: true });
    await cp(join(broken, 'decoder.onnx'), join(broken, 'decoder-attention.onnx'));
    await expect(openModelRuntime(broken, { device: 'cpu', threads: 1, inspect: true })).rejects.toMatchObject({
      code: 'invalid-bundle',
      message: `${join(broken, 'decoder-attention.onnx')}: has no attn_layer input, so it cannot return a layer's whole attention.`,
    });
  });
});
