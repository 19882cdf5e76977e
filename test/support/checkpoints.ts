/**
 * Checkpoints for tests.
 *
 * `writeTinyLlavaCheckpoint` writes a random, seeded, HF-format LLaVA checkpoint folder (config.json
 * as save_pretrained writes it, defaults omitted; weights in one file or two shards) in any of the
 * configurations the compiler must handle, so the float64 reference and the compiled graphs can be
 * compared on more than the one golden fixture.
 *
 * `writeTinyQwenCheckpoint` does the same for Qwen2-VL and Qwen2.5-VL.
 *
 * The rest are byte-level builders and corrupters for bad-input tests: a safetensors file with a
 * header that says whatever the test wants, and ways to damage a good file.
 */
import { mkdir, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { bytesToFloat32, float32ToHalfBits, numel } from '../../src/engine/checkpoint/dtype.ts';
import { writeSafetensors, type TensorToWrite } from '../../src/engine/checkpoint/safetensors-writer.ts';
import { parseModelConfig } from '../../src/engine/checkpoint/hf-config.ts';
import { llavaTensorShapes } from '../../src/engine/families/llava/tensors.ts';
import { at, field } from './index-access.ts';

export interface TinyLlavaVariant {
  /** 4 query heads over 2 KV heads (true, default) or 4 KV heads. */
  gqa?: boolean;
  strategy?: 'default' | 'full';
  /** Default -2. With 2 CLIP layers: -3..2 are valid. */
  visionFeatureLayer?: number;
  /** Tied embeddings: no lm_head tensor is written. Default false. */
  tied?: boolean;
  /** Default none. Scaled variants use small context lengths so that short prompts exercise them. */
  ropeScaling?: 'linear' | 'dynamic' | 'llama3' | null;
  /** Patches per side (image_size = 14·grid). Default 4. */
  grid?: 3 | 4;
  /** Storage dtype of every weight. Default F32. */
  dtype?: 'F32' | 'F16' | 'BF16';
  /** Two shards with model.safetensors.index.json instead of one model.safetensors. */
  sharded?: boolean;
  /** 'legacy' (transformers 4.45: language_model.model.*) or 'new' (>= 4.52: model.language_model.*). */
  layout?: 'legacy' | 'new';
  seed?: number;
  /** Changes a weight's values (canonical name) before they are stored: bad-value tests poison one. */
  edit?: (name: string, data: Float32Array) => void;
}

export interface TinyLlava {
  dir: string;
  /** config.json as written. */
  config: Record<string, unknown>;
  /** Canonical name → the values as stored (already rounded when the dtype is F16/BF16). */
  weights: Map<string, Float32Array>;
}

/** The tiny model's sizes (same as the llava15_tiny golden fixture). */
export const tiny = {
  visionHidden: 32,
  visionLayers: 2,
  visionHeads: 4,
  visionMlp: 64,
  patch: 14,
  textHidden: 64,
  textLayers: 4,
  heads: 4,
  textMlp: 128,
  vocab: 300,
  imageToken: 296,
} as const;

export async function writeTinyLlavaCheckpoint(dir: string, variant: TinyLlavaVariant = {}): Promise<TinyLlava> {
  const v = {
    gqa: true,
    strategy: 'default',
    visionFeatureLayer: -2,
    tied: false,
    ropeScaling: null,
    grid: 4,
    dtype: 'F32',
    sharded: false,
    layout: 'legacy',
    seed: 1234,
    edit: () => {},
    ...variant,
  } as const;
  const config = tinyConfig(v);
  const shapes = llavaTensorShapes(parseModelConfig(config, 'tiny config.json'));
  const rng = gaussian(v.seed);
  const weights = new Map<string, Float32Array>();
  const tensors: Record<string, TensorToWrite> = {};
  for (const { name, shape } of shapes) {
    const data = drawWeight(name, shape, rng);
    v.edit(name, data);
    const stored = v.dtype === 'F32' ? data : bytesToFloat32(v.dtype, new Uint8Array(float32ToHalfBits(v.dtype, data).buffer));
    weights.set(name, stored);
    tensors[v.layout === 'new' ? newLayoutName(name) : name] = { dtype: v.dtype, shape, data };
  }
  // Present in real checkpoints, unused by LLaVA: readers must tolerate extras.
  const post = `vision_tower.vision_model.post_layernorm.`;
  for (const p of ['weight', 'bias'])
    tensors[(v.layout === 'new' ? 'model.' : '') + post + p] = {
      dtype: v.dtype,
      shape: [tiny.visionHidden],
      data: new Float32Array(tiny.visionHidden).fill(1),
    };

  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'config.json'), JSON.stringify(config, null, 2));
  const metadata = { format: 'pt' };
  if (!v.sharded) {
    await writeSafetensors(join(dir, 'model.safetensors'), tensors, metadata);
  } else {
    const names = Object.keys(tensors).sort();
    const half = Math.ceil(names.length / 2);
    const shardNames = ['model-00001-of-00002.safetensors', 'model-00002-of-00002.safetensors'];
    const weightMap: Record<string, string> = {};
    let totalSize = 0;
    for (const [k, part] of [names.slice(0, half), names.slice(half)].entries()) {
      const shard: Record<string, TensorToWrite> = {};
      const shardName = at(shardNames, k);
      for (const n of part) {
        const t = field(tensors, n);
        shard[n] = t;
        weightMap[n] = shardName;
        totalSize += numel(t.shape) * (v.dtype === 'F32' ? 4 : 2);
      }
      await writeSafetensors(join(dir, shardName), shard, metadata);
    }
    await writeFile(join(dir, 'model.safetensors.index.json'), JSON.stringify({ metadata: { total_size: totalSize }, weight_map: weightMap }, null, 2));
  }
  return { dir, config, weights };
}

