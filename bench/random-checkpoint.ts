/**
 * Random LLaVA checkpoints of a real model's shape, written tensor by tensor (memory stays at one
 * chunk whatever the size), optionally in shards with `model.safetensors.index.json` as llava-hf
 * ships them, plus an inputs file for `laser forward` (input_ids with one image's tokens, and
 * pixel_values). For measuring memory and speed at sizes no fixture has; the weights mean nothing.
 *
 *   npx tsx bench/random-checkpoint.ts <dir> <preset> [--shards n] [--text-tokens n]
 *
 * Presets: `llava-1.5-7b` (7.06 B parameters, F16, as llava-hf/llava-1.5-7b-hf), `llava-1.5-13b`,
 * `mid` (LLaMA 2048 x 8 layers, vocab 32000, a 2-layer CLIP at 112 px: ~0.55 B, 64 image tokens).
 * Writes `<dir>/checkpoint/` and `<dir>/inputs.safetensors`.
 */
import { mkdir, open, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { numel } from '../src/engine/checkpoint/dtype.ts';
import { imageTokensPerImage, parseModelConfig, type LlavaConfig } from '../src/engine/checkpoint/hf-config.ts';
import { llavaTensorShapes } from '../src/engine/families/llava/tensors.ts';
import { writeSafetensors } from '../src/engine/checkpoint/safetensors-writer.ts';

export interface TextShape {
  hidden: number;
  layers: number;
  heads: number;
  kvHeads?: number;
  mlp: number;
  vocab: number;
}
export interface VisionShape {
  hidden: number;
  layers: number;
  heads: number;
  mlp: number;
  /** Patches per side (image size = 14 * grid). */
  grid: number;
}

/** An HF LlavaForConditionalGeneration config.json of this shape (image token = vocab - 1 unless given). */
export function llavaConfig(text: TextShape, vision: VisionShape, imageToken = text.vocab - 1): Record<string, unknown> {
  return {
    architectures: ['LlavaForConditionalGeneration'],
    model_type: 'llava',
    image_token_index: imageToken,
    image_seq_length: vision.grid * vision.grid,
    text_config: {
      model_type: 'llama',
      hidden_size: text.hidden,
      intermediate_size: text.mlp,
      num_hidden_layers: text.layers,
      num_attention_heads: text.heads,
      num_key_value_heads: text.kvHeads ?? text.heads,
      max_position_embeddings: 4096,
      vocab_size: text.vocab,
    },
    vision_config: {
      model_type: 'clip_vision_model',
      hidden_size: vision.hidden,
      intermediate_size: vision.mlp,
      num_hidden_layers: vision.layers,
      num_attention_heads: vision.heads,
      image_size: 14 * vision.grid,
      patch_size: 14,
    },
    vision_feature_layer: -2,
    torch_dtype: 'float16',
  };
}

export const presets: Record<string, () => Record<string, unknown>> = {
  // llava-hf/llava-1.5-7b-hf: Vicuna-7B (LLaMA 4096 x 32, vocab 32064) + CLIP ViT-L/14-336
  'llava-1.5-7b': () =>
    llavaConfig({ hidden: 4096, layers: 32, heads: 32, mlp: 11008, vocab: 32064 }, { hidden: 1024, layers: 24, heads: 16, mlp: 4096, grid: 24 }, 32000),
  'llava-1.5-13b': () =>
    llavaConfig({ hidden: 5120, layers: 40, heads: 40, mlp: 13824, vocab: 32064 }, { hidden: 1024, layers: 24, heads: 16, mlp: 4096, grid: 24 }, 32000),
  mid: () => llavaConfig({ hidden: 2048, layers: 8, heads: 16, mlp: 5504, vocab: 32000 }, { hidden: 256, layers: 2, heads: 4, mlp: 1024, grid: 8 }),
};

/** Half-precision bits of uniform values in (mean - a, mean + a) from a xorshift32 stream (F16 or BF16). */
function fillHalf(out: Uint16Array, state: { s: number }, a: number, mean: number, dtype: 'F16' | 'BF16'): void {
  const f = new Float32Array(1);
  const u = new Uint32Array(f.buffer);
  let s = state.s;
  for (let i = 0; i < out.length; i++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    f[0] = mean + a * ((s >>> 0) / 2147483648 - 1);
    if (dtype === 'BF16') {
      out[i] = u[0] >>> 16;
    } else {
      // float32 -> float16 by truncation (random data: rounding does not matter); |x| < 65504 here
      const x = u[0];
      const sign = (x >>> 16) & 0x8000;
      const e = ((x >>> 23) & 0xff) - 127 + 15;
      out[i] = e <= 0 ? sign : sign | (e << 10) | ((x >>> 13) & 0x3ff);
    }
  }
  state.s = s;
}

export interface WriteOptions {
  dtype?: 'F16' | 'BF16';
  /** Number of safetensors shards (1: model.safetensors; more: model-0000k-of-0000n + index). */
  shards?: number;
}

/** Writes `<dir>/config.json` and the weights; returns the parameter count. */
export async function writeRandomCheckpoint(dir: string, config: Record<string, unknown>, opts: WriteOptions = {}): Promise<number> {
  const dtype = opts.dtype ?? 'F16';
  const shards = opts.shards ?? 1;
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'config.json'), JSON.stringify(config, null, 2));
  const shapes = llavaTensorShapes(parseModelConfig(config, 'random config.json'));
  const total = shapes.reduce((n, t) => n + numel(t.shape), 0);
  // Consecutive tensors into shards of about equal size.
  const groups: (typeof shapes)[] = Array.from({ length: shards }, () => []);
  let acc = 0;
  for (const t of shapes) {
    groups[Math.min(shards - 1, Math.floor((acc / total) * shards))].push(t);
    acc += numel(t.shape);
  }
  const fileOf = (k: number) =>
    shards === 1 ? 'model.safetensors' : `model-${String(k + 1).padStart(5, '0')}-of-${String(shards).padStart(5, '0')}.safetensors`;
  const weightMap: Record<string, string> = {};
  const state = { s: 0x9e3779b9 };
  const chunk = new Uint16Array(1 << 22);
  for (const [k, group] of groups.entries()) {
    const header: Record<string, unknown> = { __metadata__: { format: 'pt' } };
    let offset = 0;
    for (const { name, shape } of group) {
      header[name] = { dtype, shape, data_offsets: [offset, offset + numel(shape) * 2] };
      offset += numel(shape) * 2;
      weightMap[name] = fileOf(k);
    }
    let json = JSON.stringify(header);
    json += ' '.repeat((8 - (json.length % 8)) % 8);
    const fh = await open(join(dir, fileOf(k)), 'w');
    try {
      const len = Buffer.alloc(8);
      len.writeBigUInt64LE(BigInt(json.length));
      await fh.write(len);
      await fh.write(json);
      for (const { name, shape } of group) {
        const n = numel(shape);
        const isNorm = /norm|layrnorm/.test(name) && name.endsWith('.weight');
        const std = isNorm ? 0.05 : name.endsWith('.bias') ? 0.02 : /embed|embedding/.test(name) ? 1 : 1 / Math.sqrt(numel(shape.slice(1)));
        for (let done = 0; done < n; done += chunk.length) {
          const part = chunk.subarray(0, Math.min(chunk.length, n - done));
          fillHalf(part, state, std * Math.sqrt(3), isNorm ? 1 : 0, dtype);
          await fh.write(new Uint8Array(part.buffer, 0, part.byteLength));
        }
      }
    } finally {
      await fh.close();
    }
  }
  if (shards > 1)
    await writeFile(join(dir, 'model.safetensors.index.json'), JSON.stringify({ metadata: { total_size: total * 2 }, weight_map: weightMap }, null, 2));
  return total;
}

