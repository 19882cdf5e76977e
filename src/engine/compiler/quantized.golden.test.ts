/**
 * int8 / int4 bundles (weight-only MatMulNBits, docs/bundle-format.md "Quantised bundles") of the
 * tiny fixture checkpoints against Hugging Face transformers' float32 goldens: the error must stay
 * under the bounds measured and documented there, and the greedy ids must agree as far as measured.
 *
 * The fixtures are random networks with large weights (FIXTURES.md: matrices N(0, 1/fan_in) drawn
 * so that attention and logits are far from uniform) and hidden size 64, which is the hard case for
 * weight-only quantisation: no outlier structure, each block of 32 a Gaussian sample whose largest
 * element sets the step. int8 keeps every argmax; int4 (16 levels) moves logits by about a fifth of
 * their spread and flips the argmax where the top two are close. Bounds are ~1.5-2x the measured
 * figures (defaults, int8 activations: llava int8 rel 0.023 / max 0.118, int4 rel 0.22 / max 1.14 /
 * 18 of 26 argmaxes; qwen int8 rel 0.021 / max 0.085, int4 rel 0.26 / max 1.39 / 10 of 16;
 * float32 activations: llava int8 rel 0.016 / max 0.080),
 * far below what a wrong layout gives (rel >= 1: the logits of an unrelated network).
 */
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { at, first } from '../../../test/support/index-access.ts';
import { SafetensorsFile } from '../checkpoint/safetensors.ts';
import { compileBundle, type QuantizeOptions } from './compile.ts';
import { argmax, GraphHarness, maxAbsDiff } from './test-harness.ts';
import type { BundleDtype } from './weights.ts';

const fixtures = join(import.meta.dirname, '../../../test/fixtures/hf-golden');
const V = 300;
let tmp: string;

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'laser-quant-golden-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

async function weightBytes(dir: string): Promise<number> {
  let n = 0;
  for (const f of await readdir(dir)) if (f.endsWith('.onnx.data')) n += (await stat(join(dir, f))).size;
  return n;
}

interface Scores {
  maxAbs: number;
  /** ||got - want|| / ||want|| over every logit of the prompt. */
  rel: number;
  /** Positions whose argmax equals the golden's. */
  argmaxAgree: number;
  positions: number;
  /** Greedy ids (prefill + 4 cached steps) equal to the golden's, counted up to the first difference. */
  greedyPrefix: number;
  greedy: number[];
}

function score(logits: Float32Array, golden: Float32Array): Omit<Scores, 'greedyPrefix' | 'greedy'> {
  let se = 0;
  let ss = 0;
  golden.forEach((g, i) => {
    se += (at(logits, i) - g) ** 2;
    ss += g ** 2;
  });
  const positions = golden.length / V;
  let argmaxAgree = 0;
  for (let p = 0; p < positions; p++) if (argmax(logits, p * V, (p + 1) * V) === argmax(golden, p * V, (p + 1) * V)) argmaxAgree++;
  return { maxAbs: maxAbsDiff(logits, golden), rel: Math.sqrt(se / ss), argmaxAgree, positions };
}

function prefix(a: number[], b: number[]): number {
  let i = 0;
  while (i < a.length && a[i] === b[i]) i++;
  return i;
}

