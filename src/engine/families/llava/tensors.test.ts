import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { editSafetensorsHeader, writeTinyLlavaCheckpoint } from '../../../../test/support/checkpoints.ts';
import { openCheckpoint } from '../../checkpoint/checkpoint.ts';
import { parseModelConfig, readModelConfig } from '../../checkpoint/hf-config.ts';
import { openLlavaCheckpoint } from './checkpoint.ts';
import { canonicalLlavaName, canonicalLlavaView, checkShapes, llavaTensorShapes } from './tensors.ts';
import { writeSafetensors } from '../../checkpoint/safetensors-writer.ts';

const fixture = join(import.meta.dirname, '../../../../test/fixtures/hf-golden/llava15_tiny/checkpoint');

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lt-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('llavaTensorShapes', () => {
  it('lists exactly the tensors of the golden checkpoint except the unused CLIP post_layernorm, with their shapes', async () => {
    const config = await readModelConfig(fixture);
    const ck = await openCheckpoint(fixture);
    try {
      const expected = llavaTensorShapes(config);
      const stored = ck.names().filter((n) => !n.includes('post_layernorm'));
      expect(expected.map((e) => e.name).sort()).toEqual(stored.sort());
      for (const e of expected) expect(ck.info(e.name).shape, e.name).toEqual(e.shape);
      expect(expected.find((e) => e.name.endsWith('position_embedding.weight'))?.shape).toEqual([17, 32]);
      expect(expected.find((e) => e.name === 'language_model.model.layers.0.self_attn.k_proj.weight')?.shape).toEqual([32, 64]);
    } finally {
      await ck.close();
    }
  });

  it('leaves out lm_head when embeddings are tied and projector biases when the config says so', () => {
    const names = (c: object) => llavaTensorShapes(parseModelConfig({ model_type: 'llava', ...c }, 'c')).map((e) => e.name);
    expect(names({})).toContain('language_model.lm_head.weight');
    expect(names({ text_config: { tie_word_embeddings: true } })).not.toContain('language_model.lm_head.weight');
    expect(names({ multimodal_projector_bias: false }).filter((n) => n.startsWith('multi_modal_projector'))).toEqual([
      'multi_modal_projector.linear_1.weight',
      'multi_modal_projector.linear_2.weight',
    ]);
  });
});

describe('canonicalLlavaName', () => {
  it('maps the transformers >= 4.52 layout onto the 4.45 names and leaves those unchanged', () => {
    expect(canonicalLlavaName('model.language_model.layers.0.mlp.up_proj.weight')).toBe('language_model.model.layers.0.mlp.up_proj.weight');
    expect(canonicalLlavaName('model.language_model.embed_tokens.weight')).toBe('language_model.model.embed_tokens.weight');
    expect(canonicalLlavaName('model.vision_tower.vision_model.pre_layrnorm.bias')).toBe('vision_tower.vision_model.pre_layrnorm.bias');
    expect(canonicalLlavaName('model.multi_modal_projector.linear_1.weight')).toBe('multi_modal_projector.linear_1.weight');
    expect(canonicalLlavaName('lm_head.weight')).toBe('language_model.lm_head.weight');
    expect(canonicalLlavaName('language_model.lm_head.weight')).toBe('language_model.lm_head.weight');
  });
});

describe('openLlavaCheckpoint / checkShapes', () => {
  it('opens every tiny variant, new layout and sharded included, under canonical names', async () => {
    const variants = [
      {},
      { layout: 'new' as const, sharded: true },
      { tied: true, dtype: 'BF16' as const },
      { gqa: false, grid: 3 as const, strategy: 'full' as const },
    ];
    for (const [i, v] of variants.entries()) {
      const tinyCk = await writeTinyLlavaCheckpoint(join(dir, String(i)), v);
      const { config, weights } = await openLlavaCheckpoint(tinyCk.dir);
      try {
        for (const e of llavaTensorShapes(config)) expect(await weights.readFloat32(e.name), e.name).toEqual(tinyCk.weights.get(e.name));
      } finally {
        await weights.close();
      }
    }
  });

  it('names the tensor, its file and both shapes on a mismatch', async () => {
    await writeTinyLlavaCheckpoint(dir);
    const config = await readModelConfig(dir);
    const ck = await openCheckpoint(dir);
    try {
      const wrong = { ...config, textConfig: { ...config.textConfig, intermediateSize: 96 } };
      expect(() => checkShapes(wrong, ck)).toThrow(
        /model\.safetensors: tensor "language_model\.model\.layers\.0\.mlp\.gate_proj\.weight" has shape \[128, 64\], but config\.json implies \[96, 64\] \(text_config\.intermediate_size is 96, the weights have 128\)/,
      );
    } finally {
      await ck.close();
    }
  });

  it('lists missing tensors and hints at tie_word_embeddings when only lm_head is missing', async () => {
    await writeTinyLlavaCheckpoint(dir, { tied: true });
    const cfgPath = join(dir, 'config.json');
    const raw = JSON.parse(await readFile(cfgPath, 'utf8')) as { text_config: Record<string, unknown> };
    delete raw.text_config.tie_word_embeddings;
    await writeFile(cfgPath, JSON.stringify(raw));
    await expect(openLlavaCheckpoint(dir)).rejects.toMatchObject({
      code: 'invalid-checkpoint',
      message: expect.stringContaining('1 tensor(s) the config requires are missing: "language_model.lm_head.weight" [300, 64]'),
      hint: expect.stringContaining('tie_word_embeddings'),
    });
  });

  it('refuses integer weights and a checkpoint that mixes both naming layouts', async () => {
    await writeTinyLlavaCheckpoint(dir);
    const st = join(dir, 'model.safetensors');
    await editSafetensorsHeader(st, (h) => {
      const e = h['language_model.model.norm.weight'] as { dtype: string };
      return { ...h, 'language_model.model.norm.weight': { ...e, dtype: 'I32' } };
    });
    await expect(openLlavaCheckpoint(dir)).rejects.toThrow(/tensor "language_model.model.norm.weight" is I32/);
    const one = { dtype: 'F32' as const, shape: [1], data: new Float32Array(1) };
    await writeSafetensors(st, { 'language_model.model.norm.weight': one, 'model.language_model.norm.weight': one });
    const ck = await openCheckpoint(dir);
    try {
      expect(() => canonicalLlavaView(ck)).toThrow(/"language_model.model.norm.weight" and "model.language_model.norm.weight" are the same weight/);
    } finally {
      await ck.close();
    }
  });
});