/**
 * A random F32 checkpoint (config.json + model.safetensors) for any LLaVA config, with the fixture
 * weight scales: what benchmarks use when the tiny variants are too small to time.
 */
export async function writeRandomLlavaCheckpoint(dir: string, config: Record<string, unknown>, seed: number): Promise<void> {
  const rng = gaussian(seed);
  const tensors: Record<string, TensorToWrite> = {};
  for (const { name, shape } of llavaTensorShapes(parseModelConfig(config, 'config.json'))) {
    tensors[name] = { dtype: 'F32', shape, data: drawWeight(name, shape, rng) };
  }
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'config.json'), JSON.stringify(config));
  await writeSafetensors(join(dir, 'model.safetensors'), tensors);
}

type Resolved = Required<TinyLlavaVariant>;

/** config.json the way save_pretrained writes it: values equal to the class defaults are left out. */
function tinyConfig(v: Resolved): Record<string, unknown> {
  const rope = {
    linear: { max: 128, scaling: { rope_type: 'linear', factor: 2.0 } },
    // Dynamic NTK only changes anything past max_position_embeddings: keep that below prompt lengths.
    dynamic: { max: 16, scaling: { rope_type: 'dynamic', factor: 2.0 } },
    // With head_dim 16 and theta 1e4 the wavelengths are 6.3, 19.9, 62.8, …: an original context of
    // 32 puts one frequency in each llama3 band (kept, smoothed, divided).
    llama3: { max: 128, scaling: { rope_type: 'llama3', factor: 4.0, low_freq_factor: 1.0, high_freq_factor: 4.0, original_max_position_embeddings: 32 } },
  } as const;
  const r = v.ropeScaling ? rope[v.ropeScaling] : null;
  const text: Record<string, unknown> = {
    model_type: 'llama',
    hidden_size: tiny.textHidden,
    intermediate_size: tiny.textMlp,
    num_hidden_layers: tiny.textLayers,
    num_attention_heads: tiny.heads,
    num_key_value_heads: v.gqa ? 2 : tiny.heads,
    max_position_embeddings: r ? r.max : 128,
    vocab_size: tiny.vocab,
  };
  if (r) text.rope_scaling = r.scaling;
  if (v.tied) text.tie_word_embeddings = true;
  const tokens = v.grid * v.grid + (v.strategy === 'full' ? 1 : 0);
  const config: Record<string, unknown> = {
    architectures: ['LlavaForConditionalGeneration'],
    model_type: 'llava',
    image_token_index: tiny.imageToken,
    image_seq_length: tokens,
    text_config: text,
    vision_config: {
      model_type: 'clip_vision_model',
      hidden_size: tiny.visionHidden,
      intermediate_size: tiny.visionMlp,
      num_hidden_layers: tiny.visionLayers,
      num_attention_heads: tiny.visionHeads,
      image_size: tiny.patch * v.grid,
      patch_size: tiny.patch,
    },
    vision_feature_layer: v.visionFeatureLayer,
    torch_dtype: { F32: 'float32', F16: 'float16', BF16: 'bfloat16' }[v.dtype],
    transformers_version: '4.45.1',
  };
  if (v.strategy !== 'default') config.vision_feature_select_strategy = v.strategy;
  return config;
}

