/**
 * Compiled bundles of tiny seeded LLaVA checkpoints in every configuration the compiler handles,
 * against the independent float64 reference (test/reference/llava-f64.ts).
 *
 * Tolerances: the reference is float64, so differences measure our float32 rounding: ~1e-7 relative
 * per op over a few dozen ops on logits |x| <= 5 (measured on the golden fixture: 3e-6). logits and
 * features get 1e-4 and attention probabilities 1e-5 (FIXTURES.md §6), 30x above that noise and far
 * below what a real bug does (a wrong rope, head mapping, mask or norm moves logits by 1e-1).
 * Cache vs no-cache within our own graphs: only the summation order of a few dot products differs,
 * so 1e-5 on logits and 1e-6 on probabilities.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gaussian, tiny, writeTinyLlavaCheckpoint, type TinyLlavaVariant } from '../../../../test/support/checkpoints.ts';
import { llavaForward, loadLlavaF64, type LlavaOutput } from '../../../../test/reference/llava-f64.ts';
import { compileBundle } from '../../compiler/compile.ts';
import { argmax, GraphHarness, maxAbsDiff } from '../../compiler/test-harness.ts';
import type { BundleDtype } from '../../compiler/weights.ts';
import { at } from '../../../../test/support/index-access.ts';

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'laser-variants-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

const V = tiny.vocab;
const L = tiny.textLayers;
const H = tiny.heads;

/** BOS, text, then each image's run of image tokens, with `between` text tokens after each image. */
function prompt(seed: number, images: number, tokensPerImage: number, lead: number, between: number): number[] {
  const rng = gaussian(seed);
  const text = () => 3 + (Math.floor(Math.abs(rng() * 1000)) % 287);
  const ids = [1];
  for (let i = 0; i < lead; i++) ids.push(text());
  for (let k = 0; k < images; k++) {
    for (let i = 0; i < tokensPerImage; i++) ids.push(tiny.imageToken);
    for (let i = 0; i < between; i++) ids.push(text());
  }
  return ids;
}

interface Compiled {
  h: GraphHarness;
  ids: number[];
  pixels: Float32Array;
  images: number;
  ref: LlavaOutput;
}

let counter = 0;
async function compileVariant(
  variant: TinyLlavaVariant,
  opts: { images?: number; lead?: number; between?: number; dtype?: BundleDtype } = {},
): Promise<Compiled> {
  const dir = join(tmp, `v${counter++}`);
  await writeTinyLlavaCheckpoint(join(dir, 'ckpt'), variant);
  await compileBundle(join(dir, 'ckpt'), join(dir, 'bundle'), { dtype: opts.dtype });
  const h = await GraphHarness.open(join(dir, 'bundle'));
  const m = h.manifest;
  if (m.architecture !== 'llava') throw new Error('expected a llava bundle');
  const images = opts.images ?? 1;
  const S = m.vision.imageSize;
  const rng = gaussian(99);
  const pixels = Float32Array.from({ length: images * 3 * S * S }, () => rng());
  const ids = prompt(7, images, m.vision.tokensPerImage, opts.lead ?? 3, opts.between ?? 6);
  const ref = llavaForward(await loadLlavaF64(join(dir, 'ckpt')), ids, Float64Array.from(pixels), images);
  return { h, ids, pixels, images, ref };
}

/** Our full forward (no cache) over the prompt. */
async function forward(c: Compiled) {
  const features = await c.h.imageFeatures(c.pixels, c.images);
  const out = await c.h.decode(await c.h.embeds([c.ids], features), 1, c.ids.length);
  return { features, ...out };
}

/** Reference attention of query `q` in layer l, head h, over keys 0..q: [q + 1]. */
function refAttnRow(ref: LlavaOutput, S: number, l: number, head: number, q: number): Float64Array {
  return at(ref.attentions, l).subarray((head * S + q) * S, (head * S + q) * S + q + 1);
}

/** max |attn_last - reference last row| over layers and heads. */
function attnLastDiff(attnLast: Float32Array, ref: LlavaOutput, S: number): number {
  let m = 0;
  for (let l = 0; l < L; l++)
    for (let head = 0; head < H; head++)
      m = Math.max(m, maxAbsDiff(attnLast.subarray((l * H + head) * S, (l * H + head + 1) * S), refAttnRow(ref, S, l, head, S - 1)));
  return m;
}

