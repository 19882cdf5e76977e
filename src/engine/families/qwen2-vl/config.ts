/**
 * config.json of a Qwen2-VL or Qwen2.5-VL checkpoint → a typed config with every value spelled out.
 *
 * Defaults copy transformers' Qwen2VLConfig / Qwen2VLVisionConfig (v4.45) and Qwen2_5_VLConfig /
 * Qwen2_5_VLVisionConfig (v4.49), because `save_pretrained` omits values equal to them (the tiny
 * fixture's vision_config has no patch_size). Text fields sit at the top level in checkpoints as
 * Qwen publishes them; transformers >= 4.52 may also write them under `text_config`, which is read
 * first when present.
 *
 * M-RoPE: `rope_scaling.mrope_section` splits the rotary half-dimension into (t, h, w) parts; the
 * saved config often says `rope_type: "default"` (or `"mrope"`) beside it, and both mean M-RoPE here.
 * The sections must add up to head_dim / 2.
 */
import { z } from 'zod';
import { WorkbenchError } from '../../../common/contract/errors.ts';
import type { SizeField } from '../../checkpoint/size-fields.ts';
import type { LlamaConfig } from '../../checkpoint/hf-config.ts';

export type QwenModelType = 'qwen2_vl' | 'qwen2_5_vl';

export interface QwenVisionConfig {
  /** Transformer blocks of the vision tower. */
  depth: number;
  /** Width of the vision blocks (Qwen2-VL `embed_dim`, Qwen2.5-VL `hidden_size`). */
  embedDim: number;
  numHeads: number;
  /** Hidden width of each block's MLP (Qwen2-VL: embed_dim * mlp_ratio; Qwen2.5-VL: intermediate_size). */
  mlpHidden: number;
  /** The merger's output width, = the text hidden size. */
  outHidden: number;
  hiddenAct: 'quick_gelu' | 'silu' | 'gelu';
  inChannels: number;
  patchSize: number;
  spatialMergeSize: number;
  temporalPatchSize: number;
  /** Qwen2.5-VL only: window attention (window_size in pixels; blocks with full attention). */
  window: { size: number; fullAttentionBlocks: number[] } | null;
}

export interface QwenConfig {
  modelType: QwenModelType;
  /** The Qwen2 decoder: LLaMA's shape with q/k/v biases. `ropeScaling` is null (M-RoPE is below). */
  textConfig: LlamaConfig;
  /** [t, h, w] parts of head_dim / 2. */
  mropeSection: [number, number, number];
  visionConfig: QwenVisionConfig;
  imageTokenId: number;
  videoTokenId: number;
  visionStartTokenId: number;
  visionEndTokenId: number;
}

const hintInvalid = 'config.json does not match what transformers writes for this model; re-download it from the model repository.';
const hintUnsupported = 'LASER Workbench compiles Qwen2-VL and Qwen2.5-VL checkpoints as Qwen publishes them.';

const int = z.number().int();
const pos = int.positive();
const posNum = z.number().positive();
const obj = z.record(z.string(), z.unknown());

/** Qwen2VLConfig's text fields (top level) with the class defaults of 4.45. */
const textRaw = z.object({
  hidden_size: pos.default(8192),
  intermediate_size: pos.default(29568),
  num_hidden_layers: pos.default(80),
  num_attention_heads: pos.default(64),
  num_key_value_heads: pos.default(8),
  hidden_act: z.string().default('silu'),
  max_position_embeddings: pos.default(32768),
  rms_norm_eps: posNum.default(1e-5),
  vocab_size: pos.default(152064),
  tie_word_embeddings: z.boolean().default(false),
  rope_theta: posNum.default(1000000),
  rope_scaling: obj.nullish(),
  use_sliding_window: z.boolean().default(false),
  bos_token_id: int.nullable().default(null),
  eos_token_id: z
    .union([int, z.array(int)])
    .nullable()
    .default(null),
  pad_token_id: int.nullable().default(null),
});

