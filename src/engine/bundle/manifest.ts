/**
 * manifest.json of a LASER bundle: the source of truth for what the runtime needs besides the graphs
 * (docs/bundle-format.md). Written by the compiler, validated by openBundle.
 *
 * Version rules: `formatVersion` changes when the graph I/O contract or the meaning of a field
 * changes (a runtime must refuse versions it does not know); `compilerVersion` changes whenever the
 * compiler emits different graphs for the same checkpoint (recompile to pick up fixes).
 */
import { z } from 'zod';

export const BUNDLE_FORMAT = 'laser-bundle';
/**
 * 2: the manifest is a union keyed on `architecture` (llava, qwen2-vl). A version-1 bundle is a
 * llava one with the same fields, so it still opens.
 */
export const BUNDLE_FORMAT_VERSION = 2;
/** Versions this build reads. */
export const READABLE_FORMAT_VERSIONS = [1, 2] as const;
export const COMPILER_VERSION = '2.2.0';

const nat = z.number().int().nonnegative();
const pos = z.number().int().positive();
const triple = z.tuple([z.number(), z.number(), z.number()]);
/** A plain file name: no folder part, so a manifest cannot point outside its bundle. */
const fileName = z.string().regex(/^(?!\.\.?$)[^/\\]+$/, 'must be a plain file name');

export const ropeScalingSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('linear'), factor: z.number().positive() }),
  z.object({ type: z.literal('dynamic'), factor: z.number().positive() }),
  z.object({
    type: z.literal('llama3'),
    factor: z.number().positive(),
    lowFreqFactor: z.number().positive(),
    highFreqFactor: z.number().positive(),
    originalMaxPositionEmbeddings: pos,
  }),
]);

export const textSchema = z.object({
  layers: pos,
  heads: pos,
  kvHeads: pos,
  headDim: pos,
  hidden: pos,
  intermediate: pos,
  vocab: pos,
  rmsNormEps: z.number().positive(),
  maxPositionEmbeddings: pos,
  tieWordEmbeddings: z.boolean(),
  rope: z.object({ theta: z.number().positive(), scaling: ropeScalingSchema.nullable() }),
});

export const visionSchema = z.object({
  imageSize: pos,
  patchSize: pos,
  channels: pos,
  /** Patches per side [gh, gw]: the layout of one image's tokens (row-major). */
  grid: z.tuple([pos, pos]),
  /** Image tokens per image: gh*gw ('default') or 1 + gh*gw ('full', CLS first). */
  tokensPerImage: pos,
  strategy: z.enum(['default', 'full']),
  /** vision_feature_layer as in config.json (negative counts from the end). */
  featureLayer: z.number().int(),
  /** The same as a non-negative index into CLIP hidden_states (0 = embeddings). */
  hiddenStateIndex: nat,
  /** CLIP layers in the checkpoint / built into vision.onnx (only those up to the feature layer). */
  layers: pos,
  layersBuilt: nat,
  hidden: pos,
});

/**
 * Image preprocessing. `config` is the checkpoint's preprocessor_config.json verbatim when it has
 * one (`source: 'preprocessor_config.json'`), else the CLIPImageProcessor defaults for the vision
 * tower's image size (`source: 'derived'`); the typed keys below are guaranteed present.
 * `mode`: 'pad' pads to a square with the mean colour first (original LLaVA-1.5, as trained);
 * 'crop' resizes the shortest edge and centre-crops (the llava-hf processor).
 */
export const preprocessingSchema = z.object({
  source: z.enum(['preprocessor_config.json', 'derived']),
  mode: z.enum(['pad', 'crop']),
  config: z.looseObject({
    image_mean: triple,
    image_std: triple,
    size: z.looseObject({}),
    crop_size: z.looseObject({}).optional(),
    resample: z.number().int().optional(),
    rescale_factor: z.number().optional(),
  }),
});

export const sourceFileSchema = z.object({
  /** Path relative to the checkpoint folder. */
  name: z.string().min(1),
  bytes: nat,
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
});

/** Qwen2-VL's decoder: the LLaMA fields (rope.scaling null) plus its M-RoPE sections. */
export const qwenTextSchema = textSchema.extend({
  /** [t, h, w] parts of headDim / 2 (position_ids are [3, B, S]). */
  mropeSection: z.tuple([pos, pos, pos]),
});

export const qwenVisionSchema = z.object({
  /** 'qwen2_vl' (LayerNorm blocks, full attention) or 'qwen2_5_vl' (RMSNorm, gated MLP, windows). */
  modelType: z.enum(['qwen2_vl', 'qwen2_5_vl']),
  depth: pos,
  embedDim: pos,
  heads: pos,
  mlpHidden: pos,
  channels: pos,
  patchSize: pos,
  /** merge x merge patches become one image token. */
  mergeSize: pos,
  temporalPatchSize: pos,
  /** Floats per row of pixel_values (channels x temporal x patch x patch). */
  patchRow: pos,
  /** Qwen2.5-VL window attention, or null. */
  window: z.object({ size: pos, fullAttentionBlocks: z.array(nat) }).nullable(),
});

/**
 * Qwen2VLImageProcessor settings: preprocessor_config.json over the class defaults; min/max pixels
 * may be overridden at compile time (`laser compile --min-pixels/--max-pixels`) and per run.
 */
