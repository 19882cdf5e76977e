/**
 * The compiled qwen2vl_tiny bundle against Hugging Face transformers 4.45.1 (float32, eager) on the
 * golden inputs (test/fixtures/hf-golden/qwen2vl_tiny, FIXTURES.md §2.5 and §3). Tolerances are
 * FIXTURES.md §6's: 1e-4 on logits, vision tensors and image embeddings (ORT's float32 kernels sum
 * in another order than torch's; the reference's own cache/no-cache noise is 1.7e-6), 1e-5 on
 * attention probabilities; ids and positions exact.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SafetensorsFile } from '../../checkpoint/safetensors.ts';
import { compileBundle } from '../../compiler/compile.ts';
import { argmax, GraphHarness, lastRowAttentionError, maxAbsDiff } from '../../compiler/test-harness.ts';
import { at } from '../../../../test/support/index-access.ts';

const fixture = join(import.meta.dirname, '../../../../test/fixtures/hf-golden/qwen2vl_tiny');
let tmp: string;
let golden: SafetensorsFile;
let h: GraphHarness;
let ids: number[];
let positions: number[][][];
const L = 16;
const V = 300;
const D = 64;

/** Rows of a 4x4 grid in the processor's order (2x2 merge windows, then row-major inside): (row, col). */
function patchOrder(gh: number, gw: number): [number, number][] {
  const out: [number, number][] = [];
  for (let wr = 0; wr < gh / 2; wr++)
    for (let wc = 0; wc < gw / 2; wc++) for (let r = 0; r < 2; r++) for (let c = 0; c < 2; c++) out.push([wr * 2 + r, wc * 2 + c]);
  return out;
}

async function imageEmbeds(): Promise<Float32Array> {
  const hw = patchOrder(4, 4);
  const out = await h.runVision({
    pixel_values: new ort.Tensor('float32', await golden.readFloat32('pixel_values'), [16, 1176]),
    patch_hw: new ort.Tensor('int64', BigInt64Array.from(hw.flat(), BigInt), [16, 2]),
    frame_segment: new ort.Tensor('int64', new BigInt64Array(16), [16]),
  });
  return out.data as Float32Array;
}

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'laser-qwen-golden-'));
  await compileBundle(join(fixture, 'checkpoint'), join(tmp, 'bundle'));
  h = await GraphHarness.open(join(tmp, 'bundle'));
  golden = await SafetensorsFile.open(join(fixture, 'golden.safetensors'));
  ids = Array.from(await golden.readInt64('input_ids'), Number);
  const pos = Array.from(await golden.readInt64('position_ids'), Number); // [3, 1, L]
  positions = [0, 1, 2].map((a) => [pos.slice(a * L, (a + 1) * L)]);
});

afterAll(async () => {
  await h?.release();
  await golden?.close();
  await rm(tmp, { recursive: true, force: true });
});

describe('qwen2vl_tiny bundle vs transformers 4.45.1', () => {
  it('records the qwen2-vl architecture with M-RoPE sections and the vision tower in the manifest', () => {
    const m = h.manifest;
    expect(m.architecture).toBe('qwen2-vl');
    if (m.architecture !== 'qwen2-vl') return;
    expect(m.formatVersion).toBe(2);
    expect(m.text.mropeSection).toEqual([2, 3, 3]);
    expect(m.vision).toMatchObject({
      modelType: 'qwen2_vl',
      depth: 2,
      embedDim: 32,
      heads: 4,
      patchSize: 14,
      mergeSize: 2,
      temporalPatchSize: 2,
      patchRow: 1176,
      window: null,
    });
    expect([m.imageTokenId, m.visionStartTokenId, m.visionEndTokenId]).toEqual([292, 290, 291]);
  });

  it('reproduces image_embeds (patch embed, 2-D rotary, vision blocks, patch merger) from pixel_values', async () => {
    const e = await imageEmbeds();
    expect(e.length).toBe(4 * D);
    const err = maxAbsDiff(e, await golden.readFloat32('image_embeds'));
    expect(err).toBeLessThan(1e-4);
  });

  it('embeds text rows exactly and places the image embeddings in the image-pad rows (hidden_states.0)', async () => {
    const e = await h.embeds([ids], await golden.readFloat32('image_embeds'));
    expect(maxAbsDiff(e, await golden.readFloat32('hidden_states.0'))).toBe(0);
  });

  it('reproduces the logits of every position and the last-row attention of every layer with M-RoPE positions', async () => {
    const e = await h.embeds([ids], await golden.readFloat32('image_embeds'));
    const out = await h.decode(e, 1, L, { mrope: positions });
    const err = maxAbsDiff(out.logits, await golden.readFloat32('logits'));
    expect(err).toBeLessThan(1e-4);
    // attn_last[0, l, h, :] = attentions.l[0, h, L-1, :], every layer and head
    const attentions = await Promise.all([0, 1, 2, 3].map((l) => golden.readFloat32(`attentions.${l}`)));
    expect(lastRowAttentionError(out.attnLast, attentions, 4, L)).toBeLessThan(1e-5);
  });

  it('decodes greedily with the KV cache at positions cache index + rope_deltas to generated_new_ids', async () => {
    const want = Array.from(await golden.readInt64('generated_new_ids'), Number);
    const stepLogits = await golden.readFloat32('generate_step_logits');
    const delta = Number((await golden.readInt64('rope_deltas'))[0]);
    let out = await h.decode(await h.embeds([ids], await golden.readFloat32('image_embeds')), 1, L, { mrope: positions });
    const got: number[] = [];
    for (let k = 0; k < 5; k++) {
      const S = out.logits.length / V;
      const last = out.logits.subarray((S - 1) * V, S * V);
      expect(maxAbsDiff(last, stepLogits.subarray(k * V, (k + 1) * V))).toBeLessThan(1e-4);
      got.push(argmax(last));
      if (k < 4) {
        const p = L + k + delta;
        out = await h.decode(await h.embeds([[at(got, k)]]), 1, 1, { past: out.present, mrope: [[[p]], [[p]], [[p]]] });
      }
    }
    expect(got).toEqual(want);
  });
});
