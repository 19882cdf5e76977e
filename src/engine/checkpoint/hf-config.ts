/**
 * config.json of a Hugging Face checkpoint → a typed config with every value spelled out.
 *
 * `save_pretrained` omits values equal to the class defaults (llava-hf/llava-1.5-7b-hf's text_config
 * has no hidden_size: it is LlamaConfig's default, 4096), so the defaults below copy transformers'
 * LlamaConfig, CLIPVisionConfig and LlavaConfig (v4.45, unchanged in later 4.x). Nested configs
 * given as dicts take their own class defaults; a missing vision_config takes LlavaConfig's
 * built-in CLIP ViT-L/14-336 and a missing text_config LlamaConfig(), as in transformers; when the
 * weights then do not match, families/llava names the missing section and what it assumed.
 *
 * Errors: a model_type we do not compile → 'unsupported-model'; a value of the wrong type, a
 * missing model_type or an inconsistent config → 'invalid-checkpoint'. Messages name the field and
 * the file.
 */
import { z } from 'zod';
import { WorkbenchError } from '../../common/contract/errors.ts';
import { hintInvalidConfig as hintInvalid, readConfigObject } from './config-json.ts';

export type RopeScaling =
  | { type: 'linear'; factor: number }
  | { type: 'dynamic'; factor: number }
  | { type: 'llama3'; factor: number; lowFreqFactor: number; highFreqFactor: number; originalMaxPositionEmbeddings: number };

export interface LlamaConfig {
  hiddenSize: number;
  intermediateSize: number;
  numHiddenLayers: number;
  numAttentionHeads: number;
  /** Defaults to numAttentionHeads (no GQA). */
  numKeyValueHeads: number;
  /** Defaults to floor(hiddenSize / numAttentionHeads). */
  headDim: number;
  rmsNormEps: number;
  ropeTheta: number;
  ropeScaling: RopeScaling | null;
  maxPositionEmbeddings: number;
  vocabSize: number;
  /** true: the checkpoint has no lm_head; logits use embed_tokens. */
  tieWordEmbeddings: boolean;
  bosTokenId: number | null;
  /** [] when none; several for models that stop on more than one token. */
  eosTokenIds: number[];
  padTokenId: number | null;
  hiddenAct: 'silu';
}

export interface ClipVisionConfig {
  hiddenSize: number;
  intermediateSize: number;
  numHiddenLayers: number;
  numAttentionHeads: number;
  imageSize: number;
  patchSize: number;
  layerNormEps: number;
  hiddenAct: 'quick_gelu' | 'gelu';
  numChannels: number;
}

export interface LlavaConfig {
  modelType: 'llava';
  textConfig: LlamaConfig;
  visionConfig: ClipVisionConfig;
  imageTokenIndex: number;
  projectorHiddenAct: 'gelu';
  /** multi_modal_projector linears have biases (LlavaConfig.multimodal_projector_bias, default true). */
  projectorBias: boolean;
  /** Index into CLIP's hidden_states tuple (length numHiddenLayers + 1); negative counts from the end. */
  visionFeatureLayer: number;
  visionFeatureSelectStrategy: 'default' | 'full';
  /** As written in config.json (default 576); the true count is `imageTokensPerImage(config)`. */
  imageSeqLength: number;
}

/** model_types we compile. */
export const supportedModelTypes = ['llava'] as const;
/** model_types we recognise but do not compile yet. */
const knownUnsupported = ['llava_next', 'llava_next_video', 'llava_onevision', 'idefics2', 'idefics3', 'paligemma', 'mllama', 'blip-2', 'instructblip'];

const hintUnsupported = `LASER Workbench compiles: ${supportedModelTypes.join(', ')}. Use a LLaVA-1.5 checkpoint in the llava-hf format.`;

// --- raw schemas: transformers' field names and class defaults ---------------------------------

const int = z.number().int();
const pos = int.positive();
const posNum = z.number().positive();
const obj = z.record(z.string(), z.unknown());

