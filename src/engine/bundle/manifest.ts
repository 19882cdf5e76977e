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
export const BUNDLE_FORMAT_VERSION = 1;
export const COMPILER_VERSION = '1.0.0';

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

export const manifestSchema = z.object({
  format: z.literal(BUNDLE_FORMAT),
  formatVersion: z.literal(BUNDLE_FORMAT_VERSION),
  compilerVersion: z.string().min(1),
  createdAt: z.string(),
  architecture: z.literal('llava'),
  /** Weight type inside the graphs; graph I/O is float32 either way. */
  dtype: z.enum(['fp32', 'fp16']),
  /** decoder.onnx returns attn_last (always true for bundles made by `laser compile`). */
  taps: z.boolean(),
  text: textSchema,
  vision: visionSchema,
  imageTokenId: nat,
  bosTokenId: nat.nullable(),
  eosTokenIds: z.array(nat),
  padTokenId: nat.nullable(),
  preprocessing: preprocessingSchema,
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
});

export type BundleManifest = z.infer<typeof manifestSchema>;
export type Preprocessing = z.infer<typeof preprocessingSchema>;
