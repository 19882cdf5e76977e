import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LlamaConfig } from '../../src/engine/checkpoint/hf-config.ts';
import { writeTinyLlavaCheckpoint, type TinyLlavaVariant } from '../support/checkpoints.ts';
import { openGoldenTensors, readGoldenJson, llavaTinyCheckpoint } from './golden.ts';
import { embedTokens, llamaForward } from './llama-f64.ts';
import { greedyDecode, imageFeatures, llavaForward, loadLlavaF64, mergeImageFeatures, type LlavaF64 } from './llava-f64.ts';
import { gaussian } from '../support/checkpoints.ts';
import { row } from './ops-f64.ts';
import { ropeInvFreq } from './rope-f64.ts';

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
  return d;
}

/*
 * Tolerances against the float32 goldens. The reference is float64, so the differences measure
 * transformers' own float32 rounding: about 1e-7 relative per op, accumulated over a few dozen ops
 * on values up to |4| (logits) and |8| (hidden states), i.e. a few 1e-6 (measured: logits 2.6e-6,
 * hidden states 2.9e-6, attentions 4.8e-7). The bounds are FIXTURES.md's: 1e-4 for logits, hidden
 * states and features, 1e-5 for attention probabilities — 30-40x above the noise, and far below any
 * real bug (a wrong rope, head mapping or norm moves logits by 1e-1 or more).
 */
const atol = { logits: 1e-4, hidden: 1e-4, attention: 1e-5 };

describe('llava-f64 reproduces the llava15_tiny goldens (transformers 4.45.1)', () => {
  let m: LlavaF64;
  let T: Awaited<ReturnType<typeof openGoldenTensors>>;
  let ids: number[];
  let pixels: Float64Array;
  beforeAll(async () => {
    m = await loadLlavaF64(llavaTinyCheckpoint);
    T = await openGoldenTensors();
    ids = (await readGoldenJson()).input_ids[0];
    pixels = Float64Array.from(await T.readFloat32('pixel_values'));
  });
  afterAll(() => T.close());

  it('vision tower hidden states, attentions and projected image features', async () => {
    const { features, vision } = imageFeatures(m, pixels, 1);
    for (let i = 0; i < 3; i++)
      expect(maxAbsDiff(vision[0].hiddenStates[i].data, await T.readFloat32(`vision.hidden_states.${i}`)), `vision.hidden_states.${i}`).toBeLessThan(
        atol.hidden,
      );
    for (let i = 0; i < 2; i++)
      expect(maxAbsDiff(vision[0].attentions[i], await T.readFloat32(`vision.attentions.${i}`)), `vision.attentions.${i}`).toBeLessThan(atol.attention);
    expect(maxAbsDiff(features[0].data, await T.readFloat32('image_features'))).toBeLessThan(atol.hidden);
  });

  it('logits, decoder attentions and hidden states at every position; text rows of hidden_states.0 exactly', async () => {
    const out = llavaForward(m, ids, pixels, 1);
    expect(maxAbsDiff(out.logits.data, await T.readFloat32('logits'))).toBeLessThan(atol.logits);
    for (let i = 0; i < 4; i++) expect(maxAbsDiff(out.attentions[i], await T.readFloat32(`attentions.${i}`)), `attentions.${i}`).toBeLessThan(atol.attention);
    for (let i = 0; i < 5; i++)
      expect(maxAbsDiff(out.hiddenStates[i].data, await T.readFloat32(`hidden_states.${i}`)), `hidden_states.${i}`).toBeLessThan(atol.hidden);
    const h0 = await T.readFloat32('hidden_states.0');
    for (const p of [0, 1, 2, 3, 20, 25]) expect(Array.from(row(out.hiddenStates[0], p))).toEqual(Array.from(h0.subarray(p * 64, (p + 1) * 64)));
    // Causal: every probability above the diagonal is exactly zero.
    const a = out.attentions[3];
    expect(a[(0 * 26 + 5) * 26 + 6]).toBe(0);
  });

  it('greedy decoding without cache picks the golden ids with the golden step logits', async () => {
    const { newIds, stepLogits } = greedyDecode(m, ids, pixels, 1, 5);
    expect(newIds).toEqual((await readGoldenJson()).generated_new_ids);
    const golden = await T.readFloat32('nocache_step_logits');
    stepLogits.forEach((l, s) => expect(maxAbsDiff(l, golden.subarray(s * 300, (s + 1) * 300)), `step ${s}`).toBeLessThan(atol.logits));
  });
});

