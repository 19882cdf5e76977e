/**
 * The compiled llava15_tiny bundle against Hugging Face transformers 4.45.1 (float32, eager) on the
 * golden inputs (test/fixtures/hf-golden, FIXTURES.md §2). Tolerances are FIXTURES.md §6's: the
 * reference's own cache/no-cache noise is 1.4e-6 on logits of |x| <= 4, and ORT's float32 kernels
 * reorder sums differently from torch's, so logits and features get 1e-4 (expected ~1e-6..1e-5),
 * and probabilities in [0, 1] get 1e-5.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SafetensorsFile } from '../../checkpoint/safetensors.ts';
import { compileBundle } from '../../compiler/compile.ts';
import { argmax, GraphHarness, lastRowAttentionError, maxAbsDiff } from '../../compiler/test-harness.ts';
import { at } from '../../../../test/support/index-access.ts';

const fixture = join(import.meta.dirname, '../../../../test/fixtures/hf-golden/llava15_tiny');
let tmp: string;
let golden: SafetensorsFile;
let h: GraphHarness;
let ids: number[];
const L = 26;
const V = 300;
const D = 64;

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'laser-golden-'));
  await compileBundle(join(fixture, 'checkpoint'), join(tmp, 'bundle'));
  h = await GraphHarness.open(join(tmp, 'bundle'));
  golden = await SafetensorsFile.open(join(fixture, 'golden.safetensors'));
  ids = Array.from(await golden.readInt64('input_ids'), Number);
});

afterAll(async () => {
  await h?.release();
  await golden?.close();
  await rm(tmp, { recursive: true, force: true });
});

describe('llava15_tiny bundle vs transformers 4.45.1', () => {
  it('reproduces image_features from pixel_values (CLIP layer -2, CLS dropped, GELU projector)', async () => {
    const f = await h.imageFeatures(await golden.readFloat32('pixel_values'), 1);
    expect(f.length).toBe(16 * D);
    expect(maxAbsDiff(f, await golden.readFloat32('image_features'))).toBeLessThan(1e-4);
  });

  it('embeds text rows exactly and places the features like masked_scatter (hidden_states.0)', async () => {
    const e = await h.embeds([ids], await golden.readFloat32('image_features'));
    expect(maxAbsDiff(e, await golden.readFloat32('hidden_states.0'))).toBe(0);
  });

  it('reproduces the logits of every prompt position and the last-row attention of every layer', async () => {
    const e = await h.embeds([ids], await golden.readFloat32('image_features'));
    const out = await h.decode(e, 1, L);
    expect(maxAbsDiff(out.logits, await golden.readFloat32('logits'))).toBeLessThan(1e-4);
    // attn_last[0, l, h, :] = attentions.l[0, h, L-1, :], every layer and head
    const attentions = await Promise.all([0, 1, 2, 3].map((l) => golden.readFloat32(`attentions.${l}`)));
    expect(lastRowAttentionError(out.attnLast, attentions, 4, L)).toBeLessThan(1e-5);
  });

  it('decodes greedily with the KV cache (prefill + 4 single-token steps) to generated_new_ids', async () => {
    const want = Array.from(await golden.readInt64('generated_new_ids'), Number);
    const stepLogits = await golden.readFloat32('generate_step_logits'); // [5, 1, V]
    let out = await h.decode(await h.embeds([ids], await golden.readFloat32('image_features')), 1, L);
    const got: number[] = [];
    for (let k = 0; k < 5; k++) {
      const S = out.logits.length / V;
      const last = out.logits.subarray((S - 1) * V, S * V);
      expect(maxAbsDiff(last, stepLogits.subarray(k * V, (k + 1) * V))).toBeLessThan(1e-4);
      got.push(argmax(last));
      if (k < 4) {
        out = await h.decode(await h.embeds([[at(got, k)]]), 1, 1, { past: out.present });
        // the cache grew by one position per step
        expect(at(at(out.present, 0), 0).dims).toEqual([1, 2, L + k + 1, 16]);
      }
    }
    expect(got).toEqual(want);
  });
});
