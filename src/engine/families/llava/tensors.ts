/**
 * The tensors a LLaVA checkpoint must hold, under one canonical naming, with their shapes.
 *
 * Canonical names are the transformers 4.45 layout (what llava-hf checkpoints on the Hub use):
 *   vision_tower.vision_model.*, multi_modal_projector.*, language_model.model.*, language_model.lm_head.weight
 * Checkpoints saved by transformers >= 4.52 use a newer layout, which we accept by renaming:
 *   model.vision_tower.X          → vision_tower.X
 *   model.multi_modal_projector.X → multi_modal_projector.X
 *   model.language_model.X        → language_model.model.X
 *   lm_head.weight                → language_model.lm_head.weight
 * `canonicalLlavaView` wraps a Checkpoint so that every consumer (compiler, reference model) reads
 * canonical names whatever the layout on disk.
 *
 * Tensors the model does not use (CLIP post_layernorm, old rotary inv_freq buffers, an lm_head
 * stored despite tied embeddings) may be present; they are not checked.
 */
import { WorkbenchError } from '../../../common/contract/errors.ts';
import type { Checkpoint } from '../../checkpoint/checkpoint.ts';
import { renamedCheckpoint } from '../../checkpoint/renamed.ts';
import { isFloatDtype } from '../../checkpoint/dtype.ts';
import { impliedBy, type SizeField } from '../../checkpoint/size-fields.ts';
import { visionGrid, type LlavaConfig } from '../../checkpoint/hf-config.ts';

export interface ExpectedTensor {
  /** Canonical (transformers 4.45) name. */
  name: string;
  shape: number[];
}

const V = 'vision_tower.vision_model.';
const P = 'multi_modal_projector.';
const T = 'language_model.model.';
export const lmHeadName = 'language_model.lm_head.weight';

/** Every tensor the model needs, in model order (vision, projector, text), with its shape. */
export function llavaTensorShapes(c: LlavaConfig): ExpectedTensor[] {
  const v = c.visionConfig;
  const t = c.textConfig;
  const g = visionGrid(v);
  const out: ExpectedTensor[] = [];
  const add = (name: string, shape: number[]) => out.push({ name, shape });
  const linear = (name: string, outF: number, inF: number, bias: boolean) => {
    add(`${name}.weight`, [outF, inF]);
    if (bias) add(`${name}.bias`, [outF]);
  };
  const layerNorm = (name: string, d: number) => {
    add(`${name}.weight`, [d]);
    add(`${name}.bias`, [d]);
  };

  const D = v.hiddenSize;
  add(`${V}embeddings.patch_embedding.weight`, [D, v.numChannels, v.patchSize, v.patchSize]);
  add(`${V}embeddings.class_embedding`, [D]);
  add(`${V}embeddings.position_embedding.weight`, [g * g + 1, D]);
  layerNorm(`${V}pre_layrnorm`, D);
  for (let i = 0; i < v.numHiddenLayers; i++) {
    const l = `${V}encoder.layers.${i}.`;
    for (const p of ['q_proj', 'k_proj', 'v_proj', 'out_proj']) linear(`${l}self_attn.${p}`, D, D, true);
    layerNorm(`${l}layer_norm1`, D);
    linear(`${l}mlp.fc1`, v.intermediateSize, D, true);
    linear(`${l}mlp.fc2`, D, v.intermediateSize, true);
    layerNorm(`${l}layer_norm2`, D);
  }

  const H = t.hiddenSize;
  linear(`${P}linear_1`, H, D, c.projectorBias);
  linear(`${P}linear_2`, H, H, c.projectorBias);

  add(`${T}embed_tokens.weight`, [t.vocabSize, H]);
  const q = t.numAttentionHeads * t.headDim;
  const kv = t.numKeyValueHeads * t.headDim;
  for (let i = 0; i < t.numHiddenLayers; i++) {
    const l = `${T}layers.${i}.`;
    add(`${l}input_layernorm.weight`, [H]);
    linear(`${l}self_attn.q_proj`, q, H, false);
    linear(`${l}self_attn.k_proj`, kv, H, false);
    linear(`${l}self_attn.v_proj`, kv, H, false);
    linear(`${l}self_attn.o_proj`, H, q, false);
    add(`${l}post_attention_layernorm.weight`, [H]);
    linear(`${l}mlp.gate_proj`, t.intermediateSize, H, false);
    linear(`${l}mlp.up_proj`, t.intermediateSize, H, false);
    linear(`${l}mlp.down_proj`, H, t.intermediateSize, false);
  }
  add(`${T}norm.weight`, [H]);
  if (!t.tieWordEmbeddings) add(lmHeadName, [t.vocabSize, H]);
  return out;
}

