/** The decoder's part of a manifest, the same for every family whose language model is LLaMA-shaped (LLaMA, Qwen2). */
import type { BundleManifest } from '../bundle/manifest.ts';
import type { LlamaConfig } from '../checkpoint/hf-config.ts';

type TextSection = Omit<BundleManifest['text'], 'mropeSection'>;

export function textSection(t: LlamaConfig, scaling: LlamaConfig['ropeScaling'] = t.ropeScaling): TextSection {
  return {
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
    rope: { theta: t.ropeTheta, scaling },
  };
}
