/**
 * The LLaVA-1.5 family (model_type "llava"): CLIP vision tower + projector + LLaMA decoder. Its
 * config, tensor names, graphs and CLIP preprocessing live in checkpoint/ and compiler/ (they were
 * the first family); this file is what the registry sees of them.
 */
import type { LlavaManifest } from '../../bundle/manifest.ts';
import { openCheckpoint } from '../../checkpoint/checkpoint.ts';
import { imageTokensPerImage, parseLlavaConfig, visionGrid, visionHiddenStateIndex, type LlavaConfig } from '../../checkpoint/hf-config.ts';
import { canonicalLlavaView, checkShapes } from '../../checkpoint/llava-tensors.ts';
import { buildLlava } from '../../compiler/llava.ts';
import { readPreprocessing } from '../../compiler/preprocessing.ts';
import type { FamilyCheckpoint, ModelFamily } from '../types.ts';

type LlavaSection = Pick<LlavaManifest, 'architecture' | 'text' | 'vision' | 'imageTokenId' | 'preprocessing'>;

export function llavaSection(cfg: LlavaConfig, preprocessing: LlavaManifest['preprocessing']): LlavaSection {
  const t = cfg.textConfig;
  const v = cfg.visionConfig;
  const grid = visionGrid(v);
  return {
    architecture: 'llava',
    text: {
      layers: t.numHiddenLayers,
      heads: t.numAttentionHeads,
      kvHeads: t.numKeyValueHeads,
      headDim: t.headDim,
      hidden: t.hiddenSize,
      intermediate: t.intermediateSize,
      vocab: t.vocabSize,
      rmsNormEps: t.rmsNormEps,
      maxPositionEmbeddings: t.maxPositionEmbeddings,
      tieWordEmbeddings: t.tieWordEmbeddings,
      rope: { theta: t.ropeTheta, scaling: t.ropeScaling },
    },
    vision: {
      imageSize: v.imageSize,
      patchSize: v.patchSize,
      channels: v.numChannels,
      grid: [grid, grid],
      tokensPerImage: imageTokensPerImage(cfg),
      strategy: cfg.visionFeatureSelectStrategy,
      featureLayer: cfg.visionFeatureLayer,
      hiddenStateIndex: visionHiddenStateIndex(cfg),
      layers: v.numHiddenLayers,
      layersBuilt: visionHiddenStateIndex(cfg),
      hidden: v.hiddenSize,
    },
    imageTokenId: cfg.imageTokenIndex,
    preprocessing,
  };
}

export const llavaFamily: ModelFamily = {
  architecture: 'llava',
  label: 'LLaVA-1.5 (llava-hf format)',
  modelTypes: ['llava'],
  fallbackTemplate: 'fallback-llava-1.5',
  async openCheckpoint(dir, json, file): Promise<FamilyCheckpoint> {
    const config = parseLlavaConfig(json, file);
    const raw = await openCheckpoint(dir);
    try {
      const weights = canonicalLlavaView(raw);
      checkShapes(config, weights);
      const t = config.textConfig;
      return {
        modelType: config.modelType,
        weights,
        buildGraphs: (w, opts) => buildLlava(config, w, opts),
        manifestSection: async (d, opts) => llavaSection(config, await readPreprocessing(d, config.visionConfig.imageSize, opts.imageMode ?? 'pad')),
        ids: { bosTokenId: t.bosTokenId, eosTokenIds: t.eosTokenIds, padTokenId: t.padTokenId },
      };
    } catch (e) {
      await raw.close();
      throw e;
    }
  },
};
