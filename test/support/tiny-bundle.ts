/**
 * Test support: the llava15_tiny golden fixture (test/fixtures/hf-golden, from
 * shared/fixtures/hf-golden; FIXTURES.md §2 and §4.1) compiled into a bundle, and its goldens.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SafetensorsFile } from '../../src/engine/checkpoint/safetensors.ts';
import { compileBundle } from '../../src/engine/compiler/compile.ts';
import { at } from './index-access.ts';

export const tinyFixtureDir = fileURLToPath(new URL('../fixtures/hf-golden/llava15_tiny', import.meta.url));
export const tinyCheckpointDir = join(tinyFixtureDir, 'checkpoint');
export const tinyGoldenPath = join(tinyFixtureDir, 'golden.safetensors');

export interface TinyGolden {
  /** [26] int64: BOS, 3 text, 16 image tokens (296) at 4..19, 6 text. */
  inputIds: BigInt64Array;
  /** [1, 3, 56, 56] */
  pixelValues: Float32Array;
  /** [26, 300] */
  logits: Float32Array;
  /** attentions.i [4, 26, 26] per layer (batch dropped). */
  attentions: Float32Array[];
  /** [5] */
  generatedNewIds: number[];
  /** [5, 300]: logits that chose each generated id (with cache). */
  generateStepLogits: Float32Array;
  sequence: number;
  layers: number;
  heads: number;
  vocab: number;
}

export async function readTinyGolden(): Promise<TinyGolden> {
  const f = await SafetensorsFile.open(tinyGoldenPath);
  try {
    const layers = 4;
    const attentions: Float32Array[] = [];
    for (let i = 0; i < layers; i++) attentions.push(await f.readFloat32(`attentions.${i}`));
    return {
      inputIds: await f.readInt64('input_ids'),
      pixelValues: await f.readFloat32('pixel_values'),
      logits: await f.readFloat32('logits'),
      attentions,
      generatedNewIds: Array.from(await f.readInt64('generated_new_ids'), Number),
      generateStepLogits: await f.readFloat32('generate_step_logits'),
      sequence: 26,
      layers,
      heads: 4,
      vocab: 300,
    };
  } finally {
    await f.close();
  }
}

/** golden attentions.l[0, h, S-1, :] for every l, h: the layout of attn_last [L, H, S]. */
export function goldenAttnLast(g: TinyGolden): Float32Array {
  const S = g.sequence;
  const out = new Float32Array(g.layers * g.heads * S);
  for (let l = 0; l < g.layers; l++) {
    for (let h = 0; h < g.heads; h++) out.set(at(g.attentions, l).subarray((h * S + S - 1) * S, (h * S + S) * S), (l * g.heads + h) * S);
  }
  return out;
}

export interface CompiledTiny {
  root: string;
  bundle: string;
  dispose(): Promise<void>;
}

/** Compiles the tiny checkpoint into a fresh temporary folder. */
export async function compileTinyBundle(): Promise<CompiledTiny> {
  const root = await mkdtemp(join(tmpdir(), 'laser-runtime-'));
  const bundle = join(root, 'bundle');
  await compileBundle(tinyCheckpointDir, bundle);
  return { root, bundle, dispose: () => rm(root, { recursive: true, force: true }) };
}

/** Largest absolute difference (Infinity when lengths differ). */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(at(a, i) - at(b, i)));
  return d;
}
