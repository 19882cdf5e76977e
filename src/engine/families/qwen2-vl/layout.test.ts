/**
 * Qwen checkpoints saved by transformers >= 4.52 store the decoder under `model.language_model.*`
 * and the vision tower under `model.visual.*`: the same qwen2vl_tiny weights in that layout compile
 * to byte-identical graphs, and a folder mixing both layouts is refused naming the two tensors.
 */
import { copyFile, mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SafetensorsFile } from '../../checkpoint/safetensors.ts';
import { writeSafetensors, type TensorToWrite } from '../../checkpoint/safetensors-writer.ts';
import { compileBundle } from '../../compiler/compile.ts';
import { canonicalQwenName } from './family.ts';

const fixture = join(import.meta.dirname, '../../../../test/fixtures/hf-golden/qwen2vl_tiny/checkpoint');
let tmp: string;

/** The fixture's weights under `rename`d names, with its config, in `dir`. */
async function rewrite(dir: string, rename: (name: string) => string[]): Promise<void> {
  await mkdir(dir, { recursive: true });
  await copyFile(join(fixture, 'config.json'), join(dir, 'config.json'));
  const f = await SafetensorsFile.open(join(fixture, 'model.safetensors'));
  try {
    const out: Record<string, TensorToWrite> = {};
    for (const name of f.names()) {
      const t = f.info(name);
      const data = await f.readFloat32(name);
      for (const n of rename(name)) out[n] = { dtype: 'F32', shape: t.shape, data };
    }
    await writeSafetensors(join(dir, 'model.safetensors'), out);
  } finally {
    await f.close();
  }
}

const newLayout = (name: string): string =>
  name.startsWith('visual.') ? `model.${name}` : name.startsWith('model.') ? `model.language_model.${name.slice('model.'.length)}` : name;

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'laser-qwen-layout-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe('Qwen2-VL tensor layouts', () => {
  it('maps the transformers >= 4.52 names to the published ones', () => {
    expect(canonicalQwenName('model.language_model.layers.0.self_attn.q_proj.bias')).toBe('model.layers.0.self_attn.q_proj.bias');
    expect(canonicalQwenName('model.visual.merger.ln_q.weight')).toBe('visual.merger.ln_q.weight');
    expect(canonicalQwenName('lm_head.weight')).toBe('lm_head.weight');
    expect(canonicalQwenName('model.embed_tokens.weight')).toBe('model.embed_tokens.weight');
  });

  it('the new layout compiles to the same graphs, byte for byte', async () => {
    await rewrite(join(tmp, 'new'), (n) => [newLayout(n)]);
    await compileBundle(fixture, join(tmp, 'b-old'));
    await compileBundle(join(tmp, 'new'), join(tmp, 'b-new'));
    for (const f of ['vision.onnx.data', 'embed.onnx.data', 'decoder.onnx.data']) {
      expect((await readFile(join(tmp, 'b-new', f))).equals(await readFile(join(tmp, 'b-old', f)))).toBe(true);
    }
  }, 60_000);

  it('a folder with both layouts is refused, naming the two tensors', async () => {
    await rewrite(join(tmp, 'mixed'), (n) => (n === 'visual.merger.ln_q.weight' ? [n, newLayout(n)] : [n]));
    await expect(compileBundle(join(tmp, 'mixed'), join(tmp, 'b-mixed'))).rejects.toMatchObject({
      code: 'invalid-checkpoint',
      message: expect.stringMatching(
        /tensors "model\.visual\.merger\.ln_q\.weight" and "visual\.merger\.ln_q\.weight" are the same weight under two naming layouts|tensors "visual\.merger\.ln_q\.weight" and "model\.visual\.merger\.ln_q\.weight" are the same weight/,
      ),
    });
  });
});
