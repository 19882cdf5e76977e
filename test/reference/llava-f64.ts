/**
 * LLaVA (transformers LlavaForConditionalGeneration, v4.45 semantics) in plain float64 TypeScript:
 * our independent oracle for the compiled ONNX graphs, on the golden fixture and on any tiny
 * checkpoint from test/support/checkpoints.ts.
 *
 * image → CLIP hidden state `vision_feature_layer` → drop CLS ('default') or keep it ('full') →
 * projector linear_2(gelu(linear_1(x))) → scattered into the image-token positions of the prompt
 * (the i-th image token gets the i-th feature row across all images, in order: image k fills the
 * k-th run) → LLaMA decoder → logits at every position.
 */
import { at } from '../support/index-access.ts';
import { openLlavaCheckpoint } from '../../src/engine/families/llava/checkpoint.ts';
import { imageTokensPerImage, visionHiddenStateIndex, type LlavaConfig } from '../../src/engine/checkpoint/hf-config.ts';
import { llavaTensorShapes } from '../../src/engine/families/llava/tensors.ts';
import { clipVisionTower, type ClipOutput } from './clip-f64.ts';
import { embedTokens, llamaForward, type LlamaOutput } from './llama-f64.ts';
import { geluErf, linear, map, matrix, row, type Matrix, type Weights } from './ops-f64.ts';

export interface LlavaF64 {
  config: LlavaConfig;
  weights: Weights;
}

/** Loads a checkpoint folder (any layout, sharded or not, any float dtype) into float64 weights. */
export async function loadLlavaF64(dir: string): Promise<LlavaF64> {
  const { config, weights: ck } = await openLlavaCheckpoint(dir);
  const w = new Map<string, Float64Array>();
  try {
    for (const { name } of llavaTensorShapes(config)) w.set(name, Float64Array.from(await ck.readFloat32(name)));
  } finally {
    await ck.close();
  }
  return {
    config,
    weights: (name) => {
      const t = w.get(name);
      if (!t) throw new Error(`reference: no weight "${name}"`);
      return t;
    },
  };
}

export interface ImageFeatures {
  /** Per image, [tokensPerImage, text hidden]: what fills that image's run of image tokens. */
  features: Matrix[];
  /** The vision tower's own outputs, per image. */
  vision: ClipOutput[];
}

/** pixelValues: [numImages, channels, size, size] row-major, already preprocessed. */
export function imageFeatures(m: LlavaF64, pixelValues: Float64Array, numImages: number): ImageFeatures {
  const v = m.config.visionConfig;
  const per = v.numChannels * v.imageSize * v.imageSize;
  if (pixelValues.length !== numImages * per) throw new Error(`imageFeatures: ${pixelValues.length} values for ${numImages} images of ${per}`);
  const vision: ClipOutput[] = [];
  const features: Matrix[] = [];
  for (let k = 0; k < numImages; k++) {
    const out = clipVisionTower(v, m.weights, pixelValues.subarray(k * per, (k + 1) * per));
    vision.push(out);
    features.push(projector(m, selectFeatures(m.config, out)));
  }
  return { features, vision };
}

/** hidden_states[vision_feature_layer], without the CLS row for the 'default' strategy. */
function selectFeatures(c: LlavaConfig, out: ClipOutput): Matrix {
  const h = at(out.hiddenStates, visionHiddenStateIndex(c));
  if (c.visionFeatureSelectStrategy === 'full') return h;
  return matrix(h.rows - 1, h.cols, h.data.slice(h.cols));
}

/** LlavaMultiModalProjector: linear_2(gelu(linear_1(x))), gelu the exact (erf) form. */
function projector(m: LlavaF64, x: Matrix): Matrix {
  const H = m.config.textConfig.hiddenSize;
  const w = m.weights;
  const b = (n: string) => (m.config.projectorBias ? w(n) : undefined);
  const h = map(linear(x, w('multi_modal_projector.linear_1.weight'), H, b('multi_modal_projector.linear_1.bias')), geluErf);
  return linear(h, w('multi_modal_projector.linear_2.weight'), H, b('multi_modal_projector.linear_2.bias'));
}

/**
 * Token embeddings with image features written over the image-token rows (masked_scatter). The
 * number of image tokens must equal the number of feature rows.
 */
export function mergeImageFeatures(m: LlavaF64, inputIds: readonly number[], features: Matrix[]): Matrix {
  const x = embedTokens(m.config.textConfig, m.weights, inputIds);
  const rows = features.flatMap((f) => Array.from({ length: f.rows }, (_, i) => row(f, i)));
  const slots = inputIds.flatMap((id, i) => (id === m.config.imageTokenIndex ? [i] : []));
  if (slots.length !== rows.length)
    throw new Error(
      `mergeImageFeatures: ${slots.length} image tokens but ${rows.length} feature rows (${features.length} images × ${imageTokensPerImage(m.config)})`,
    );
  slots.forEach((s, i) => x.data.set(at(rows, i), s * x.cols));
  return x;
}

export interface LlavaOutput extends LlamaOutput {
  /** hidden_states.0: the merged input embeddings. */
  inputsEmbeds: Matrix;
  image: ImageFeatures;
}

/** The full forward over a prompt (no cache). pixelValues may be empty when there are no images. */
export function llavaForward(
  m: LlavaF64,
  inputIds: readonly number[],
  pixelValues: Float64Array,
  numImages: number,
  positions?: readonly number[],
): LlavaOutput {
  const image = imageFeatures(m, pixelValues, numImages);
  const inputsEmbeds = mergeImageFeatures(m, inputIds, image.features);
  const pos = positions ?? inputIds.map((_, i) => i);
  return { ...llamaForward(m.config.textConfig, m.weights, inputsEmbeds, pos), inputsEmbeds, image };
}

/**
 * Greedy decoding of `steps` tokens by full recomputation (no cache): at each step the logits of the
 * last position pick the next id (first maximum on ties, as torch.argmax). Image features are
 * computed once. Returns the new ids and each step's last-position logits.
 */
export function greedyDecode(
  m: LlavaF64,
  inputIds: readonly number[],
  pixelValues: Float64Array,
  numImages: number,
  steps: number,
): { newIds: number[]; stepLogits: Float64Array[] } {
  const image = imageFeatures(m, pixelValues, numImages);
  const ids = [...inputIds];
  const newIds: number[] = [];
  const stepLogits: Float64Array[] = [];
  for (let s = 0; s < steps; s++) {
    const embeds = mergeImageFeatures(m, ids, image.features);
    const { logits } = llamaForward(
      m.config.textConfig,
      m.weights,
      embeds,
      ids.map((_, i) => i),
    );
    const last = row(logits, logits.rows - 1).slice();
    const next = argmax(last);
    stepLogits.push(last);
    newIds.push(next);
    ids.push(next);
  }
  return { newIds, stepLogits };
}

export function argmax(v: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < v.length; i++) if (at(v, i) > at(v, best)) best = i;
  return best;
}