const topRaw = z.object({
  model_type: z.string(),
  text_config: obj.nullish(),
  vision_config: obj.nullish(),
  image_token_id: int.default(151655),
  video_token_id: int.default(151656),
  vision_start_token_id: int.default(151652),
  vision_end_token_id: int.default(151653),
});

/** Qwen2VLVisionConfig (4.45). */
const vision2Raw = z.object({
  depth: pos.default(32),
  embed_dim: pos.default(1280),
  hidden_size: pos.default(3584),
  hidden_act: z.string().default('quick_gelu'),
  mlp_ratio: posNum.default(4),
  num_heads: pos.default(16),
  in_channels: pos.default(3),
  patch_size: pos.default(14),
  spatial_merge_size: pos.default(2),
  temporal_patch_size: pos.default(2),
});

/** Qwen2_5_VLVisionConfig (4.49). */
const vision25Raw = z.object({
  depth: pos.default(32),
  hidden_size: pos.default(3584),
  hidden_act: z.string().default('silu'),
  intermediate_size: pos.default(3420),
  num_heads: pos.default(16),
  in_channels: pos.optional(),
  in_chans: pos.optional(),
  patch_size: pos.default(14),
  spatial_merge_size: pos.default(2),
  temporal_patch_size: pos.default(2),
  window_size: pos.default(112),
  out_hidden_size: pos.default(3584),
  fullatt_block_indexes: z.array(int.nonnegative()).default([7, 15, 23, 31]),
});

function fail(file: string, field: string, what: string): WorkbenchError {
  return new WorkbenchError('invalid-checkpoint', `${file}: ${field} ${what}`, hintInvalid);
}

function parseWith<S extends z.ZodType>(schema: S, json: unknown, file: string, prefix: string): z.output<S> {
  const r = schema.safeParse(json);
  if (r.success) return r.data;
  const lines = r.error.issues.map((issue) => {
    const path = [prefix, ...issue.path.map(String)].filter(Boolean).join('.');
    const value = issue.path.reduce<unknown>((o, k) => (o as Record<PropertyKey, unknown> | undefined)?.[k as PropertyKey], json);
    return value === undefined ? `"${path}" is missing` : `"${path}" is ${JSON.stringify(value)}: ${issue.message}`;
  });
  throw new WorkbenchError('invalid-checkpoint', `${file}: ${lines.join('; ')}`, hintInvalid);
}

function eosList(eos: number | number[] | null): number[] {
  return eos === null ? [] : Array.isArray(eos) ? eos : [eos];
}

function parseMrope(scaling: Record<string, unknown> | null | undefined, headDim: number, file: string, field: string): [number, number, number] {
  const section = scaling?.mrope_section;
  if (section === undefined) {
    throw fail(file, `${field}.mrope_section`, 'is missing: Qwen2-VL needs the three M-RoPE sections (t, h, w) of head_dim / 2');
  }
  if (!Array.isArray(section) || section.length !== 3 || !section.every((s) => Number.isInteger(s) && s > 0)) {
    throw fail(file, `${field}.mrope_section`, `${JSON.stringify(section)} must be three positive integers (t, h, w)`);
  }
  const type = scaling?.rope_type ?? scaling?.type ?? 'default';
  if (type !== 'default' && type !== 'mrope') {
    throw new WorkbenchError(
      'unsupported-model',
      `${file}: ${field} type ${JSON.stringify(type)} is not supported with M-RoPE (supported: default, mrope)`,
      hintUnsupported,
    );
  }
  const sum = section[0] + section[1] + section[2];
  if (sum !== headDim / 2)
    throw fail(
      file,
      `${field}.mrope_section`,
      `${JSON.stringify(section)} adds up to ${sum}, but head_dim / 2 is ${headDim / 2} (hidden_size / num_attention_heads = ${headDim})`,
    );
  return [section[0], section[1], section[2]];
}

