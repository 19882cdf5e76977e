import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { WorkbenchError } from '../../common/contract/errors.ts';
import { imageTokensPerImage, parseModelConfig, readModelConfig, visionHiddenStateIndex, type LlavaConfig } from './hf-config.ts';

const fixture = join(import.meta.dirname, '../../../test/fixtures/hf-golden/llava15_tiny');
const F = 'config.json';

function thrown(f: () => unknown): WorkbenchError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(WorkbenchError);
    return e as WorkbenchError;
  }
  throw new Error('expected a WorkbenchError');
}

/** What the full config (golden.json["config"], every default spelled out) says for llava15_tiny. */
const tinyExpected: LlavaConfig = {
  modelType: 'llava',
  textConfig: {
    hiddenSize: 64,
    intermediateSize: 128,
    numHiddenLayers: 4,
    numAttentionHeads: 4,
    numKeyValueHeads: 2,
    headDim: 16,
    rmsNormEps: 1e-6,
    ropeTheta: 10000,
    ropeScaling: null,
    maxPositionEmbeddings: 128,
    vocabSize: 300,
    tieWordEmbeddings: false,
    bosTokenId: 1,
    eosTokenIds: [2],
    padTokenId: null,
    hiddenAct: 'silu',
  },
  visionConfig: {
    hiddenSize: 32,
    intermediateSize: 64,
    numHiddenLayers: 2,
    numAttentionHeads: 4,
    imageSize: 56,
    patchSize: 14,
    layerNormEps: 1e-5,
    hiddenAct: 'quick_gelu',
    numChannels: 3,
  },
  imageTokenIndex: 296,
  projectorHiddenAct: 'gelu',
  projectorBias: true,
  visionFeatureLayer: -2,
  visionFeatureSelectStrategy: 'default',
  imageSeqLength: 16,
};