/** input_ids [1, lead + T + text] with one image's T tokens after `lead` text tokens, and pixel_values [1, 3, S, S]. */
export async function writeForwardInputs(file: string, config: Record<string, unknown>, textTokens: number): Promise<number> {
  const cfg: LlavaConfig = parseModelConfig(config, 'random config.json');
  const T = imageTokensPerImage(cfg);
  const S = cfg.visionConfig.imageSize;
  const lead = 5;
  const ids: number[] = [1];
  for (let i = 1; i < lead; i++) ids.push(100 + i);
  for (let i = 0; i < T; i++) ids.push(cfg.imageTokenIndex);
  for (let i = 0; i < textTokens; i++) ids.push(200 + ((i * 37) % 1000));
  const pixels = Float32Array.from({ length: 3 * S * S }, (_, i) => Math.sin(i * 0.01));
  await writeSafetensors(file, {
    input_ids: { dtype: 'I64', shape: [1, ids.length], data: BigInt64Array.from(ids, BigInt) },
    pixel_values: { dtype: 'F32', shape: [1, 3, S, S], data: pixels },
  });
  return ids.length;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [dir, preset, ...rest] = process.argv.slice(2);
  if (!dir || !preset || !(preset in presets)) {
    console.error(`usage: tsx bench/random-checkpoint.ts <dir> <${Object.keys(presets).join('|')}> [--shards n] [--text-tokens n]`);
    process.exit(2);
  }
  const flag = (name: string, d: number) => {
    const i = rest.indexOf(name);
    return i >= 0 ? Number(rest[i + 1]) : d;
  };
  const config = presets[preset]();
  const t0 = performance.now();
  const params = await writeRandomCheckpoint(join(dir, 'checkpoint'), config, { shards: flag('--shards', preset === 'mid' ? 1 : 3) });
  const tokens = await writeForwardInputs(join(dir, 'inputs.safetensors'), config, flag('--text-tokens', 50));
  console.log(
    `${preset}: ${(params / 1e9).toFixed(3)} B parameters (${((params * 2) / 1e9).toFixed(2)} GB F16) in ${((performance.now() - t0) / 1000).toFixed(1)} s; inputs: ${tokens} tokens`,
  );
}