function parseText(json: unknown, file: string, prefix: string): { text: LlamaConfig; mrope: [number, number, number] } {
  const r = parseWith(textRaw, json, file, prefix);
  const at = (f: string) => (prefix ? `${prefix}.${f}` : f);
  if (r.hidden_act !== 'silu')
    throw new WorkbenchError('unsupported-model', `${file}: ${at('hidden_act')} "${r.hidden_act}" is not supported (supported: silu)`, hintUnsupported);
  if (r.use_sliding_window)
    throw new WorkbenchError(
      'unsupported-model',
      `${file}: ${at('use_sliding_window')} true is not supported (Qwen2-VL checkpoints ship with it off)`,
      hintUnsupported,
    );
  if (r.hidden_size % r.num_attention_heads !== 0)
    throw fail(file, at('num_attention_heads'), `${r.num_attention_heads} does not divide hidden_size ${r.hidden_size}`);
  if (r.num_attention_heads % r.num_key_value_heads !== 0)
    throw fail(file, at('num_key_value_heads'), `${r.num_key_value_heads} does not divide num_attention_heads ${r.num_attention_heads}`);
  const headDim = r.hidden_size / r.num_attention_heads;
  if (headDim % 2 !== 0)
    throw fail(file, at('hidden_size'), `${r.hidden_size} / num_attention_heads gives head_dim ${headDim}, which must be even for rotary embeddings`);
  const mrope = parseMrope(r.rope_scaling, headDim, file, at('rope_scaling'));
  return {
    mrope,
    text: {
      hiddenSize: r.hidden_size,
      intermediateSize: r.intermediate_size,
      numHiddenLayers: r.num_hidden_layers,
      numAttentionHeads: r.num_attention_heads,
      numKeyValueHeads: r.num_key_value_heads,
      headDim,
      rmsNormEps: r.rms_norm_eps,
      ropeTheta: r.rope_theta,
      ropeScaling: null,
      maxPositionEmbeddings: r.max_position_embeddings,
      vocabSize: r.vocab_size,
      tieWordEmbeddings: r.tie_word_embeddings,
      bosTokenId: r.bos_token_id,
      eosTokenIds: eosList(r.eos_token_id),
      padTokenId: r.pad_token_id,
      hiddenAct: 'silu',
    },
  };
}

function checkAct(act: string, file: string, supported: readonly string[]): QwenVisionConfig['hiddenAct'] {
  if (!supported.includes(act))
    throw new WorkbenchError(
      'unsupported-model',
      `${file}: vision_config.hidden_act "${act}" is not supported (supported: ${supported.join(', ')})`,
      hintUnsupported,
    );
  return act as QwenVisionConfig['hiddenAct'];
}

function parseVision(modelType: QwenModelType, json: unknown, file: string): QwenVisionConfig {
  if (modelType === 'qwen2_vl') {
    const r = parseWith(vision2Raw, json, file, 'vision_config');
    const mlpHidden = r.embed_dim * r.mlp_ratio;
    if (!Number.isInteger(mlpHidden)) throw fail(file, 'vision_config.mlp_ratio', `${r.mlp_ratio} times embed_dim ${r.embed_dim} is not a whole number`);
    return {
      depth: r.depth,
      embedDim: r.embed_dim,
      numHeads: r.num_heads,
      mlpHidden,
      outHidden: r.hidden_size,
      hiddenAct: checkAct(r.hidden_act, file, ['quick_gelu', 'gelu', 'silu']),
      inChannels: r.in_channels,
      patchSize: r.patch_size,
      spatialMergeSize: r.spatial_merge_size,
      temporalPatchSize: r.temporal_patch_size,
      window: null,
    };
  }
  const r = parseWith(vision25Raw, json, file, 'vision_config');
  const unit = r.patch_size * r.spatial_merge_size;
  if (r.window_size % unit !== 0)
    throw fail(file, 'vision_config.window_size', `${r.window_size} is not a multiple of patch_size x spatial_merge_size = ${unit}`);
  const bad = r.fullatt_block_indexes.find((i) => i >= r.depth);
  if (bad !== undefined) throw fail(file, 'vision_config.fullatt_block_indexes', `names block ${bad}, but depth is ${r.depth}`);
  return {
    depth: r.depth,
    embedDim: r.hidden_size,
    numHeads: r.num_heads,
    mlpHidden: r.intermediate_size,
    outHidden: r.out_hidden_size,
    hiddenAct: checkAct(r.hidden_act, file, ['silu', 'gelu', 'quick_gelu']),
    inChannels: r.in_channels ?? r.in_chans ?? 3,
    patchSize: r.patch_size,
    spatialMergeSize: r.spatial_merge_size,
    temporalPatchSize: r.temporal_patch_size,
    window: { size: r.window_size, fullAttentionBlocks: [...r.fullatt_block_indexes] },
  };
}