/** The canonical name of a tensor name in either layout (names already canonical are unchanged). */
export function canonicalLlavaName(name: string): string {
  if (name.startsWith('model.language_model.')) return T + name.slice('model.language_model.'.length);
  if (name.startsWith('model.vision_tower.')) return name.slice('model.'.length);
  if (name.startsWith('model.multi_modal_projector.')) return name.slice('model.'.length);
  if (name === 'lm_head.weight') return lmHeadName;
  return name;
}

/**
 * `ck` seen through canonical names. Throws 'invalid-checkpoint' if two stored names map to the same
 * canonical one (a checkpoint mixing both layouts).
 */
export function canonicalLlavaView(ck: Checkpoint): Checkpoint {
  return renamedCheckpoint(ck, canonicalLlavaName);
}

/**
 * Checks that every tensor `llavaTensorShapes(config)` lists exists (in either layout), is floating
 * point and has the expected shape. Throws 'invalid-checkpoint' naming the tensor, its file, and the
 * expected and actual shapes; lists up to five missing tensors at once.
 */
export function checkShapes(config: LlavaConfig, ck: Checkpoint): void {
  const view = canonicalLlavaView(ck);
  const expected = llavaTensorShapes(config);
  const missing = expected.filter((e) => !view.has(e.name));
  if (missing.length > 0) {
    const list = missing
      .slice(0, 5)
      .map((m) => `"${m.name}" ${fmt(m.shape)}`)
      .join(', ');
    const more = missing.length > 5 ? ` and ${missing.length - 5} more` : '';
    const lmHint = missing.some((m) => m.name === lmHeadName) ? ' If the embeddings are tied, config.json must say text_config.tie_word_embeddings: true.' : '';
    throw new WorkbenchError(
      'invalid-checkpoint',
      `${ck.dir}: ${missing.length} tensor(s) the config requires are missing: ${list}${more}`,
      `The weights do not match config.json, or the download is incomplete.${lmHint}`,
    );
  }
  for (const e of expected) {
    const info = view.info(e.name);
    if (!isFloatDtype(info.dtype)) {
      throw new WorkbenchError(
        'invalid-checkpoint',
        `${info.file}: tensor "${e.name}" is ${info.dtype}; weights must be F32, F16, BF16 or F64`,
        'Quantised checkpoints are not supported; use the original float weights.',
      );
    }
    if (info.shape.length !== e.shape.length || info.shape.some((d, i) => d !== e.shape[i])) {
      const why = impliedBy(llavaSizeFields(config), e.shape, info.shape);
      throw new WorkbenchError(
        'invalid-checkpoint',
        `${info.file}: tensor "${e.name}" has shape ${fmt(info.shape)}, but config.json implies ${fmt(e.shape)}${why}`,
        'The weights do not match config.json; make sure both come from the same model repository.',
      );
    }
  }
}

/** The config.json fields (snake_case, as written) whose values are the sizes the weights must have. */
export function llavaSizeFields(c: LlavaConfig): SizeField[] {
  const t = c.textConfig;
  const v = c.visionConfig;
  return [
    ['text_config.hidden_size', t.hiddenSize],
    ['text_config.intermediate_size', t.intermediateSize],
    ['text_config.vocab_size', t.vocabSize],
    ['text_config.num_attention_heads x head_dim', t.numAttentionHeads * t.headDim],
    ['text_config.num_key_value_heads x head_dim', t.numKeyValueHeads * t.headDim],
    ['vision_config.hidden_size', v.hiddenSize],
    ['vision_config.intermediate_size', v.intermediateSize],
    ['vision_config.patch_size', v.patchSize],
    ['vision_config.num_channels', v.numChannels],
  ];
}

function fmt(shape: number[]): string {
  return `[${shape.join(', ')}]`;
}
