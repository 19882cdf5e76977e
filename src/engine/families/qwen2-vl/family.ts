/**
 * The Qwen2-VL family (model_type "qwen2_vl" and "qwen2_5_vl"): the native-resolution vision tower
 * with its patch merger, and the Qwen2 decoder with M-RoPE. Checkpoints as Qwen publishes them:
 * `visual.*`, `model.*`, `lm_head.weight` (absent when the embeddings are tied, as in Qwen2-VL-2B).
 */
import type { QwenManifest } from '../../bundle/manifest.ts';
import { openCheckpoint } from '../../checkpoint/checkpoint.ts';
import { renamedCheckpoint } from '../../checkpoint/renamed.ts';
import { textSection } from '../text-section.ts';
import type { FamilyCheckpoint, ModelFamily } from '../types.ts';
import { parseQwenConfig, patchRowSize, qwenSizeFields, type QwenConfig } from './config.ts';
import { buildQwenGraphs } from './graphs.ts';
import { readQwenPreprocessing } from './preprocessing.ts';

type QwenSection = Pick<
  QwenManifest,
  'architecture' | 'text' | 'vision' | 'imageTokenId' | 'videoTokenId' | 'visionStartTokenId' | 'visionEndTokenId' | 'preprocessing'
>;

export function qwenSection(cfg: QwenConfig, preprocessing: QwenManifest['preprocessing']): QwenSection {
  const t = cfg.textConfig;
  const v = cfg.visionConfig;
  return {
    architecture: 'qwen2-vl',
    text: {
      // M-RoPE replaces rope_scaling (whose type the config uses to carry mrope_section)
      ...textSection(t, null),
      mropeSection: cfg.mropeSection,
    },
    vision: {
      modelType: cfg.modelType,
      depth: v.depth,
      embedDim: v.embedDim,
      heads: v.numHeads,
      mlpHidden: v.mlpHidden,
      channels: v.inChannels,
      patchSize: v.patchSize,
      mergeSize: v.spatialMergeSize,
      temporalPatchSize: v.temporalPatchSize,
      patchRow: patchRowSize(v),
      window: v.window,
    },
    imageTokenId: cfg.imageTokenId,
    videoTokenId: cfg.videoTokenId,
    visionStartTokenId: cfg.visionStartTokenId,
    visionEndTokenId: cfg.visionEndTokenId,
    preprocessing,
  };
}

/**
 * The canonical (transformers 4.45, as Qwen publishes them) name of a Qwen2-VL / Qwen2.5-VL tensor
 * stored in either layout: transformers >= 4.52 saves `model.language_model.X` (for `model.X`) and
 * `model.visual.X` (for `visual.X`); `lm_head.weight` is the same in both.
 */
export function canonicalQwenName(name: string): string {
  if (name.startsWith('model.language_model.')) return `model.${name.slice('model.language_model.'.length)}`;
  if (name.startsWith('model.visual.')) return name.slice('model.'.length);
  return name;
}

export const qwenFamily: ModelFamily = {
  architecture: 'qwen2-vl',
  label: 'Qwen2-VL / Qwen2.5-VL',
  modelTypes: ['qwen2_vl', 'qwen2_5_vl'],
  fallbackTemplate: 'fallback-qwen2-vl',
  async openCheckpoint(dir, json, file): Promise<FamilyCheckpoint> {
    const config = parseQwenConfig(json, file);
    const weights = renamedCheckpoint(await openCheckpoint(dir), canonicalQwenName);
    const t = config.textConfig;
    // Shapes are checked tensor by tensor as the graphs are built (before anything is written).
    return {
      modelType: config.modelType,
      weights,
      buildGraphs: (w, opts) => buildQwenGraphs(config, w, opts),
      sizeFields: qwenSizeFields(config, 'text_config' in json && json.text_config != null),
      manifestSection: async (d, opts) => qwenSection(config, await readQwenPreprocessing(d, config.visionConfig, opts)),
      ids: { bosTokenId: t.bosTokenId, eosTokenIds: t.eosTokenIds, padTokenId: t.padTokenId },
    };
  },
};