const llamaRaw = z.object({
  model_type: z.string().default('llama'),
  hidden_size: pos.default(4096),
  intermediate_size: pos.default(11008),
  num_hidden_layers: pos.default(32),
  num_attention_heads: pos.default(32),
  num_key_value_heads: pos.nullish(),
  head_dim: pos.nullish(),
  hidden_act: z.string().default('silu'),
  max_position_embeddings: pos.default(2048),
  rms_norm_eps: posNum.default(1e-6),
  vocab_size: pos.default(32000),
  tie_word_embeddings: z.boolean().default(false),
  rope_theta: posNum.default(10000),
  rope_scaling: obj.nullish(),
  /** transformers v5 folds rope_theta and rope_scaling into this. */
  rope_parameters: obj.nullish(),
  attention_bias: z.boolean().default(false),
  mlp_bias: z.boolean().default(false),
  bos_token_id: int.nullable().default(1),
  eos_token_id: z
    .union([int, z.array(int)])
    .nullable()
    .default(2),
  pad_token_id: int.nullable().default(null),
});

const clipDefaults = { hidden_size: 768, intermediate_size: 3072, num_hidden_layers: 12, num_attention_heads: 12, image_size: 224, patch_size: 32 };
/** LlavaConfig's vision tower when config.json has no vision_config at all (CLIP ViT-L/14 at 336 px). */
const llavaDefaultVision = { hidden_size: 1024, intermediate_size: 4096, num_hidden_layers: 24, num_attention_heads: 16, image_size: 336, patch_size: 14 };

const clipRaw = z.object({
  model_type: z.string().default('clip_vision_model'),
  hidden_size: pos.default(clipDefaults.hidden_size),
  intermediate_size: pos.default(clipDefaults.intermediate_size),
  num_hidden_layers: pos.default(clipDefaults.num_hidden_layers),
  num_attention_heads: pos.default(clipDefaults.num_attention_heads),
  image_size: pos.default(clipDefaults.image_size),
  patch_size: pos.default(clipDefaults.patch_size),
  num_channels: pos.default(3),
  layer_norm_eps: posNum.default(1e-5),
  hidden_act: z.string().default('quick_gelu'),
});

const llavaRaw = z.object({
  model_type: z.string(),
  text_config: obj.nullish(),
  vision_config: obj.nullish(),
  image_token_index: int.optional(),
  image_token_id: int.optional(),
  projector_hidden_act: z.string().default('gelu'),
  multimodal_projector_bias: z.boolean().default(true),
  vision_feature_layer: z.union([int, z.array(int)]).default(-2),
  vision_feature_select_strategy: z.string().default('default'),
  image_seq_length: pos.default(576),
});

// --- entry points ---------------------------------------------------------------------------------

/** Reads and parses `<dir>/config.json`. */
export async function readModelConfig(dir: string): Promise<LlavaConfig> {
  const { json, file } = await readConfigObject(dir);
  return parseModelConfig(json, file);
}

/** Parses a config.json object; `file` is only used in messages. */
export function parseModelConfig(json: unknown, file: string): LlavaConfig {
  if (typeof json !== 'object' || json === null || Array.isArray(json))
    throw new WorkbenchError('invalid-checkpoint', `${file}: is not a JSON object`, hintInvalid);
  const modelType = (json as Record<string, unknown>).model_type;
  if (modelType === undefined) throw new WorkbenchError('invalid-checkpoint', `${file}: required field "model_type" is missing`, hintInvalid);
  if (typeof modelType !== 'string') throw new WorkbenchError('invalid-checkpoint', `${file}: "model_type" must be a string`, hintInvalid);
  if (modelType === 'llava') return parseLlavaConfig(json, file);
  if (knownUnsupported.includes(modelType))
    throw new WorkbenchError('unsupported-model', `${file}: model_type "${modelType}" is recognised but not supported yet`, hintUnsupported);
  throw new WorkbenchError('unsupported-model', `${file}: unknown model_type "${modelType}"`, hintUnsupported);
}

export function parseLlavaConfig(json: unknown, file: string): LlavaConfig {
  const raw = parseWith(llavaRaw, json, file, []);
  const textConfig = parseLlama(raw.text_config ?? {}, file);
  const visionConfig = parseClip(raw.vision_config ?? llavaDefaultVision, file);

  if (raw.projector_hidden_act !== 'gelu') throw unsupported(file, 'projector_hidden_act', raw.projector_hidden_act, 'gelu');
  const strategy = raw.vision_feature_select_strategy;
  if (strategy !== 'default' && strategy !== 'full') throw invalid(file, 'vision_feature_select_strategy', `"${strategy}" is neither "default" nor "full"`);
  const layer = raw.vision_feature_layer;
  if (Array.isArray(layer)) {
    throw new WorkbenchError(
      'unsupported-model',
      `${file}: vision_feature_layer is a list (${JSON.stringify(layer)}); features concatenated from several CLIP layers are not supported yet`,
      hintUnsupported,
    );
  }
  const nHidden = visionConfig.numHiddenLayers + 1;
  if (layer < -nHidden || layer >= nHidden)
    throw invalid(file, 'vision_feature_layer', `${layer} is outside the ${nHidden} CLIP hidden states (-${nHidden}..${nHidden - 1})`);

  return {
    modelType: 'llava',
    textConfig,
    visionConfig,
    imageTokenIndex: raw.image_token_index ?? raw.image_token_id ?? 32000,
    projectorHiddenAct: 'gelu',
    projectorBias: raw.multimodal_projector_bias,
    visionFeatureLayer: layer,
    visionFeatureSelectStrategy: strategy,
    imageSeqLength: raw.image_seq_length,
  };
}