describe('llava15_tiny quantised bundles vs transformers 4.45.1 float32', () => {
  const fixture = join(fixtures, 'llava15_tiny');
  const L = 26;

  async function run(dtype: BundleDtype, quantize: QuantizeOptions, name: string): Promise<{ scores: Scores; h: GraphHarness; bytes: number }> {
    const dir = join(tmp, name);
    await compileBundle(join(fixture, 'checkpoint'), dir, { dtype, quantize });
    const h = await GraphHarness.open(dir);
    const golden = await SafetensorsFile.open(join(fixture, 'golden.safetensors'));
    try {
      const ids = Array.from(await golden.readInt64('input_ids'), Number);
      const features = await h.imageFeatures(await golden.readFloat32('pixel_values'), 1);
      let out = await h.decode(await h.embeds([ids], features), 1, L);
      const s = score(out.logits, await golden.readFloat32('logits'));
      const greedy: number[] = [];
      for (let k = 0; k < 5; k++) {
        const S = out.logits.length / V;
        const next = argmax(out.logits, (S - 1) * V, S * V);
        greedy.push(next);
        if (k < 4) out = await h.decode(await h.embeds([[next]]), 1, 1, { past: out.present });
      }
      const want = Array.from(await golden.readInt64('generated_new_ids'), Number);
      return { scores: { ...s, greedy, greedyPrefix: prefix(greedy, want) }, h, bytes: await weightBytes(dir) };
    } finally {
      await golden.close();
    }
  }

  it('int8 (defaults: block 32, symmetric, int8 activations): logits within 0.25 (rel 0.045), every argmax and the greedy ids as HF', async () => {
    const { scores, h, bytes } = await run('int8', {}, 'int8');
    try {
      expect(scores.maxAbs).toBeLessThan(0.25);
      expect(scores.rel).toBeLessThan(0.045);
      expect(scores.argmaxAgree).toBe(L);
      expect(scores.greedyPrefix).toBe(5);
      // decoder Linear layers, lm_head and embed_tokens quantised; the vision tower stays float32
      const m = h.manifest;
      expect(m.dtype).toBe('int8');
      expect(m.quantization).toMatchObject({
        method: 'MatMulNBits',
        bits: 8,
        blockSize: 32,
        symmetric: true,
        accuracyLevel: 4,
        lmHead: true,
        embeddings: true,
        vision: false,
      });
      const t = m.quantization!.tensors;
      expect(t).toContain('language_model.lm_head.weight');
      expect(t).toContain('language_model.model.embed_tokens.weight');
      expect(t).toContain('language_model.model.layers.3.mlp.down_proj.weight');
      expect(t.filter((n) => n.includes('.layers.')).length).toBe(4 * 7);
      expect(t.some((n) => n.startsWith('vision_tower') || n.startsWith('multi_modal_projector'))).toBe(false);
      expect(bytes).toBeLessThan(0.45 * 882816); // fp32 bundle: 882816 bytes of weights
    } finally {
      await h.release();
    }
  });

  it('int8 with float32 activations (accuracy level 0): logits within 0.15 (rel 0.03)', async () => {
    const { scores, h } = await run('int8', { accuracyLevel: 0 }, 'int8-acc0');
    try {
      expect(scores.maxAbs).toBeLessThan(0.15);
      expect(scores.rel).toBeLessThan(0.03);
      expect(scores.argmaxAgree).toBe(L);
      expect(scores.greedyPrefix).toBe(5);
    } finally {
      await h.release();
    }
  });

  it('int8 asymmetric, block 128 (one block per row here), embeddings float: within the default bounds', async () => {
    const { scores, h } = await run('int8', { blockSize: 128, symmetric: false, embeddings: false }, 'int8-b128');
    try {
      expect(scores.rel).toBeLessThan(0.045);
      expect(scores.argmaxAgree).toBe(L);
      expect(scores.greedyPrefix).toBe(5);
      expect(h.manifest.quantization).toMatchObject({ blockSize: 128, symmetric: false, embeddings: false });
      expect(h.manifest.quantization!.tensors).not.toContain('language_model.model.embed_tokens.weight');
    } finally {
      await h.release();
    }
  });

  it('int4 (block 32, symmetric): logits rel error under 0.35 and at least 14 of 26 argmaxes as HF', async () => {
    const { scores, h, bytes } = await run('int4', {}, 'int4');
    try {
      expect(scores.rel).toBeLessThan(0.35);
      expect(scores.maxAbs).toBeLessThan(2);
      expect(scores.argmaxAgree).toBeGreaterThanOrEqual(14);
      expect(h.manifest.quantization).toMatchObject({ bits: 4, blockSize: 32 });
      expect(bytes).toBeLessThan(0.33 * 882816);
    } finally {
      await h.release();
    }
  });

  it('int4 with the vision tower quantised too: its Linear layers join the list, error stays bounded', async () => {
    const { scores, h } = await run('int4', { vision: true }, 'int4-vision');
    try {
      expect(scores.rel).toBeLessThan(0.4);
      expect(h.manifest.quantization!.tensors).toContain('vision_tower.vision_model.encoder.layers.0.mlp.fc1.weight');
      expect(h.manifest.quantization!.tensors).toContain('multi_modal_projector.linear_2.weight');
    } finally {
      await h.release();
    }
  });
});