const cases: [string, TinyLlavaVariant, { images?: number; lead?: number; between?: number }?][] = [
  ['GQA: 4 query heads over 2 KV heads', { gqa: true }],
  ['MHA: 4 KV heads', { gqa: false }],
  ["'full' strategy: CLS kept as the first token of each run", { strategy: 'full' }],
  ['vision_feature_layer -1 (last encoder output, no post_layernorm)', { visionFeatureLayer: -1 }],
  ['vision_feature_layer 0 (embeddings after pre_layrnorm, no encoder layer)', { visionFeatureLayer: 0 }],
  ['tied embeddings (no lm_head tensor)', { tied: true }],
  ['rope_scaling linear', { ropeScaling: 'linear' }],
  ['rope_scaling dynamic (prompt longer than max_position_embeddings 16)', { ropeScaling: 'dynamic' }],
  ['rope_scaling llama3 (one frequency in each band)', { ropeScaling: 'llama3' }],
  ['a 3x3 patch grid', { grid: 3 }],
  ['BF16 weights in two shards, transformers >= 4.52 layout', { dtype: 'BF16', sharded: true, layout: 'new' }],
  ['F16 weights', { dtype: 'F16', seed: 5 }],
  ['two images in one prompt', {}, { images: 2, lead: 2, between: 4 }],
  ['an image in the middle of the prompt', {}, { lead: 9, between: 7 }],
];

describe('compiled tiny LLaVA variants vs the float64 reference', () => {
  for (const [name, variant, opts] of cases) {
    it(name, async () => {
      const c = await compileVariant(variant, opts);
      try {
        const S = c.ids.length;
        const out = await forward(c);
        const refFeatures = c.ref.image.features.flatMap((f) => Array.from(f.data));
        expect(maxAbsDiff(out.features, refFeatures)).toBeLessThan(1e-4);
        expect(out.logits.length).toBe(S * V);
        expect(maxAbsDiff(out.logits, c.ref.logits.data)).toBeLessThan(1e-4);
        expect(attnLastDiff(out.attnLast, c.ref, S)).toBeLessThan(1e-5);
      } finally {
        await c.h.release();
      }
    });
  }
});

describe('KV cache', () => {
  for (const [name, variant] of [
    ['GQA', { gqa: true }],
    ['MHA', { gqa: false }],
    ['llama3 rope', { ropeScaling: 'llama3' }],
  ] as [string, TinyLlavaVariant][]) {
    it(`${name}: prefill then 4 single-token steps equals the full forward, and the reference`, async () => {
      const c = await compileVariant(variant);
      try {
        const S = c.ids.length;
        const full = await forward(c);
        const embeds = await c.h.embeds([c.ids], full.features);
        const D = c.h.manifest.text.hidden;
        const P = S - 4;
        let out = await c.h.decode(embeds.subarray(0, P * D), 1, P);
        expect(maxAbsDiff(out.logits, full.logits.subarray(0, P * V))).toBeLessThan(1e-5);
        for (let q = P; q < S; q++) {
          out = await c.h.decode(embeds.subarray(q * D, (q + 1) * D), 1, 1, { past: out.present });
          expect(maxAbsDiff(out.logits, full.logits.subarray(q * V, (q + 1) * V))).toBeLessThan(1e-5);
          expect(maxAbsDiff(out.logits, c.ref.logits.data.subarray(q * V, (q + 1) * V))).toBeLessThan(1e-4);
          // attn_last of a step is the attention row of that query: over all q + 1 keys seen so far
          for (let l = 0; l < L; l++)
            for (let head = 0; head < H; head++)
              expect(maxAbsDiff(out.attnLast.subarray((l * H + head) * (q + 1), (l * H + head + 1) * (q + 1)), refAttnRow(c.ref, S, l, head, q))).toBeLessThan(
                1e-5,
              );
        }
        expect(maxAbsDiff(out.attnLast, full.attnLast)).toBeLessThan(1e-6);
      } finally {
        await c.h.release();
      }
    });
  }

  it('a left-padded stream in a batch of two gives the logits and attention of its unpadded run', async () => {
    const c = await compileVariant({ gqa: true });
    try {
      const S = c.ids.length;
      const pad = 5;
      const features = await c.h.imageFeatures(c.pixels, 1);
      const other = Array.from({ length: S + pad }, (_, i) => 3 + ((i * 37) % 280)); // a text-only stream beside it
      const padded = [...Array<number>(pad).fill(0), ...c.ids];
      const embeds = await c.h.embeds([padded, other]);
      const real = await c.h.embeds([c.ids], features);
      embeds.set(real, pad * tiny.textHidden); // stream 0's real tokens, with the image
      // HF: position_ids = cumsum(mask) - 1 (padding positions set to 1)
      const mask = [[...Array<number>(pad).fill(0), ...Array<number>(S).fill(1)], Array<number>(S + pad).fill(1)];
      const positions = [[...Array<number>(pad).fill(1), ...c.ids.map((_, i) => i)], Array.from({ length: S + pad }, (_, i) => i)];
      const out = await c.h.decode(embeds, 2, S + pad, { mask, positions });
      const T = S + pad;
      expect(maxAbsDiff(out.logits.subarray(pad * V, T * V), c.ref.logits.data)).toBeLessThan(1e-4);
      for (let l = 0; l < L; l++) {
        for (let head = 0; head < H; head++) {
          const row = out.attnLast.subarray((l * H + head) * T, (l * H + head + 1) * T);
          expect(Array.from(row.subarray(0, pad))).toEqual(Array<number>(pad).fill(0)); // padding keys get exactly 0
          expect(maxAbsDiff(row.subarray(pad), refAttnRow(c.ref, S, l, head, S - 1))).toBeLessThan(1e-5);
        }
      }
    } finally {
      await c.h.release();
    }
  });
});