function parseLlama(json: unknown, file: string): LlamaConfig {
  const r = parseWith(llamaRaw, json, file, ['text_config']);
  const at = (f: string) => `text_config.${f}`;
  if (r.model_type !== 'llama')
    throw new WorkbenchError('unsupported-model', `${file}: text_config.model_type "${r.model_type}" is not supported (only "llama")`, hintUnsupported);
  if (r.hidden_act !== 'silu') throw unsupported(file, at('hidden_act'), r.hidden_act, 'silu');
  if (r.attention_bias) throw unsupported(file, at('attention_bias'), true, 'false');
  if (r.mlp_bias) throw unsupported(file, at('mlp_bias'), true, 'false');
  const kvHeads = r.num_key_value_heads ?? r.num_attention_heads;
  if (r.num_attention_heads % kvHeads !== 0)
    throw invalid(file, at('num_key_value_heads'), `${kvHeads} does not divide num_attention_heads ${r.num_attention_heads}`);
  const headDim = r.head_dim ?? Math.floor(r.hidden_size / r.num_attention_heads);
  if (headDim < 2 || headDim % 2 !== 0) throw invalid(file, at('head_dim'), `${headDim} must be even for rotary embeddings`);
  const rope = r.rope_parameters ?? undefined;
  const ropeTheta = rope && typeof rope.rope_theta === 'number' ? rope.rope_theta : r.rope_theta;
  const ropeScaling = parseRopeScaling(rope ?? r.rope_scaling ?? null, file, rope ? at('rope_parameters') : at('rope_scaling'));
  const eos = r.eos_token_id;
  return {
    hiddenSize: r.hidden_size,
    intermediateSize: r.intermediate_size,
    numHiddenLayers: r.num_hidden_layers,
    numAttentionHeads: r.num_attention_heads,
    numKeyValueHeads: kvHeads,
    headDim,
    rmsNormEps: r.rms_norm_eps,
    ropeTheta,
    ropeScaling,
    maxPositionEmbeddings: r.max_position_embeddings,
    vocabSize: r.vocab_size,
    tieWordEmbeddings: r.tie_word_embeddings,
    bosTokenId: r.bos_token_id,
    eosTokenIds: eos === null ? [] : Array.isArray(eos) ? eos : [eos],
    padTokenId: r.pad_token_id,
    hiddenAct: 'silu',
  };
}

/** rope_scaling (or v5 rope_parameters): `rope_type` or the legacy `type`; "default" means none. */
function parseRopeScaling(s: Record<string, unknown> | null, file: string, field: string): RopeScaling | null {
  if (s === null) return null;
  const type = s.rope_type ?? s.type ?? 'default';
  if (type === 'default') return null;
  const num = (k: string, check: (x: number) => boolean, what: string): number => {
    const v = s[k];
    if (typeof v !== 'number' || !check(v))
      throw invalid(file, `${field}.${k}`, v === undefined ? `is required for rope_type "${String(type)}"` : `${JSON.stringify(v)} must be ${what}`);
    return v;
  };
  const factor = () => num('factor', (x) => x >= 1, 'a number >= 1');
  if (type === 'linear' || type === 'dynamic') return { type, factor: factor() };
  if (type === 'llama3') {
    const r = {
      type,
      factor: factor(),
      lowFreqFactor: num('low_freq_factor', (x) => x > 0, 'a positive number'),
      highFreqFactor: num('high_freq_factor', (x) => x > 0, 'a positive number'),
      originalMaxPositionEmbeddings: num('original_max_position_embeddings', (x) => Number.isInteger(x) && x > 0, 'a positive integer'),
    } as const;
    if (r.highFreqFactor <= r.lowFreqFactor)
      throw invalid(file, `${field}.high_freq_factor`, `${r.highFreqFactor} must exceed low_freq_factor ${r.lowFreqFactor}`);
    return r;
  }
  throw new WorkbenchError(
    'unsupported-model',
    `${file}: ${field} type ${JSON.stringify(type)} is not supported (supported: default, linear, dynamic, llama3)`,
    hintUnsupported,
  );
}

