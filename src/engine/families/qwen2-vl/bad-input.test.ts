/**
 * Bad Qwen input, each refused with one clear line (what is wrong, then a hint), never a stack trace
 * or a schema dump: a checkpoint without a merger tensor, an mrope_section that does not add up to
 * head_dim / 2, a min_pixels below one image token, and images too small for the processor. An
 * image under min_pixels whose sides reach one merge window is not bad input: Qwen2VLImageProcessor
 * enlarges it to min_pixels, and so do we.
 */
import { readFile, rm, writeFile } from 'node:fs/promises';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WorkbenchError } from '../../../common/contract/errors.ts';
import { writeTinyQwenCheckpoint } from '../../../../test/support/checkpoints.ts';
import { SafetensorsFile } from '../../checkpoint/safetensors.ts';
import { writeSafetensors } from '../../checkpoint/safetensors-writer.ts';
import { compileBundle } from '../../compiler/compile.ts';
import { parseQwen2VLProcessorConfig } from '../../preprocess/config.ts';
import { rgbImage } from '../../preprocess/image.ts';
import { preprocessForQwen2VL } from '../../preprocess/qwen2vl.ts';

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'laser-qwen-bad-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

async function refusal(p: Promise<unknown>): Promise<WorkbenchError> {
  const e = await p.then(
    () => null,
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(WorkbenchError);
  const w = e as WorkbenchError;
  expect(w.message).not.toContain('\n');
  expect(w.hint ?? '').not.toContain('\n');
  return w;
}

async function withoutTensor(dir: string, name: string): Promise<void> {
  const file = join(dir, 'model.safetensors');
  const src = await SafetensorsFile.open(file);
  const tensors: Parameters<typeof writeSafetensors>[1] = {};
  for (const n of src.names()) if (n !== name) tensors[n] = { dtype: 'F32', shape: src.info(n).shape, data: await src.readFloat32(n) };
  await src.close();
  await writeSafetensors(file, tensors);
}

describe('Qwen checkpoints refused at compile', () => {
  it('a Qwen2.5-VL checkpoint without its merger norm names the missing tensor', async () => {
    const ck = join(tmp, 'no-ln-q');
    await writeTinyQwenCheckpoint(ck, { modelType: 'qwen2_5_vl' });
    await withoutTensor(ck, 'visual.merger.ln_q.weight');
    const e = await refusal(compileBundle(ck, join(tmp, 'b1')));
    expect(e.code).toBe('invalid-checkpoint');
    expect(e.message).toMatch(/the weights have no tensor "visual\.merger\.ln_q\.weight"/);
  });

  it('an mrope_section that does not add up to head_dim / 2 says both numbers', async () => {
    const ck = join(tmp, 'mrope');
    await writeTinyQwenCheckpoint(ck);
    const config = JSON.parse(await readFile(join(ck, 'config.json'), 'utf8')) as { rope_scaling: { mrope_section: number[] } };
    config.rope_scaling.mrope_section = [2, 2, 2];
    await writeFile(join(ck, 'config.json'), JSON.stringify(config));
    const e = await refusal(compileBundle(ck, join(tmp, 'b2')));
    expect(e.code).toBe('invalid-checkpoint');
    expect(e.message).toMatch(/config\.json: rope_scaling\.mrope_section \[2,2,2\] adds up to 6, but head_dim \/ 2 is 8/);
  });

  it('a --min-pixels below one image token (28 x 28 pixels)', async () => {
    const ck = join(tmp, 'min-pixels');
    await writeTinyQwenCheckpoint(ck);
    const e = await refusal(compileBundle(ck, join(tmp, 'b3'), { minPixels: 500 }));
    expect(e.code).toBe('bad-request');
    expect(e.message).toBe('min_pixels 500 is below one image token (784 pixels)');
  });
});

/** Edits the tiny checkpoint's config.json in place. */
type Json = Record<string, unknown> & { vision_config: Record<string, unknown> };
async function editConfig(ck: string, edit: (c: Json) => void): Promise<void> {
  const file = join(ck, 'config.json');
  const config = JSON.parse(await readFile(file, 'utf8')) as Json;
  edit(config);
  await writeFile(file, JSON.stringify(config));
}

describe('a Qwen tensor whose shape disagrees with config.json names the field behind the size', () => {
  it('Qwen2-VL: the top-level intermediate_size', async () => {
    const ck = join(tmp, 'shape-mlp');
    await writeTinyQwenCheckpoint(ck);
    await editConfig(ck, (c) => {
      c.intermediate_size = 112;
    });
    const e = await refusal(compileBundle(ck, join(tmp, 'b4')));
    expect(e.code).toBe('invalid-checkpoint');
    expect(e.message).toMatch(
      /tensor "model\.layers\.0\.mlp\.gate_proj\.weight" has shape \[128, 64\], but config\.json implies \[112, 64\] \(intermediate_size is 112, the weights have 128\)$/,
    );
  });

  it('Qwen2-VL: vision_config.embed_dim, from the first vision tensor', async () => {
    const ck = join(tmp, 'shape-embed');
    await writeTinyQwenCheckpoint(ck);
    await editConfig(ck, (c) => {
      c.vision_config.embed_dim = 48;
    });
    const e = await refusal(compileBundle(ck, join(tmp, 'b5')));
    expect(e.message).toMatch(
      /tensor "visual\.patch_embed\.proj\.weight" has shape \[32, 3, 2, 14, 14\], but config\.json implies \[48, 3, 2, 14, 14\] \(vision_config\.embed_dim is 48, the weights have 32\)$/,
    );
  });

  it('Qwen2.5-VL with its text fields under text_config: text_config.vocab_size', async () => {
    const ck = join(tmp, 'shape-vocab');
    await writeTinyQwenCheckpoint(ck, { modelType: 'qwen2_5_vl' });
    await editConfig(ck, (c) => {
      const text: Record<string, unknown> = {};
      for (const k of [
        'hidden_size',
        'intermediate_size',
        'num_hidden_layers',
        'num_attention_heads',
        'num_key_value_heads',
        'rms_norm_eps',
        'rope_theta',
        'max_position_embeddings',
        'vocab_size',
        'rope_scaling',
      ]) {
        text[k] = c[k];
        delete c[k];
      }
      text.vocab_size = 320;
      c.text_config = text;
    });
    const e = await refusal(compileBundle(ck, join(tmp, 'b6')));
    expect(e.message).toMatch(/\(text_config\.vocab_size is 320, the weights have 300\)$/);
  });

  it('Qwen2.5-VL: vision_config.intermediate_size', async () => {
    const ck = join(tmp, 'shape-vmlp');
    await writeTinyQwenCheckpoint(ck, { modelType: 'qwen2_5_vl' });
    await editConfig(ck, (c) => {
      c.vision_config.intermediate_size = 80;
    });
    const e = await refusal(compileBundle(ck, join(tmp, 'b7')));
    expect(e.message).toMatch(/\(vision_config\.intermediate_size is 80, the weights have 64\)$/);
  });
});

describe('images too small for the Qwen2-VL processor', () => {
  const config = parseQwen2VLProcessorConfig({});

  it("refuses a side under one merge window (28 pixels) with Python's wording", () => {
    let e: unknown;
    try {
      preprocessForQwen2VL(rgbImage(40, 20), config);
    } catch (x) {
      e = x;
    }
    expect(e).toBeInstanceOf(WorkbenchError);
    expect((e as WorkbenchError).code).toBe('unsupported-image');
    expect((e as WorkbenchError).message).toBe('The image is too small for this model: height:20 or width:40 must be larger than factor:28.');
    expect((e as WorkbenchError).message).not.toContain('\n');
  });

  it('enlarges a 30 x 30 image (900 < min_pixels 3136) to 56 x 56, as transformers does', () => {
    const out = preprocessForQwen2VL(rgbImage(30, 30), config);
    expect([out.inputImage.width, out.inputImage.height]).toEqual([56, 56]);
    expect(out.gridThw).toEqual([1, 4, 4]);
    expect(out.numImageTokens).toBe(4);
  });
});