describe('decoder-attention.onnx: the whole attention of one layer', () => {
  it('returns every query row of the chosen layer, with and without a cache, and nothing for layer -1', async () => {
    const c = await compileVariant({ gqa: true });
    try {
      const S = c.ids.length;
      const full = await forward(c);
      const embeds = await c.h.embeds([c.ids], full.features);
      const D = c.h.manifest.text.hidden;
      for (const layer of [0, L - 1]) {
        const out = await c.h.decode(embeds, 1, S, { attnLayer: layer });
        expect(out.attnFull!.dims).toEqual([1, H, S, S]);
        // the same logits and taps as decoder.onnx: the same graph plus pass-through branches
        expect(maxAbsDiff(out.logits, full.logits)).toBe(0);
        expect(maxAbsDiff(out.attnLast, full.attnLast)).toBe(0);
        const a = out.attnFull!.data as Float32Array;
        for (let head = 0; head < H; head++) {
          for (let q = 0; q < S; q++) {
            const rowGot = a.subarray((head * S + q) * S, (head * S + q + 1) * S);
            expect(maxAbsDiff(rowGot.subarray(0, q + 1), refAttnRow(c.ref, S, layer, head, q))).toBeLessThan(1e-5);
            expect(maxAbsDiff(rowGot.subarray(q + 1), new Float32Array(S - q - 1))).toBe(0); // causal: exactly 0
          }
        }
      }
      // with a cache of P positions: rows for the S - P new queries over all S keys
      const P = S - 3;
      const pre = await c.h.decode(embeds.subarray(0, P * D), 1, P);
      const step = await c.h.decode(embeds.subarray(P * D), 1, S - P, { past: pre.present, attnLayer: 1 });
      expect(step.attnFull!.dims).toEqual([1, H, S - P, S]);
      const a = step.attnFull!.data as Float32Array;
      for (let head = 0; head < H; head++)
        for (let i = 0; i < S - P; i++)
          expect(maxAbsDiff(a.subarray((head * (S - P) + i) * S, (head * (S - P) + i) * S + P + i + 1), refAttnRow(c.ref, S, 1, head, P + i))).toBeLessThan(
            1e-5,
          );
      const none = await c.h.decode(embeds, 1, S, { attnLayer: -1 });
      expect(none.attnFull!.dims).toEqual([1, H, 0, S]);
    } finally {
      await c.h.release();
    }
  });
});

describe('fp16 bundle', () => {
  it('stays within half-precision tolerances of the reference and picks the same tokens where they are clear', async () => {
    // FIXTURES.md §6: ~5e-2 on logits, 5e-3 on attention for fp16; weights rounded to 11 bits
    // (relative 5e-4) through a dozen matmuls of width 64-128.
    const c = await compileVariant({ gqa: true }, { dtype: 'fp16' });
    try {
      expect(c.h.manifest.dtype).toBe('fp16');
      const S = c.ids.length;
      const out = await forward(c);
      expect(maxAbsDiff(out.logits, c.ref.logits.data)).toBeLessThan(5e-2);
      expect(attnLastDiff(out.attnLast, c.ref, S)).toBeLessThan(5e-3);
      for (let q = 0; q < S; q++) {
        const ref = c.ref.logits.data.subarray(q * V, (q + 1) * V);
        const sorted = Array.from(ref).sort((a, b) => b - a);
        if (at(sorted, 0) - at(sorted, 1) > 0.1) expect(argmax(out.logits, q * V, (q + 1) * V)).toBe(argmax(ref));
      }
    } finally {
      await c.h.release();
    }
  });
});
