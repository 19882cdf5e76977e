/**
 * The LLaVA-1.5 family (model_type "llava"): CLIP vision tower + projector + LLaMA decoder. Its
 * tensor names, graphs (clip.ts, projector.ts, graphs.ts) and CLIP preprocessing live beside this
 * file; its config parser is checkpoint/hf-config.ts, which also holds the LLaMA text config every
 * LLaMA-shaped family shares.
 */
import { WorkbenchError } from '../../../common/contract/errors.ts';
import type { LlavaManifest } from '../../bundle/manifest.ts';
import { openCheckpoint } from '../../checkpoint/checkpoint.ts';
import { imageTokensPerImage, parseLlavaConfig, visionGrid, visionHiddenStateIndex, type LlavaConfig } from '../../checkpoint/hf-config.ts';
import { canonicalLlavaView, checkShapes, llavaSizeFields } from './tensors.ts';
import { buildLlava } from './graphs.ts';
import { readPreprocessing } from './preprocessing.ts';
import { textSection } from '../text-section.ts';
import type { FamilyCheckpoint, ModelFamily } from '../types.ts';

type LlavaSection = Pick<LlavaManifest, 'architecture' | 'text' | 'vision' | 'imageTokenId' | 'preprocessing'>;

export function llavaSection(cfg: LlavaConfig, preprocessing: LlavaManifest['preprocessing']): LlavaSection {
  const t = cfg.textConfig;
  const v = cfg.visionConfig;
  const grid = visionGrid(v);
  return {
    architecture: 'llava',
    text: textSection(t),
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

/**
 * What LlavaConfig assumes for a section config.json leaves out (transformers does the same): the
 * 7B's LlamaConfig() and the CLIP ViT-L/14-336 tower. Named when the weights disagree, because
 * "234 tensors missing" alone does not say that the config, not the download, is short.
 */
const sectionDefaults = {
  text_config: "LlamaConfig's defaults (hidden_size 4096, 32 layers, vocab 32000: LLaVA-1.5-7B's decoder)",
  vision_config: "LlavaConfig's CLIP ViT-L/14 at 336 px (hidden_size 1024, 24 layers)",
} as const;

function checkShapesNamingDefaults(config: LlavaConfig, weights: Parameters<typeof checkShapes>[1], json: unknown, file: string): void {
  try {
    checkShapes(config, weights);
  } catch (e) {
    const raw = json as Record<string, unknown>;
    const absent = (Object.keys(sectionDefaults) as (keyof typeof sectionDefaults)[]).filter((k) => raw[k] === undefined || raw[k] === null);
    if (absent.length === 0 || !(e instanceof WorkbenchError) || e.code !== 'invalid-checkpoint') throw e;
    const assumed = absent.map((k) => `"${k}" is missing, so ${sectionDefaults[k]} were assumed`).join('; ');
    const why = e.message.startsWith(`${weights.dir}: `) ? e.message.slice(weights.dir.length + 2) : e.message;
    throw new WorkbenchError(
      'invalid-checkpoint',
      `${file}: ${assumed}, and the weights do not match: ${why}`,
      `Add the missing section${absent.length > 1 ? 's' : ''} to config.json (the config.json that came with these weights has ${absent.length > 1 ? 'them' : 'it'}).`,
    );
  }
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
      checkShapesNamingDefaults(config, weights, json, file);
      const t = config.textConfig;
      return {
        modelType: config.modelType,
        weights,
        buildGraphs: (w, opts) => buildLlava(config, w, opts),
        sizeFields: llavaSizeFields(config),
        manifestSection: async (d, opts) => llavaSection(config, await readPreprocessing(d, config.visionConfig.imageSize, opts.imageMode ?? 'pad')),
        ids: { bosTokenId: t.bosTokenId, eosTokenIds: t.eosTokenIds, padTokenId: t.padTokenId },
      };
    } catch (e) {
      await raw.close();
      throw e;
    }
  },
};