export interface TinyQwenVariant {
  /** 'qwen2_vl' (default: LayerNorm, fc MLP, full attention) or 'qwen2_5_vl' (RMSNorm, gated MLP, windows). */
  modelType?: 'qwen2_vl' | 'qwen2_5_vl';
  /** Tied embeddings: no lm_head.weight is written. Default false. */
  tied?: boolean;
  /** Qwen2.5-VL window_size in pixels (default 56: windows of 2x2 merged tokens). */
  windowSize?: number;
  /** Qwen2.5-VL blocks with full attention (default [1] of 3). */
  fullAttentionBlocks?: number[];
  seed?: number;
}

/** Sizes of the tiny Qwen models (the qwen2vl_tiny fixture's; Qwen2.5-VL adds a third vision block). */
export const tinyQwen = {
  textHidden: 64,
  textLayers: 3,
  heads: 4,
  kvHeads: 2,
  textMlp: 128,
  vocab: 300,
  visionHidden: 32,
  visionHeads: 4,
  visionMlp: 64,
  imageToken: 292,
  videoToken: 293,
  visionStart: 290,
  visionEnd: 291,
} as const;

/**
 * A random, seeded Qwen2-VL or Qwen2.5-VL checkpoint (config.json as save_pretrained writes it,
 * model.safetensors in the layout Qwen publishes: visual.*, model.*, lm_head.weight) with the
 * golden fixtures' weight scales. Returns config.json as written.
 */