describe('parseModelConfig', () => {
  it('reads the llava15_tiny checkpoint config and agrees with the full golden config', async () => {
    const cfg = await readModelConfig(join(fixture, 'checkpoint'));
    expect(cfg).toEqual(tinyExpected);
    const golden = JSON.parse(await readFile(join(fixture, 'golden.json'), 'utf8')) as { config: unknown };
    expect(parseModelConfig(golden.config, 'golden.json')).toEqual(tinyExpected);
    expect(imageTokensPerImage(cfg)).toBe(16);
    expect(visionHiddenStateIndex(cfg)).toBe(1);
  });

  it('fills transformers class defaults for omitted values (llava-hf/llava-1.5-7b-hf as published)', () => {
    const cfg = parseModelConfig(
      {
        model_type: 'llava',
        image_token_index: 32000,
        text_config: { model_type: 'llama', max_position_embeddings: 4096, rms_norm_eps: 1e-5, vocab_size: 32064 },
        vision_config: {
          hidden_size: 1024,
          image_size: 336,
          intermediate_size: 4096,
          model_type: 'clip_vision_model',
          num_attention_heads: 16,
          num_hidden_layers: 24,
          patch_size: 14,
          projection_dim: 768,
        },
        vision_feature_layer: -2,
      },
      F,
    );
    expect(cfg.textConfig).toMatchObject({
      hiddenSize: 4096,
      intermediateSize: 11008,
      numHiddenLayers: 32,
      numAttentionHeads: 32,
      numKeyValueHeads: 32,
      headDim: 128,
      ropeTheta: 10000,
      tieWordEmbeddings: false,
      bosTokenId: 1,
      eosTokenIds: [2],
    });
    expect(cfg.visionConfig).toMatchObject({ hiddenAct: 'quick_gelu', layerNormEps: 1e-5, numChannels: 3 });
    expect(cfg).toMatchObject({ visionFeatureSelectStrategy: 'default', imageSeqLength: 576, projectorBias: true });
    expect(imageTokensPerImage(cfg)).toBe(576);
  });

  it('takes CLIPVisionConfig defaults for a vision_config dict, LLaVA ViT-L/336 defaults without one', () => {
    expect(parseModelConfig({ model_type: 'llava', vision_config: {} }, F).visionConfig).toMatchObject({
      hiddenSize: 768,
      imageSize: 224,
      patchSize: 32,
      numHiddenLayers: 12,
    });
    expect(parseModelConfig({ model_type: 'llava' }, F).visionConfig).toMatchObject({
      hiddenSize: 1024,
      imageSize: 336,
      patchSize: 14,
      numHiddenLayers: 24,
      numAttentionHeads: 16,
    });
  });

  it('refuses an image_size that is not a whole number of patches, saying how many pixels would be dropped', () => {
    const e = thrown(() => parseModelConfig({ model_type: 'llava', vision_config: { image_size: 85, patch_size: 10 } }, F));
    expect(e.code).toBe('invalid-checkpoint');
    expect(e.message).toBe(
      'config.json: vision_config.image_size 85 is not a multiple of patch_size 10 (the last 5 pixels of every row and column would be dropped)',
    );
  });

  it('counts one extra image token for the full strategy and resolves non-negative feature layers as given', () => {
    const cfg = parseModelConfig(
      {
        model_type: 'llava',
        vision_feature_select_strategy: 'full',
        vision_feature_layer: 0,
        vision_config: { image_size: 42, patch_size: 14, num_hidden_layers: 2 },
      },
      F,
    );
    expect(imageTokensPerImage(cfg)).toBe(10);
    expect(visionHiddenStateIndex(cfg)).toBe(0);
  });

  it('parses every supported rope_scaling spelling, including rope_type, legacy type and v5 rope_parameters', () => {
    const rope = (text_config: object) => parseModelConfig({ model_type: 'llava', text_config }, F).textConfig;
    expect(rope({ rope_scaling: { type: 'linear', factor: 2 } }).ropeScaling).toEqual({ type: 'linear', factor: 2 });
    expect(rope({ rope_scaling: { rope_type: 'dynamic', factor: 4 } }).ropeScaling).toEqual({ type: 'dynamic', factor: 4 });
    expect(rope({ rope_scaling: { rope_type: 'default' } }).ropeScaling).toBeNull();
    expect(
      rope({ rope_scaling: { rope_type: 'llama3', factor: 8, low_freq_factor: 1, high_freq_factor: 4, original_max_position_embeddings: 8192 } }).ropeScaling,
    ).toEqual({
      type: 'llama3',
      factor: 8,
      lowFreqFactor: 1,
      highFreqFactor: 4,
      originalMaxPositionEmbeddings: 8192,
    });
    const v5 = rope({ rope_parameters: { rope_type: 'linear', rope_theta: 500000, factor: 2 } });
    expect(v5.ropeTheta).toBe(500000);
    expect(v5.ropeScaling).toEqual({ type: 'linear', factor: 2 });
  });

  it('refuses unsupported model types, naming the type and the supported ones', () => {
    const next = thrown(() => parseModelConfig({ model_type: 'llava_next' }, F));
    expect(next.code).toBe('unsupported-model');
    expect(next.message).toMatch(/config\.json: model_type "llava_next" is recognised but not supported yet/);
    expect(next.hint).toMatch(/llava/);
    const bert = thrown(() => parseModelConfig({ model_type: 'bert' }, F));
    expect(bert.code).toBe('unsupported-model');
    expect(bert.message).toMatch(/unknown model_type "bert"/);
    expect(thrown(() => parseModelConfig({ model_type: 'llava', text_config: { model_type: 'mistral' } }, F)).message).toMatch(
      /text_config.model_type "mistral"/,
    );
    expect(thrown(() => parseModelConfig({ model_type: 'llava', vision_config: { model_type: 'siglip_vision_model' } }, F)).code).toBe('unsupported-model');
  });

  it('refuses features unsupported in the compiled graphs: list feature layers, yarn rope, other activations', () => {
    const list = thrown(() => parseModelConfig({ model_type: 'llava', vision_feature_layer: [-2, -5] }, F));
    expect(list.code).toBe('unsupported-model');
    expect(list.message).toMatch(/vision_feature_layer is a list \(\[-2,-5\]\)/);
    expect(thrown(() => parseModelConfig({ model_type: 'llava', text_config: { rope_scaling: { rope_type: 'yarn', factor: 4 } } }, F)).message).toMatch(
      /"yarn" is not supported/,
    );
    expect(thrown(() => parseModelConfig({ model_type: 'llava', text_config: { hidden_act: 'gelu' } }, F)).message).toMatch(/text_config.hidden_act "gelu"/);
    expect(thrown(() => parseModelConfig({ model_type: 'llava', projector_hidden_act: 'relu' }, F)).code).toBe('unsupported-model');
  });

  it('names the file and the field when a field is missing or malformed', () => {
    const missing = thrown(() => parseModelConfig({ text_config: {} }, F));
    expect(missing.code).toBe('invalid-checkpoint');
    expect(missing.message).toBe('config.json: required field "model_type" is missing');
    const wrongType = thrown(() => parseModelConfig({ model_type: 'llava', text_config: { hidden_size: '64' } }, F));
    expect(wrongType.code).toBe('invalid-checkpoint');
    expect(wrongType.message).toMatch(/^config\.json: "text_config\.hidden_size" is "64"/);
    expect(thrown(() => parseModelConfig({ model_type: 'llava', text_config: { rope_scaling: { type: 'linear' } } }, F)).message).toMatch(
      /text_config.rope_scaling.factor is required/,
    );
    expect(thrown(() => parseModelConfig({ model_type: 'llava', text_config: { num_attention_heads: 4, num_key_value_heads: 3 } }, F)).message).toMatch(
      /num_key_value_heads 3 does not divide/,
    );
    expect(thrown(() => parseModelConfig({ model_type: 'llava', vision_feature_layer: 3, vision_config: { num_hidden_layers: 2 } }, F)).message).toMatch(
      /vision_feature_layer 3 is outside the 3 CLIP hidden states/,
    );
  });

  it('reads config.json from a folder and refuses one with a duplicated key', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cfg-'));
    try {
      await expect(readModelConfig(dir)).rejects.toThrow(/no config\.json/);
      await writeFile(join(dir, 'config.json'), '{"model_type": "llava", "text_config": {"hidden_size": 64, "hidden_size": 32}}');
      await expect(readModelConfig(dir)).rejects.toThrow(/key "text_config.hidden_size" occurs twice/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