describe('qwen2vl_tiny quantised bundles vs transformers 4.45.1 float32', () => {
  const fixture = join(fixtures, 'qwen2vl_tiny');
  const L = 16;

  async function run(dtype: BundleDtype, quantize: QuantizeOptions, name: string): Promise<Scores> {
    const dir = join(tmp, `qwen-${name}`);
    await compileBundle(join(fixture, 'checkpoint'), dir, { dtype, quantize });
    const h = await GraphHarness.open(dir);
    const golden = await SafetensorsFile.open(join(fixture, 'golden.safetensors'));
    try {
      const ids = Array.from(await golden.readInt64('input_ids'), Number);
      const pos = Array.from(await golden.readInt64('position_ids'), Number); // [3, 1, L]
      const mrope = [0, 1, 2].map((a) => [pos.slice(a * L, (a + 1) * L)]);
      // the 4x4 patch grid in the processor's order: 2x2 merge windows, row-major inside
      const hw: number[] = [];
      for (let wr = 0; wr < 2; wr++) for (let wc = 0; wc < 2; wc++) for (let r = 0; r < 2; r++) for (let c = 0; c < 2; c++) hw.push(wr * 2 + r, wc * 2 + c);
      const embeds = await h.runVision({
        pixel_values: new ort.Tensor('float32', await golden.readFloat32('pixel_values'), [16, 1176]),
        patch_hw: new ort.Tensor('int64', BigInt64Array.from(hw, BigInt), [16, 2]),
        frame_segment: new ort.Tensor('int64', new BigInt64Array(16), [16]),
      });
      let out = await h.decode(await h.embeds([ids], embeds.data as Float32Array), 1, L, { mrope });
      const s = score(out.logits, await golden.readFloat32('logits'));
      const delta = Number(first(await golden.readInt64('rope_deltas')));
      const greedy: number[] = [];
      for (let k = 0; k < 5; k++) {
        const S = out.logits.length / V;
        const next = argmax(out.logits, (S - 1) * V, S * V);
        greedy.push(next);
        const p = L + k + delta;
        if (k < 4) out = await h.decode(await h.embeds([[next]]), 1, 1, { past: out.present, mrope: [[[p]], [[p]], [[p]]] });
      }
      const want = Array.from(await golden.readInt64('generated_new_ids'), Number);
      return { ...s, greedy, greedyPrefix: prefix(greedy, want) };
    } finally {
      await golden.close();
      await h.release();
    }
  }

  it('int8 (defaults): logits within 0.25 (rel 0.045), every argmax and the greedy ids as HF', async () => {
    const s = await run('int8', {}, 'int8');
    expect(s.maxAbs).toBeLessThan(0.25);
    expect(s.rel).toBeLessThan(0.045);
    expect(s.argmaxAgree).toBe(L);
    expect(s.greedyPrefix).toBe(5);
  });

  it('int4 (block 32): logits rel error under 0.35 and at least 8 of 16 argmaxes as HF', async () => {
    const s = await run('int4', {}, 'int4');
    expect(s.rel).toBeLessThan(0.35);
    expect(s.maxAbs).toBeLessThan(2.5);
    expect(s.argmaxAgree).toBeGreaterThanOrEqual(8);
  });

  it('int4 with the vision tower quantised (block-diagonal vision blocks and merger as MatMulNBits)', async () => {
    const s = await run('int4', { vision: true }, 'int4-vision');
    expect(s.rel).toBeLessThan(0.4);
  });
});
