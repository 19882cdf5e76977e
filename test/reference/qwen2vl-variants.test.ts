/**
 * Tiny Qwen2-VL / Qwen2.5-VL variants beyond the golden fixture: random seeded checkpoints
 * (test/support/checkpoints.ts writeTinyQwenCheckpoint) compiled with the real compiler, run with the
 * real runtime (encodePatches, prefill with M-RoPE, KV-cache steps), against the float64 reference
 * (qwen2vl-f64.ts, itself proven on qwen2vl_tiny in qwen2vl-f64.test.ts).
 *
 * Prompts: text before, between and after two images of different, non-square sizes. Qwen2.5-VL
 * grids are chosen so that windows need padding (3x5 merged tokens in 2x2 windows) and so that a
 * grid already a multiple of the window side gets HF's extra, empty, padded windows (4x2).
 *
 * Measured max abs errors, float32 ONNX Runtime (CPU, 1 thread) vs float64, and the runtime's
 * KV-cache step logits vs its own no-cache prefill of the grown prompt:
 *   variant               image_embeds  logits   attn_last  step logits (cache)  cache vs no cache  greedy ids (6)
 *   qwen2_vl, 2 images    1.4e-6        4.2e-6   2.4e-7     1.8e-6               1.5e-6             identical
 *   qwen2_vl, tied        1.0e-6        2.2e-5   1.7e-7     1.3e-5               1.1e-5             identical
 *   qwen2_5_vl, windows   1.5e-6        4.1e-6   1.6e-7     1.7e-6               1.7e-6             identical
 * The tied head is the std-1 embedding table, so its logits reach |46| instead of |4|: the same
 * ~5e-7 relative error. A window side one unit too large in the runtime's layout moves the
 * Qwen2.5-VL image_embeds by 1.7 (checked by hand), so the windows are exercised.
 * Bounds: FIXTURES.md's 1e-4 (values) and 1e-5 (attention probabilities).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileBundle } from '../../src/engine/compiler/compile.ts';
import { argmax } from '../../src/engine/runtime/generate.ts';
import type { ModelRuntime } from '../../src/engine/runtime/model-runtime.ts';
import { openModelRuntime } from '../../src/engine/runtime/open.ts';
import { gaussian, tinyQwen, writeTinyQwenCheckpoint, type TinyQwenVariant } from '../support/checkpoints.ts';
import { loadQwenF64, qwenForward, qwenGreedy, visionTower, type Grid, type QwenF64 } from './qwen2vl-f64.ts';

const ROW = 3 * 2 * 14 * 14;
const V = tinyQwen.vocab;
const STEPS = 6;

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
  return d;
}

/** Token ids of text runs and images: an image is <|vision_start|>, one pad per merged token, <|vision_end|>. */
function prompt(parts: (number[] | Grid)[]): { ids: number[]; grids: Grid[] } {
  const ids: number[] = [];
  const grids: Grid[] = [];
  for (const p of parts) {
    if (Array.isArray(p)) ids.push(...p);
    else {
      grids.push(p);
      ids.push(tinyQwen.visionStart, ...new Array<number>((p.t * p.h * p.w) / 4).fill(tinyQwen.imageToken), tinyQwen.visionEnd);
    }
  }
  return { ids, grids };
}

function pixelRows(grids: readonly Grid[], seed: number): Float32Array {
  const rng = gaussian(seed);
  const n = grids.reduce((s, g) => s + g.t * g.h * g.w, 0);
  return Float32Array.from({ length: n * ROW }, rng);
}

interface Errors {
  imageEmbeds: number;
  logits: number;
  attnLast: number;
  stepLogits: number;
  /** Runtime KV-cache steps vs the runtime's own no-cache prefill of the grown prompt. */
  cacheVsNoCache: number;
  ids: { runtime: number[]; reference: number[] };
}

/** Everything the runtime computes on one prompt, against the reference. */
async function measure(rt: ModelRuntime, ref: QwenF64, ids: number[], grids: Grid[], pixels: Float32Array): Promise<Errors> {
  const f64 = qwenForward(ref, ids, Float64Array.from(pixels), grids);
  const images = await rt.encodePatches(pixels, grids);
  expect(images.perImage).toEqual(grids.map((g) => (g.t * g.h * g.w) / 4));
  const S = ids.length;
  const out = await rt.prefill([{ ids, images }], { logits: 'all' });
  const { layers, heads } = rt.dims;
  let attnLast = 0;
  for (let l = 0; l < layers; l++) {
    for (let h = 0; h < heads; h++) {
      const want = f64.attentions[l].subarray((h * S + S - 1) * S, (h * S + S) * S);
      attnLast = Math.max(attnLast, maxAbsDiff(out.attnLast.subarray((l * heads + h) * S, (l * heads + h + 1) * S), want));
    }
  }
  const greedy = qwenGreedy(ref, ids, Float64Array.from(pixels), grids, STEPS);
  const got: number[] = [];
  let last = out.logits.subarray((S - 1) * V, S * V);
  let cache = out.cache;
  let stepLogits = 0;
  const cached: Float32Array[] = [];
  for (let k = 0; k < STEPS; k++) {
    stepLogits = Math.max(stepLogits, maxAbsDiff(last, greedy.stepLogits[k]));
    cached.push(last.slice());
    got.push(argmax(last));
    if (k + 1 < STEPS) {
      const next = await rt.step([got[k]], cache);
      last = next.logits;
      cache = next.cache;
    }
  }
  const grown = await rt.prefill([{ ids: [...ids, ...got.slice(0, -1)], images }], { logits: 'all' });
  let cacheVsNoCache = 0;
  for (let k = 0; k < STEPS; k++) cacheVsNoCache = Math.max(cacheVsNoCache, maxAbsDiff(cached[k], grown.logits.subarray((S - 1 + k) * V, (S + k) * V)));
  return {
    imageEmbeds: maxAbsDiff(images.data, f64.vision!.imageEmbeds.data),
    logits: maxAbsDiff(out.logits, f64.logits.data),
    attnLast,
    stepLogits,
    cacheVsNoCache,
    ids: { runtime: got, reference: greedy.newIds },
  };
}

