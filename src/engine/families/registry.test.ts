import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { familyForArchitecture, familyForModelType, readConfigJson, SUPPORTED_MODEL_TYPES } from './registry.ts';
import { parseQwenConfig } from './qwen2-vl/config.ts';

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'laser-registry-'));
});
afterAll(() => rm(tmp, { recursive: true, force: true }));

describe('the model-family registry', () => {
  it('maps every supported model_type to its family, and architectures back', () => {
    expect(SUPPORTED_MODEL_TYPES).toEqual(['llava', 'qwen2_vl', 'qwen2_5_vl']);
    expect(familyForModelType('llava', 'c').architecture).toBe('llava');
    expect(familyForModelType('qwen2_vl', 'c').architecture).toBe('qwen2-vl');
    expect(familyForModelType('qwen2_5_vl', 'c').architecture).toBe('qwen2-vl');
    expect(familyForArchitecture('qwen2-vl').modelTypes).toContain('qwen2_5_vl');
  });

  it('refuses an unknown model_type naming the registry and every supported type', () => {
    expect(() => familyForModelType('whisper', 'x/config.json')).toThrow(
      /x\/config\.json: model_type "whisper" is not in the model registry \(supported model types: llava, qwen2_vl, qwen2_5_vl\)/,
    );
    expect(() => familyForModelType('llava_next', 'c')).toThrow(/is recognised but not supported yet/);
  });

  it('reads config.json with one clear line for a missing file, broken JSON or no model_type', async () => {
    await expect(readConfigJson(join(tmp, 'nothing'))).rejects.toThrow(/no config\.json/);
    await writeFile(join(tmp, 'config.json'), '{"a": 1,');
    await expect(readConfigJson(tmp)).rejects.toThrow(/not valid JSON/);
    await writeFile(join(tmp, 'config.json'), '{"a": 1}');
    await expect(readConfigJson(tmp)).rejects.toThrow(/required field "model_type" is missing/);
  });
});

describe('Qwen2-VL / Qwen2.5-VL config parsing', () => {
  const tiny = {
    model_type: 'qwen2_vl',
    hidden_size: 64,
    num_attention_heads: 4,
    num_key_value_heads: 2,
    rope_scaling: { mrope_section: [2, 3, 3], rope_type: 'default', type: 'default' },
    vision_config: { depth: 2, embed_dim: 32, hidden_size: 64, mlp_ratio: 2, num_heads: 4 },
  };

  it('fills in transformers class defaults the saved config omits', () => {
    const c = parseQwenConfig(tiny, 'config.json');
    expect(c.mropeSection).toEqual([2, 3, 3]);
    expect(c.visionConfig).toMatchObject({
      patchSize: 14,
      spatialMergeSize: 2,
      temporalPatchSize: 2,
      inChannels: 3,
      hiddenAct: 'quick_gelu',
      mlpHidden: 64,
      window: null,
    });
    expect(c.textConfig).toMatchObject({ headDim: 16, rmsNormEps: 1e-5, ropeTheta: 1000000, tieWordEmbeddings: false, ropeScaling: null });
    expect([c.imageTokenId, c.visionStartTokenId, c.visionEndTokenId]).toEqual([151655, 151652, 151653]);
  });

  it('refuses an mrope_section that does not add up to head_dim / 2, naming both', () => {
    expect(() => parseQwenConfig({ ...tiny, rope_scaling: { mrope_section: [2, 3, 4] } }, 'config.json')).toThrow(
      /config\.json: rope_scaling\.mrope_section \[2,3,4\] adds up to 9, but head_dim \/ 2 is 8/,
    );
    expect(() => parseQwenConfig({ ...tiny, rope_scaling: null }, 'config.json')).toThrow(/mrope_section is missing/);
  });

  it('reads Qwen2.5-VL vision settings: window attention, gated MLP width, out_hidden_size', () => {
    const c = parseQwenConfig(
      {
        ...tiny,
        model_type: 'qwen2_5_vl',
        vision_config: {
          depth: 2,
          hidden_size: 32,
          intermediate_size: 48,
          num_heads: 4,
          out_hidden_size: 64,
          window_size: 56,
          fullatt_block_indexes: [1],
          in_chans: 3,
        },
      },
      'config.json',
    );
    expect(c.visionConfig).toMatchObject({ embedDim: 32, mlpHidden: 48, outHidden: 64, hiddenAct: 'silu', window: { size: 56, fullAttentionBlocks: [1] } });
    expect(() =>
      parseQwenConfig(
        { ...tiny, model_type: 'qwen2_5_vl', vision_config: { depth: 2, hidden_size: 32, num_heads: 4, out_hidden_size: 64, fullatt_block_indexes: [5] } },
        'c',
      ),
    ).toThrow(/names block 5, but depth is 2/);
  });

  it('refuses a merger whose output width is not the text hidden size', () => {
    expect(() => parseQwenConfig({ ...tiny, vision_config: { ...tiny.vision_config, hidden_size: 48 } }, 'config.json')).toThrow(
      /vision_config\.hidden_size 48 must equal the text hidden_size 64/,
    );
  });
});