export async function writeTinyQwenCheckpoint(dir: string, variant: TinyQwenVariant = {}): Promise<Record<string, unknown>> {
  const v = { modelType: 'qwen2_vl', tied: false, windowSize: 56, fullAttentionBlocks: [1], seed: 4321, ...variant } as const;
  const q = tinyQwen;
  const qwen25 = v.modelType === 'qwen2_5_vl';
  const depth = qwen25 ? 3 : 2;
  const vision: Record<string, unknown> = qwen25
    ? {
        depth,
        hidden_size: q.visionHidden,
        intermediate_size: q.visionMlp,
        num_heads: q.visionHeads,
        out_hidden_size: q.textHidden,
        window_size: v.windowSize,
        fullatt_block_indexes: v.fullAttentionBlocks,
        model_type: 'qwen2_5_vl',
      }
    : {
        depth,
        embed_dim: q.visionHidden,
        hidden_size: q.textHidden,
        mlp_ratio: q.visionMlp / q.visionHidden,
        num_heads: q.visionHeads,
        model_type: 'qwen2_vl',
      };
  const config: Record<string, unknown> = {
    architectures: [qwen25 ? 'Qwen2_5_VLForConditionalGeneration' : 'Qwen2VLForConditionalGeneration'],
    model_type: v.modelType,
    hidden_size: q.textHidden,
    intermediate_size: q.textMlp,
    num_hidden_layers: q.textLayers,
    num_attention_heads: q.heads,
    num_key_value_heads: q.kvHeads,
    rms_norm_eps: 1e-6,
    rope_theta: 10000.0,
    max_position_embeddings: 256,
    vocab_size: q.vocab,
    rope_scaling: { mrope_section: [2, 3, 3], rope_type: 'default', type: 'default' },
    bos_token_id: 1,
    eos_token_id: 2,
    image_token_id: q.imageToken,
    video_token_id: q.videoToken,
    vision_start_token_id: q.visionStart,
    vision_end_token_id: q.visionEnd,
    vision_config: vision,
    torch_dtype: 'float32',
    transformers_version: qwen25 ? '4.49.0' : '4.45.1',
  };
  if (v.tied) config.tie_word_embeddings = true;

  const D = q.textHidden;
  const hd = D / q.heads;
  const E = q.visionHidden;
  const I = q.visionMlp;
  const shapes: [string, number[]][] = [['visual.patch_embed.proj.weight', [E, 3, 2, 14, 14]]];
  const withBias = (name: string, shape: number[]) => shapes.push([`${name}.weight`, shape], [`${name}.bias`, [at(shape, 0)]]);

  const norm = (name: string, size: number) => (qwen25 ? shapes.push([`${name}.weight`, [size]]) : withBias(name, [size]));
  for (let b = 0; b < depth; b++) {
    const p = `visual.blocks.${b}`;
    norm(`${p}.norm1`, E);
    norm(`${p}.norm2`, E);
    withBias(`${p}.attn.qkv`, [3 * E, E]);
    withBias(`${p}.attn.proj`, [E, E]);
    if (qwen25) {
      withBias(`${p}.mlp.gate_proj`, [I, E]);
      withBias(`${p}.mlp.up_proj`, [I, E]);
      withBias(`${p}.mlp.down_proj`, [E, I]);
    } else {
      withBias(`${p}.mlp.fc1`, [I, E]);
      withBias(`${p}.mlp.fc2`, [E, I]);
    }
  }
  norm('visual.merger.ln_q', E);
  withBias('visual.merger.mlp.0', [4 * E, 4 * E]);
  withBias('visual.merger.mlp.2', [D, 4 * E]);
  shapes.push(['model.embed_tokens.weight', [q.vocab, D]]);
  for (let l = 0; l < q.textLayers; l++) {
    const p = `model.layers.${l}`;
    shapes.push([`${p}.input_layernorm.weight`, [D]], [`${p}.post_attention_layernorm.weight`, [D]]);
    withBias(`${p}.self_attn.q_proj`, [q.heads * hd, D]);
    withBias(`${p}.self_attn.k_proj`, [q.kvHeads * hd, D]);
    withBias(`${p}.self_attn.v_proj`, [q.kvHeads * hd, D]);
    shapes.push([`${p}.self_attn.o_proj.weight`, [D, q.heads * hd]]);
    shapes.push([`${p}.mlp.gate_proj.weight`, [q.textMlp, D]], [`${p}.mlp.up_proj.weight`, [q.textMlp, D]], [`${p}.mlp.down_proj.weight`, [D, q.textMlp]]);
  }
  shapes.push(['model.norm.weight', [D]]);
  if (!v.tied) shapes.push(['lm_head.weight', [q.vocab, D]]);

  const rng = gaussian(v.seed);
  const tensors: Record<string, TensorToWrite> = {};
  for (const [name, shape] of shapes) tensors[name] = { dtype: 'F32', shape, data: drawWeight(name, shape, rng) };
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'config.json'), JSON.stringify(config, null, 2));
  await writeSafetensors(join(dir, 'model.safetensors'), tensors, { format: 'pt' });
  return config;
}