function parseClip(json: unknown, file: string): ClipVisionConfig {
  const r = parseWith(clipRaw, json, file, ['vision_config']);
  if (r.model_type !== 'clip_vision_model')
    throw new WorkbenchError(
      'unsupported-model',
      `${file}: vision_config.model_type "${r.model_type}" is not supported (only "clip_vision_model")`,
      hintUnsupported,
    );
  if (r.hidden_act !== 'quick_gelu' && r.hidden_act !== 'gelu') throw unsupported(file, 'vision_config.hidden_act', r.hidden_act, 'quick_gelu or gelu');
  if (r.hidden_size % r.num_attention_heads !== 0)
    throw invalid(file, 'vision_config.num_attention_heads', `${r.num_attention_heads} does not divide hidden_size ${r.hidden_size}`);
  if (r.patch_size > r.image_size) throw invalid(file, 'vision_config.patch_size', `${r.patch_size} is larger than image_size ${r.image_size}`);
  // CLIP's patch convolution would silently drop the pixels past the last whole patch.
  if (r.image_size % r.patch_size !== 0) {
    throw invalid(
      file,
      'vision_config.image_size',
      `${r.image_size} is not a multiple of patch_size ${r.patch_size} (the last ${r.image_size % r.patch_size} pixels of every row and column would be dropped)`,
    );
  }
  return {
    hiddenSize: r.hidden_size,
    intermediateSize: r.intermediate_size,
    numHiddenLayers: r.num_hidden_layers,
    numAttentionHeads: r.num_attention_heads,
    imageSize: r.image_size,
    patchSize: r.patch_size,
    layerNormEps: r.layer_norm_eps,
    hiddenAct: r.hidden_act,
    numChannels: r.num_channels,
  };
}

// --- derived quantities -----------------------------------------------------------------------------

/** Patches per side: image_size // patch_size (CLIP's conv floors). */
export function visionGrid(v: ClipVisionConfig): number {
  return Math.floor(v.imageSize / v.patchSize);
}

/** Image tokens one image occupies in the prompt: grid² for 'default', 1 + grid² (CLS first) for 'full'. */
export function imageTokensPerImage(c: LlavaConfig): number {
  const g = visionGrid(c.visionConfig);
  return c.visionFeatureSelectStrategy === 'default' ? g * g : g * g + 1;
}

/** vision_feature_layer as a non-negative index into CLIP hidden_states (0 = embeddings after pre_layrnorm). */
export function visionHiddenStateIndex(c: LlavaConfig): number {
  const n = c.visionConfig.numHiddenLayers + 1;
  return c.visionFeatureLayer < 0 ? n + c.visionFeatureLayer : c.visionFeatureLayer;
}

// --- errors ---------------------------------------------------------------------------------------

function parseWith<S extends z.ZodType>(schema: S, json: unknown, file: string, prefix: string[]): z.output<S> {
  const r = schema.safeParse(json);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  if (issue === undefined) throw new WorkbenchError('invalid-checkpoint', `${file}: ${r.error.message}`, hintInvalid);
  const path = [...prefix, ...issue.path.map(String)];
  const value = issue.path.reduce<unknown>((o, k) => (o as Record<PropertyKey, unknown> | undefined)?.[k as PropertyKey], json);
  if (issue.path.length > 0 && value === undefined) {
    throw new WorkbenchError('invalid-checkpoint', `${file}: required field "${path.join('.')}" is missing`, hintInvalid);
  }
  const where = path.length ? `"${path.join('.')}"` : prefix.length ? `"${prefix.join('.')}"` : 'the config';
  throw new WorkbenchError('invalid-checkpoint', `${file}: ${where} is ${JSON.stringify(value)}: ${issue.message}`, hintInvalid);
}

function invalid(file: string, field: string, what: string): WorkbenchError {
  return new WorkbenchError('invalid-checkpoint', `${file}: ${field} ${what}`, hintInvalid);
}

function unsupported(file: string, field: string, value: unknown, supported: string): WorkbenchError {
  return new WorkbenchError('unsupported-model', `${file}: ${field} ${JSON.stringify(value)} is not supported (supported: ${supported})`, hintUnsupported);
}