export const qwenPreprocessingSchema = z.object({
  source: z.enum(['preprocessor_config.json', 'derived']),
  /** Any resolution: smart_resize to multiples of patch x merge within [minPixels, maxPixels]. */
  mode: z.literal('smart-resize'),
  config: z.looseObject({
    image_mean: triple,
    image_std: triple,
    min_pixels: pos,
    max_pixels: pos,
    patch_size: pos,
    merge_size: pos,
    temporal_patch_size: pos,
  }),
});

/**
 * Weight-only quantisation of an int8/int4 bundle (absent in float bundles): which tensors became
 * com.microsoft MatMulNBits (Linear layers, lm_head) or GatherBlockQuantized (embed_tokens) weights,
 * block-wise along the input features with float32 scales (docs/bundle-format.md).
 */
export const quantizationSchema = z.object({
  method: z.literal('MatMulNBits'),
  bits: z.union([z.literal(4), z.literal(8)]),
  blockSize: z.union([z.literal(32), z.literal(64), z.literal(128)]),
  /** true: no zero points (the op's default 2^(bits-1)); false: a packed uint8 zero point per block. */
  symmetric: z.boolean(),
  /** MatMulNBits accuracy_level: 0 float32 activations, 4 int8 activations. */
  accuracyLevel: z.union([z.literal(0), z.literal(4)]),
  lmHead: z.boolean(),
  embeddings: z.boolean(),
  vision: z.boolean(),
  /** Checkpoint names (canonical HF 4.45) of every quantised tensor, sorted. */
  tensors: z.array(z.string().min(1)),
});

const commonFields = {
  format: z.literal(BUNDLE_FORMAT),
  compilerVersion: z.string().min(1),
  createdAt: z.string(),
  /** Weight type inside the graphs; graph I/O is float32 either way. int8/int4: see `quantization`. */
  dtype: z.enum(['fp32', 'fp16', 'int8', 'int4']),
  quantization: quantizationSchema.optional(),
  /** decoder.onnx returns attn_last (always true for bundles made by `laser compile`). */
  taps: z.boolean(),
  imageTokenId: nat,
  bosTokenId: nat.nullable(),
  eosTokenIds: z.array(nat),
  padTokenId: nat.nullable(),
  /** The Jinja chat template (chat_template.jinja/.json or tokenizer_config.json), or null. */
  chatTemplate: z.string().nullable(),
  /** Tokenizer files copied into `<bundle>/<dir>/`, or null when the checkpoint had none. */
  tokenizer: z.object({ dir: z.literal('tokenizer'), files: z.array(fileName).min(1) }).nullable(),
  source: z.object({
    /** The checkpoint folder's name (not its path). */
    name: z.string(),
    modelType: z.string(),
    files: z.array(sourceFileSchema),
  }),
  graphs: z.object({
    vision: z.literal('vision.onnx'),
    embed: z.literal('embed.onnx'),
    decoder: z.literal('decoder.onnx'),
    /** decoder.onnx + input attn_layer → output attn_full, reading decoder.onnx.data (optional). */
    decoderAttention: z.literal('decoder-attention.onnx').optional(),
  }),
};

export const llavaManifestSchema = z.object({
  ...commonFields,
  formatVersion: z.union([z.literal(1), z.literal(2)]),
  architecture: z.literal('llava'),
  text: textSchema,
  vision: visionSchema,
  preprocessing: preprocessingSchema,
});

export const qwenManifestSchema = z.object({
  ...commonFields,
  formatVersion: z.literal(2),
  architecture: z.literal('qwen2-vl'),
  text: qwenTextSchema,
  vision: qwenVisionSchema,
  videoTokenId: nat,
  visionStartTokenId: nat,
  visionEndTokenId: nat,
  preprocessing: qwenPreprocessingSchema,
});

export const manifestSchema = z.discriminatedUnion('architecture', [llavaManifestSchema, qwenManifestSchema]);

export type BundleManifest = z.infer<typeof manifestSchema>;
export type LlavaManifest = z.infer<typeof llavaManifestSchema>;
export type QwenManifest = z.infer<typeof qwenManifestSchema>;
/** The manifest's architecture names (registry.ts maps each to its family). */
export type ArchitectureName = BundleManifest['architecture'];
export type Preprocessing = z.infer<typeof preprocessingSchema>;
export type QwenPreprocessing = z.infer<typeof qwenPreprocessingSchema>;
/** The fields a family contributes to the manifest (the rest are common to every bundle). */
export type ModelSection =
  | Pick<LlavaManifest, 'architecture' | 'text' | 'vision' | 'imageTokenId' | 'preprocessing'>
  | Pick<QwenManifest, 'architecture' | 'text' | 'vision' | 'imageTokenId' | 'videoTokenId' | 'visionStartTokenId' | 'visionEndTokenId' | 'preprocessing'>;

/**
 * The input geometry shared by every image of a fixed-grid model (LLaVA: one square side, one token
 * count, one grid), or null for a native-resolution one (Qwen2-VL: each image its own). Everything
 * above the model families asks this instead of naming an architecture.
 */
export function fixedImageGrid(m: BundleManifest): { imageSize: number; tokensPerImage: number; grid: [number, number] } | null {
  if (m.architecture !== 'llava') return null;
  return { imageSize: m.vision.imageSize, tokensPerImage: m.vision.tokensPerImage, grid: [m.vision.grid[0], m.vision.grid[1]] };
}

/** A native-resolution model's vision settings (merge size, patch row, windows), or null for a fixed-grid one. */
export function nativeResolutionVision(m: BundleManifest): QwenManifest['vision'] | null {
  return m.architecture === 'qwen2-vl' ? m.vision : null;
}