/** Weight scales of the golden fixtures (FIXTURES.md §1.3): far from uniform attention and logits. */
function drawWeight(name: string, shape: number[], rng: () => number): Float32Array {
  const out = new Float32Array(numel(shape));
  const isNorm = /norm|layrnorm|ln_q/.test(name) && name.endsWith('.weight');
  const isEmbedding = /embed_tokens|position_embedding|class_embedding/.test(name);
  let mean = 0;
  let std: number;
  if (isNorm) [mean, std] = [1, 0.1];
  else if (name.endsWith('.bias')) std = 0.1;
  else if (isEmbedding) std = 1;
  else std = 1 / Math.sqrt(numel(shape.slice(1))); // N(0, 1/fan_in)
  for (let i = 0; i < out.length; i++) out[i] = mean + std * rng();
  return out;
}

function newLayoutName(canonical: string): string {
  if (canonical === 'language_model.lm_head.weight') return 'lm_head.weight';
  if (canonical.startsWith('language_model.model.')) return 'model.language_model.' + canonical.slice('language_model.model.'.length);
  return 'model.' + canonical;
}

/** Seeded standard normal draws (mulberry32 + Box–Muller): same seed, same checkpoint, everywhere. */
export function gaussian(seed: number): () => number {
  let a = seed >>> 0;
  const uniform = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  let spare: number | null = null;
  return () => {
    if (spare !== null) {
      const s = spare;
      spare = null;
      return s;
    }
    const u = 1 - uniform(); // (0, 1]: log is finite
    const r = Math.sqrt(-2 * Math.log(u));
    const th = 2 * Math.PI * uniform();
    spare = r * Math.sin(th);
    return r * Math.cos(th);
  };
}

/** Deletes one shard file of a sharded checkpoint (k = 1 or 2), leaving the index that lists it. */
export async function deleteShard(dir: string, k: 1 | 2): Promise<string> {
  const name = `model-0000${k}-of-00002.safetensors`;
  await rm(join(dir, name));
  return name;
}

/**
 * A safetensors file from a header given as an object or as raw JSON text (to write things an
 * object cannot hold, such as a duplicated key), followed by `dataBytes` bytes of data (0x00…).
 * `headerLength` overrides the 8-byte length field (to lie about it).
 */
export async function writeRawSafetensors(path: string, header: object | string, dataBytes: number, headerLength?: bigint): Promise<void> {
  const json = Buffer.from(typeof header === 'string' ? header : JSON.stringify(header), 'utf8');
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(headerLength ?? BigInt(json.byteLength));
  const data = Buffer.alloc(dataBytes);
  for (let i = 0; i < dataBytes; i++) data[i] = i & 0xff;
  await writeFile(path, Buffer.concat([len, json, data]));
}

/** Cuts `bytes` off the end of a file. */
export async function truncateBy(path: string, bytes: number): Promise<void> {
  const size = (await readFile(path)).byteLength;
  await truncate(path, Math.max(0, size - bytes));
}

/** Rewrites a safetensors file's header through `edit` (data region untouched, length field updated). */
export async function editSafetensorsHeader(path: string, edit: (header: Record<string, unknown>) => Record<string, unknown> | string): Promise<void> {
  const bytes = await readFile(path);
  const n = Number(bytes.readBigUInt64LE(0));
  const header = JSON.parse(bytes.subarray(8, 8 + n).toString('utf8')) as Record<string, unknown>;
  const edited = edit(header);
  const json = Buffer.from(typeof edited === 'string' ? edited : JSON.stringify(edited), 'utf8');
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(json.byteLength));
  await writeFile(path, Buffer.concat([len, json, bytes.subarray(8 + n)]));
}

/** Overwrites the 8-byte header length field with `value`. */
export async function setHeaderLength(path: string, value: bigint): Promise<void> {
  const bytes = await readFile(path);
  bytes.writeBigUInt64LE(value, 0);
  await writeFile(path, bytes);
}