describe('ropeInvFreq follows transformers for every rope type (values from an independent Python transcription)', () => {
  const base: LlamaConfig = {
    hiddenSize: 64,
    intermediateSize: 128,
    numHiddenLayers: 1,
    numAttentionHeads: 4,
    numKeyValueHeads: 2,
    headDim: 16,
    rmsNormEps: 1e-6,
    ropeTheta: 1e4,
    ropeScaling: null,
    maxPositionEmbeddings: 16,
    vocabSize: 300,
    tieWordEmbeddings: false,
    bosTokenId: 1,
    eosTokenIds: [2],
    padTokenId: null,
    hiddenAct: 'silu',
  };
  const close = (a: Float64Array, b: number[]) => a.forEach((x, i) => expect(x).toBeCloseTo(b[i], 14));

  it('llama3 keeps short wavelengths, divides long ones by factor and interpolates between', () => {
    const f = ropeInvFreq({ ...base, ropeScaling: { type: 'llama3', factor: 4, lowFreqFactor: 1, highFreqFactor: 4, originalMaxPositionEmbeddings: 32 } }, 10);
    close(f, [1.0, 0.12732395447351627, 0.025, 0.007905694150420948, 0.0025, 0.0007905694150420947, 0.00025, 7.905694150420948e-5]);
  });

  it('dynamic NTK leaves frequencies alone up to max_position_embeddings and grows theta past it', () => {
    const dyn = { ...base, ropeScaling: { type: 'dynamic' as const, factor: 2 } };
    expect(ropeInvFreq(dyn, 16)).toEqual(ropeInvFreq(base, 16));
    close(
      ropeInvFreq(dyn, 26),
      [
        1.0, 0.2816360286474236, 0.07931885263229241, 0.022339046652229074, 0.00629148038290332, 0.001771907549354063, 0.000499033005330467,
        0.0001405456737852613,
      ],
    );
  });

  it('linear divides every frequency by the factor', () => {
    const f = ropeInvFreq({ ...base, ropeScaling: { type: 'linear', factor: 2 } }, 10);
    close(
      f,
      Array.from(ropeInvFreq(base, 10), (x) => x / 2),
    );
  });
});