function expectWithin(e: Errors): void {
  expect(e.imageEmbeds).toBeLessThan(1e-4);
  expect(e.logits).toBeLessThan(1e-4);
  expect(e.attnLast).toBeLessThan(1e-5);
  expect(e.stepLogits).toBeLessThan(1e-4);
  expect(e.cacheVsNoCache).toBeLessThan(1e-4);
  expect(e.ids.runtime).toEqual(e.ids.reference);
}

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'laser-qwen-variants-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

async function setup(name: string, variant: TinyQwenVariant): Promise<{ rt: ModelRuntime; ref: QwenF64 }> {
  const ck = join(tmp, name, 'checkpoint');
  await writeTinyQwenCheckpoint(ck, variant);
  await compileBundle(ck, join(tmp, name, 'bundle'));
  return { rt: await openModelRuntime(join(tmp, name, 'bundle'), { device: 'cpu', threads: 1 }), ref: await loadQwenF64(ck) };
}

// Two images of different, non-square sizes, with text before, between and after them.
const twoImages = prompt([[5, 17, 42], { t: 1, h: 4, w: 6 }, [77, 8], { t: 1, h: 8, w: 4 }, [123, 9, 250]]);

describe('tiny Qwen2-VL (untied) through compiler and runtime vs the float64 reference', () => {
  let rt: ModelRuntime;
  let ref: QwenF64;
  beforeAll(async () => ({ rt, ref } = await setup('qwen2vl', {})), 60_000);
  afterAll(() => rt?.dispose());

  it('two non-square images of different sizes between text runs: embeds, logits, attention, KV-cache greedy', async () => {
    const e = await measure(rt, ref, twoImages.ids, twoImages.grids, pixelRows(twoImages.grids, 11));
    expectWithin(e);
  });

  it('encodes each image as if alone (block-diagonal vision attention)', async () => {
    const px = pixelRows(twoImages.grids, 11);
    const both = await rt.encodePatches(px, twoImages.grids);
    const first = await rt.encodePatches(px.subarray(0, 24 * ROW), [twoImages.grids[0]]);
    const second = await rt.encodePatches(px.subarray(24 * ROW), [twoImages.grids[1]]);
    expect(maxAbsDiff(both.data, [...first.data, ...second.data])).toBeLessThan(1e-5);
  });
});

describe('tiny Qwen2-VL with tied embeddings (no lm_head.weight)', () => {
  let rt: ModelRuntime;
  let ref: QwenF64;
  beforeAll(async () => ({ rt, ref } = await setup('tied', { tied: true, seed: 99 })), 60_000);
  afterAll(() => rt?.dispose());

  it('logits and greedy decoding through embed_tokens as the head', async () => {
    const p = prompt([[30, 31], { t: 1, h: 6, w: 4 }, [32, 33, 34, 35]]);
    const e = await measure(rt, ref, p.ids, p.grids, pixelRows(p.grids, 5));
    expectWithin(e);
  });
});

describe('tiny Qwen2.5-VL (window attention, fullatt_block_indexes, gated MLP, RMSNorm)', () => {
  let rt: ModelRuntime;
  let ref: QwenF64;
  // 3x5 merged tokens: 2x2 windows padded to 4x6; 4x2 merged tokens: a multiple of the side, so HF pads an empty window row and column.
  const p = prompt([[5, 6], { t: 1, h: 6, w: 10 }, [7], { t: 1, h: 8, w: 4 }, [8, 9, 10]]);
  beforeAll(async () => ({ rt, ref } = await setup('qwen25', { modelType: 'qwen2_5_vl', windowSize: 56, fullAttentionBlocks: [1] })), 60_000);
  afterAll(() => rt?.dispose());

  it('windows that need padding: embeds, logits, attention, KV-cache greedy', async () => {
    const e = await measure(rt, ref, p.ids, p.grids, pixelRows(p.grids, 21));
    expectWithin(e);
  });

  it('the windows matter: without them the reference moves far outside the tolerance', () => {
    const px = Float64Array.from(pixelRows(p.grids, 21));
    const v = ref.config.visionConfig;
    const windowed = visionTower(ref, px, p.grids).imageEmbeds.data;
    const whole = visionTower(
      { ...ref, config: { ...ref.config, visionConfig: { ...v, window: { size: 100_000, fullAttentionBlocks: v.window!.fullAttentionBlocks } } } },
      px,
      p.grids,
    ).imageEmbeds.data;
    expect(maxAbsDiff(windowed, whole)).toBeGreaterThan(1e-2);
  });
});