/** Parses a Qwen2-VL / Qwen2.5-VL config.json object; `file` is only used in messages. */
export function parseQwenConfig(json: Record<string, unknown>, file: string): QwenConfig {
  const top = parseWith(topRaw, json, file, '');
  const modelType = top.model_type as QwenModelType;
  const { text, mrope } = top.text_config ? parseText(top.text_config, file, 'text_config') : parseText(json, file, '');
  const visionConfig = parseVision(modelType, top.vision_config ?? {}, file);
  const v = visionConfig;
  if (v.embedDim % v.numHeads !== 0) throw fail(file, 'vision_config.num_heads', `${v.numHeads} does not divide the vision width ${v.embedDim}`);
  const vHead = v.embedDim / v.numHeads;
  if (vHead % 4 !== 0) throw fail(file, 'vision_config.num_heads', `gives a vision head_dim of ${vHead}; the 2-D rotary embedding needs a multiple of 4`);
  if (v.outHidden !== text.hiddenSize) {
    const field = modelType === 'qwen2_vl' ? 'vision_config.hidden_size' : 'vision_config.out_hidden_size';
    throw fail(file, field, `${v.outHidden} must equal the text hidden_size ${text.hiddenSize} (the merger's output replaces token embeddings)`);
  }
  return {
    modelType,
    textConfig: text,
    mropeSection: mrope,
    visionConfig,
    imageTokenId: top.image_token_id,
    videoTokenId: top.video_token_id,
    visionStartTokenId: top.vision_start_token_id,
    visionEndTokenId: top.vision_end_token_id,
  };
}

/**
 * The config.json fields (as written: text fields at the top level, or under `text_config` when the
 * file has that section) whose values are the sizes the weights must have, so a tensor whose shape
 * disagrees names the field behind the size (checkpoint/size-fields.ts).
 */
export function qwenSizeFields(cfg: QwenConfig, textUnderTextConfig: boolean): SizeField[] {
  const t = cfg.textConfig;
  const v = cfg.visionConfig;
  const at = (f: string) => (textUnderTextConfig ? `text_config.${f}` : f);
  const two = cfg.modelType === 'qwen2_vl';
  const width = two ? 'vision_config.embed_dim' : 'vision_config.hidden_size';
  const unit = v.spatialMergeSize * v.spatialMergeSize;
  return [
    [at('hidden_size'), t.hiddenSize],
    [at('intermediate_size'), t.intermediateSize],
    [at('vocab_size'), t.vocabSize],
    [at('num_attention_heads x head_dim'), t.numAttentionHeads * t.headDim],
    [at('num_key_value_heads x head_dim'), t.numKeyValueHeads * t.headDim],
    [width, v.embedDim],
    [`3 x ${width}`, 3 * v.embedDim],
    [two ? 'vision_config.embed_dim x mlp_ratio' : 'vision_config.intermediate_size', v.mlpHidden],
    [`${width} x spatial_merge_size^2`, unit * v.embedDim],
    [two ? 'vision_config.hidden_size' : 'vision_config.out_hidden_size', v.outHidden],
    ['vision_config.in_channels', v.inChannels],
    ['vision_config.temporal_patch_size', v.temporalPatchSize],
    ['vision_config.patch_size', v.patchSize],
  ];
}

/** Floats in one flattened patch row of pixel_values: channels x temporal x patch x patch (1176 for Qwen). */
export function patchRowSize(v: QwenVisionConfig): number {
  return v.inChannels * v.temporalPatchSize * v.patchSize * v.patchSize;
}