describe('llava-f64 on tiny checkpoint variants', () => {
  let dir: string;
  const models = new Map<string, LlavaF64>();
  async function model(v: TinyLlavaVariant): Promise<LlavaF64> {
    const key = JSON.stringify(v);
    if (!models.has(key)) {
      const tinyCk = await writeTinyLlavaCheckpoint(join(dir, String(models.size)), v);
      models.set(key, await loadLlavaF64(tinyCk.dir));
    }
    return models.get(key)!;
  }
  const randomPixels = (grid: number, n: number, seed: number) => Float64Array.from({ length: n * 3 * (14 * grid) ** 2 }, gaussian(seed));
  /** [BOS, 3 text, image run(s) separated by text, 4 text] with text ids from the seed. */
  function prompt(runs: number, perImage: number, seed: number): number[] {
    const r = gaussian(seed);
    const text = (n: number) => Array.from({ length: n }, () => 3 + (Math.floor(Math.abs(r() * 90)) % 290));
    const ids = [1, ...text(3)];
    for (let k = 0; k < runs; k++) ids.push(...Array(perImage).fill(296), ...text(2));
    return [...ids, ...text(2)];
  }

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ref-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it("fills each image run with that image's features, in order, and refuses a token/feature count mismatch", async () => {
    const m = await model({});
    const pixels = randomPixels(4, 2, 7);
    const ids = prompt(2, 16, 3);
    const { features } = imageFeatures(m, pixels, 2);
    const out = llavaForward(m, ids, pixels, 2);
    const runs = [ids.indexOf(296), ids.lastIndexOf(296) - 15];
    runs.forEach((start, k) => {
      for (let j = 0; j < 16; j++) expect(row(out.inputsEmbeds, start + j)).toEqual(row(features[k], j));
    });
    expect(maxAbsDiff(features[0].data, features[1].data)).toBeGreaterThan(0.1);
    expect(() => llavaForward(m, ids, pixels.subarray(0, pixels.length / 2), 1)).toThrow(/32 image tokens but 16 feature rows/);
  });

  it('selects CLIP hidden states by vision_feature_layer with Python negative indexing, and keeps CLS first for "full"', async () => {
    // Same seed and tensor list, so the weights are identical across these variants.
    const pixels = randomPixels(4, 1, 11);
    const feats = async (v: TinyLlavaVariant) => imageFeatures(await model(v), pixels, 1).features[0];
    const last = await feats({ visionFeatureLayer: -1 });
    expect((await feats({ visionFeatureLayer: 2 })).data).toEqual(last.data);
    expect((await feats({ visionFeatureLayer: 0 })).data).toEqual((await feats({ visionFeatureLayer: -3 })).data);
    expect(maxAbsDiff((await feats({ visionFeatureLayer: 0 })).data, last.data)).toBeGreaterThan(0.1);
    const full = await feats({ strategy: 'full' });
    const def = await feats({});
    expect([full.rows, def.rows]).toEqual([17, 16]);
    expect(full.data.subarray(64)).toEqual(def.data);
  });

  it('reads grid-3 images (9 patches) end to end', async () => {
    const m = await model({ grid: 3 });
    const out = llavaForward(m, prompt(1, 9, 5), randomPixels(3, 1, 5), 1);
    expect(out.image.features[0].rows).toBe(9);
    expect(out.logits.data.every(Number.isFinite)).toBe(true);
  });

  it('maps query head h to KV head floor(h / group): GQA equals MHA with each KV head repeated', async () => {
    const m = await model({});
    const c = m.config.textConfig;
    const repeatKv: (name: string) => Float64Array = (name) => {
      const w = m.weights(name);
      if (!/self_attn\.[kv]_proj/.test(name) || !name.startsWith('language_model')) return w;
      const per = c.headDim * c.hiddenSize;
      const out = new Float64Array(w.length * 2);
      for (let h = 0; h < 4; h++) out.set(w.subarray(Math.floor(h / 2) * per, (Math.floor(h / 2) + 1) * per), h * per);
      return out;
    };
    const ids = prompt(0, 0, 9);
    const embeds = embedTokens(c, m.weights, ids);
    const pos = ids.map((_, i) => i);
    const gqa = llamaForward(c, m.weights, embeds, pos);
    const mha = llamaForward({ ...c, numKeyValueHeads: 4 }, repeatKv, embeds, pos);
    expect(maxAbsDiff(gqa.logits.data, mha.logits.data)).toBeLessThan(1e-12);
  });

  it('linear rope scaling by f equals unscaled rope at positions divided by f', async () => {
    const m = await model({ ropeScaling: 'linear' });
    const c = m.config.textConfig;
    const ids = prompt(0, 0, 4);
    const embeds = embedTokens(c, m.weights, ids);
    const scaled = llamaForward(
      c,
      m.weights,
      embeds,
      ids.map((_, i) => i),
    );
    const plain = llamaForward(
      { ...c, ropeScaling: null },
      m.weights,
      embeds,
      ids.map((_, i) => i / 2),
    );
    expect(maxAbsDiff(scaled.logits.data, plain.logits.data)).toBeLessThan(1e-12);
    const unscaled = llamaForward(
      { ...c, ropeScaling: null },
      m.weights,
      embeds,
      ids.map((_, i) => i),
    );
    expect(maxAbsDiff(scaled.logits.data, unscaled.logits.data)).toBeGreaterThan(1e-3);
  });

  it('dynamic rope only changes a pass longer than max_position_embeddings; llama3 changes every pass', async () => {
    const ids = prompt(1, 16, 6); // 24 tokens > max_position_embeddings 16
    const pixels = randomPixels(4, 1, 6);
    const dyn = await model({ ropeScaling: 'dynamic' });
    const plainCfg = { ...dyn.config, textConfig: { ...dyn.config.textConfig, ropeScaling: null } };
    const plain = { ...dyn, config: plainCfg };
    const short = ids.slice(0, 16).filter((t) => t !== 296);
    expect(llavaForward(dyn, short, new Float64Array(0), 0).logits.data).toEqual(llavaForward(plain, short, new Float64Array(0), 0).logits.data);
    expect(maxAbsDiff(llavaForward(dyn, ids, pixels, 1).logits.data, llavaForward(plain, ids, pixels, 1).logits.data)).toBeGreaterThan(1e-3);
    const l3 = await model({ ropeScaling: 'llama3' });
    const l3plain = { ...l3, config: { ...l3.config, textConfig: { ...l3.config.textConfig, ropeScaling: null } } };
    expect(
      maxAbsDiff(llavaForward(l3, short, new Float64Array(0), 0).logits.data, llavaForward(l3plain, short, new Float64Array(0), 0).logits.data),
    ).toBeGreaterThan(1e-3);
  });

  it('uses embed_tokens as the output projection when embeddings are tied', async () => {
    const m = await model({ tied: true });
    const out = llavaForward(m, prompt(1, 16, 8), randomPixels(4, 1, 8), 1);
    const last = row(out.hiddenStates[4], out.logits.rows - 1);
    const E = m.weights('language_model.model.embed_tokens.weight');
    const logit = (v: number) => last.reduce((s, x, i) => s + x * E[v * 64 + i], 0);
    for (const v of [0, 17, 299]) expect(out.logits.data[(out.logits.rows - 1) * 300 + v]).toBeCloseTo(logit(v), 12);
    expect(() => m.weights('language_model.lm_head.weight')).toThrow(/no weight/);
  });

  it('gives identical results for a checkpoint in the new layout, sharded, and close ones for BF16 storage', async () => {
    const ids = prompt(1, 16, 2);
    const pixels = randomPixels(4, 1, 2);
    const legacy = llavaForward(await model({}), ids, pixels, 1).logits.data;
    expect(llavaForward(await model({ layout: 'new', sharded: true }), ids, pixels, 1).logits.data).toEqual(legacy);
    // bf16 keeps 8 significant bits (relative error <= 2^-9 per weight): logits of |x| ~ 3 move by ~1e-2.
    const bf16 = llavaForward(await model({ dtype: 'BF16' }), ids, pixels, 1).logits.data;
    const d = maxAbsDiff(bf16, legacy);
    expect(d).toBeGreaterThan(0);
    expect(d).toBeLessThan(0.2);
  });

  it('greedy decoding appends the argmax of the last position, step after step', async () => {
    const m = await model({});
    const ids = prompt(1, 16, 12);
    const pixels = randomPixels(4, 1, 12);
    const { newIds, stepLogits } = greedyDecode(m, ids, pixels, 1, 3);
    const full = llavaForward(m, [...ids, ...newIds.slice(0, 2)], pixels, 1);
    expect(Array.from(row(full.logits, full.logits.rows - 1))).toEqual(Array.from(stepLogits[2]));
    expect(mergeImageFeatures(m, ids, imageFeatures(m, pixels, 1).features).rows).toBe(ids.length);
  });
});
