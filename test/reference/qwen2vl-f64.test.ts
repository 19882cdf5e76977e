/**
 * qwen2vl-f64 against transformers 4.45.1 on the qwen2vl_tiny golden fixture: the proof that the
 * float64 reference computes Qwen2-VL, before tiny variants are checked against it
 * (test/reference/qwen2vl-variants.test.ts).
 *
 * Measured (float64 reference vs HF float32, i.e. HF's own float32 rounding): rotary angles 6.7e-10
 * (float32 storage of the angles), patch embedding 2.9e-6, block outputs 3.5e-6, image_embeds
 * 1.8e-6, logits 4.2e-6, hidden states 6.5e-6, attentions 5.7e-7, no-cache step logits 2.0e-6;
 * positions and rope deltas exact, greedy ids identical. Bounds: FIXTURES.md's 1e-4 (values) and
 * 1e-5 (attention probabilities), 15x or more above the noise.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SafetensorsFile } from '../../src/engine/checkpoint/safetensors.ts';
import { loadQwenF64, qwenForward, qwenGreedy, type QwenF64, type QwenOutput } from './qwen2vl-f64.ts';

const fixture = join(import.meta.dirname, '../fixtures/hf-golden/qwen2vl_tiny');
const grids = [{ t: 1, h: 4, w: 4 }];
const L = 16;
const V = 300;

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
  return d;
}

let m: QwenF64;
let T: SafetensorsFile;
let ids: number[];
let pixels: Float64Array;
let out: QwenOutput;

beforeAll(async () => {
  m = await loadQwenF64(join(fixture, 'checkpoint'));
  T = await SafetensorsFile.open(join(fixture, 'golden.safetensors'));
  ids = Array.from(await T.readInt64('input_ids'), Number);
  pixels = Float64Array.from(await T.readFloat32('pixel_values'));
  out = qwenForward(m, ids, pixels, grids);
});
afterAll(() => T?.close());

describe('qwen2vl-f64 reproduces the qwen2vl_tiny goldens (transformers 4.45.1)', () => {
  it('vision tower: rotary angles, patch embedding, every block, image_embeds', async () => {
    const v = out.vision!;
    expect(maxAbsDiff(v.rotary.data, await T.readFloat32('vision.rotary_pos_emb'))).toBeLessThan(1e-6);
    expect(maxAbsDiff(v.patchEmbed.data, await T.readFloat32('vision.patch_embed_out'))).toBeLessThan(1e-4);
    for (let b = 0; b < 2; b++) expect(maxAbsDiff(v.blockOut[b].data, await T.readFloat32(`vision.block_out.${b}`)), `block ${b}`).toBeLessThan(1e-4);
    expect(maxAbsDiff(v.imageEmbeds.data, await T.readFloat32('image_embeds'))).toBeLessThan(1e-4);
  });

  it('get_rope_index positions and rope_deltas exactly', async () => {
    const pos = Array.from(await T.readInt64('position_ids'), Number);
    expect(out.positions.axes.flat()).toEqual(pos);
    expect(out.ropeDelta).toBe(Number((await T.readInt64('rope_deltas'))[0]));
  });

  it('logits, hidden states and attentions of every layer (M-RoPE, q/k/v biases, GQA)', async () => {
    expect(maxAbsDiff(out.logits.data, await T.readFloat32('logits'))).toBeLessThan(1e-4);
    for (let i = 0; i < 5; i++)
      expect(maxAbsDiff(out.hiddenStates[i].data, await T.readFloat32(`hidden_states.${i}`)), `hidden_states.${i}`).toBeLessThan(1e-4);
    for (let i = 0; i < 4; i++) expect(maxAbsDiff(out.attentions[i], await T.readFloat32(`attentions.${i}`)), `attentions.${i}`).toBeLessThan(1e-5);
  });

  it('greedy decoding without cache: the golden ids and step logits', async () => {
    const g = qwenGreedy(m, ids, pixels, grids, 5);
    expect(g.newIds).toEqual(Array.from(await T.readInt64('generated_new_ids'), Number));
    const want = await T.readFloat32('nocache_step_logits');
    g.stepLogits.forEach((l, s) => expect(maxAbsDiff(l, want.subarray(s * V, (s + 1) * V)), `step ${s}`).toBeLessThan(1e-4));
    expect(L).toBe(ids.length);
  });
});
