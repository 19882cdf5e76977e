import { createHash } from 'node:crypto';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { truncateBy, writeTinyLlavaCheckpoint } from '../../../test/support/checkpoints.ts';
import { writeWordTokenizer } from '../../../test/laser/support/tiny-laser-bundle.ts';
import { openBundle } from '../bundle/open-bundle.ts';
import { compileBundle } from './compile.ts';

const fixture = join(import.meta.dirname, '../../../test/fixtures/hf-golden/llava15_tiny/checkpoint');
let tmp: string;
let ckpt: string;

beforeEach(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'laser-compile-'));
  ckpt = join(tmp, 'ckpt');
  await cp(fixture, ckpt, { recursive: true });
});
afterEach(async () => {
  await rm(tmp, { recursive: true, force: true });
});

async function editConfig(edit: (c: Record<string, unknown>) => void): Promise<void> {
  const c = JSON.parse(await readFile(join(ckpt, 'config.json'), 'utf8')) as Record<string, unknown>;
  edit(c);
  await writeFile(join(ckpt, 'config.json'), JSON.stringify(c));
}

/** Only the checkpoint remains in tmp: no bundle, no partial or old folder. */
async function expectNothingWritten(): Promise<void> {
  expect(await readdir(tmp)).toEqual(['ckpt']);
}

describe('compileBundle: what it writes', () => {
  it('compiles a folder with only config.json + weights: tokenizer null, CLIP-default preprocessing in pad mode', async () => {
    const r = await compileBundle(ckpt, join(tmp, 'b'));
    const m = (await openBundle(join(tmp, 'b'))).manifest;
    expect(m).toEqual(r.manifest);
    expect(m.tokenizer).toBeNull();
    expect(m.chatTemplate).toBeNull();
    expect(m.preprocessing).toMatchObject({
      source: 'derived',
      mode: 'pad',
      config: { crop_size: { height: 56, width: 56 }, size: { shortest_edge: 56 }, resample: 3 },
    });
    expect(m.text).toMatchObject({ layers: 4, heads: 4, kvHeads: 2, headDim: 16, hidden: 64, vocab: 300, rope: { theta: 10000, scaling: null } });
    expect(m.vision).toMatchObject({
      imageSize: 56,
      patchSize: 14,
      grid: [4, 4],
      tokensPerImage: 16,
      strategy: 'default',
      featureLayer: -2,
      hiddenStateIndex: 1,
      layersBuilt: 1,
    });
    expect(m.imageTokenId).toBe(296);
    // generation_config.json (bos 1, eos 2) is read and hashed like every other source file
    expect(m.eosTokenIds).toEqual([2]);
    const weights = await readFile(join(ckpt, 'model.safetensors'));
    expect(m.source.files.map((f) => f.name)).toEqual(['config.json', 'generation_config.json', 'model.safetensors']);
    expect(m.source.files[2]).toEqual({ name: 'model.safetensors', bytes: weights.byteLength, sha256: createHash('sha256').update(weights).digest('hex') });
    expect((await readdir(join(tmp, 'b'))).sort()).toEqual([
      'decoder-attention.onnx',
      'decoder.onnx',
      'decoder.onnx.data',
      'embed.onnx',
      'embed.onnx.data',
      'manifest.json',
      'vision.onnx',
      'vision.onnx.data',
    ]);
  });

  it('copies tokenizer files, takes the chat template and preprocessor_config.json, and records crop mode when asked', async () => {
    await writeWordTokenizer(ckpt, { vocabSize: 300, imageTokenId: 296 });
    await rm(join(ckpt, 'chat_template.json'));
    const tokenizerJson = await readFile(join(ckpt, 'tokenizer.json'), 'utf8');
    const tokenizerConfig = JSON.parse(await readFile(join(ckpt, 'tokenizer_config.json'), 'utf8')) as Record<string, unknown>;
    await writeFile(join(ckpt, 'tokenizer_config.json'), JSON.stringify({ ...tokenizerConfig, chat_template: 'USER: {{ messages }}' }));
    await writeFile(
      join(ckpt, 'preprocessor_config.json'),
      JSON.stringify({ image_mean: [0.5, 0.5, 0.5], image_std: [0.5, 0.5, 0.5], size: { shortest_edge: 56 }, crop_size: { height: 56, width: 56 } }),
    );
    const { manifest: m } = await compileBundle(ckpt, join(tmp, 'b'), { imageMode: 'crop' });
    expect(m.tokenizer).toEqual({ dir: 'tokenizer', files: ['tokenizer.json', 'tokenizer_config.json'] });
    expect(await readFile(join(tmp, 'b', 'tokenizer', 'tokenizer.json'), 'utf8')).toBe(tokenizerJson);
    expect(m.chatTemplate).toBe('USER: {{ messages }}');
    expect(m.preprocessing.source).toBe('preprocessor_config.json');
    expect(m.preprocessing.mode).toBe('crop');
    expect(m.preprocessing.config.image_mean).toEqual([0.5, 0.5, 0.5]);
    expect(m.preprocessing.config.do_center_crop).toBe(true); // a CLIPImageProcessor default the file omits
    expect(m.source.files.map((f) => f.name)).toContain('preprocessor_config.json');
  });

  it('replaces an earlier bundle on success and leaves it intact on failure', async () => {
    const target = join(tmp, 'b');
    await compileBundle(ckpt, target);
    await compileBundle(ckpt, target, { dtype: 'fp16' });
    expect((await openBundle(target)).manifest.dtype).toBe('fp16');
    await editConfig((c) => ((c.text_config as Record<string, unknown>).intermediate_size = 96));
    await expect(compileBundle(ckpt, target)).rejects.toMatchObject({ code: 'invalid-checkpoint' });
    expect((await openBundle(target)).manifest.dtype).toBe('fp16');
    expect((await readdir(tmp)).sort()).toEqual(['b', 'ckpt']);
  });

  it('refuses to replace a folder that is not a bundle', async () => {
    const target = join(tmp, 'docs');
    await mkdir(target);
    await writeFile(join(target, 'notes.txt'), 'mine');
    await expect(compileBundle(ckpt, target)).rejects.toMatchObject({
      code: 'bad-request',
      message: expect.stringMatching(/not a LASER bundle; refusing to replace it/),
    });
    expect(await readFile(join(target, 'notes.txt'), 'utf8')).toBe('mine');
  });

  it('removes the partial folder when cancelled', async () => {
    const ac = new AbortController();
    const p = compileBundle(ckpt, join(tmp, 'b'), { signal: ac.signal, onProgress: (q) => q.tensorsDone === 5 && ac.abort() });
    await expect(p).rejects.toMatchObject({ code: 'cancelled' });
    await expectNothingWritten();
  });
});

describe('compileBundle: bad input fails clearly and leaves no bundle', () => {
  it('unknown model_type', async () => {
    await editConfig((c) => (c.model_type = 'whisper'));
    await expect(compileBundle(ckpt, join(tmp, 'b'))).rejects.toMatchObject({
      code: 'unsupported-model',
      message: expect.stringMatching(/model_type "whisper" is not in the model registry \(supported model types: llava, qwen2_vl, qwen2_5_vl\)/),
    });
    await expectNothingWritten();
  });

  it('a weight whose shape does not match config.json, named with both shapes', async () => {
    await editConfig((c) => ((c.text_config as Record<string, unknown>).intermediate_size = 96));
    await expect(compileBundle(ckpt, join(tmp, 'b'))).rejects.toMatchObject({
      code: 'invalid-checkpoint',
      message: expect.stringMatching(/language_model\.model\.layers\.0\.mlp\.gate_proj\.weight" has shape \[128, 64\], but config\.json implies \[96, 64\]/),
    });
    await expectNothingWritten();
  });

  it('a config without text_config or vision_config, naming the defaults that were assumed for it', async () => {
    await editConfig((c) => delete c.text_config);
    await expect(compileBundle(ckpt, join(tmp, 'b'))).rejects.toMatchObject({
      code: 'invalid-checkpoint',
      message: expect.stringMatching(
        new RegExp(
          `^${join(ckpt, 'config.json')}: "text_config" is missing, so LlamaConfig's defaults \\(hidden_size 4096, 32 layers, vocab 32000: LLaVA-1\\.5-7B's decoder\\) were assumed, and the weights do not match: \\d+ tensor\\(s\\) the config requires are missing`,
        ),
      ),
      hint: 'Add the missing section to config.json (the config.json that came with these weights has it).',
    });
    await cp(join(fixture, 'config.json'), join(ckpt, 'config.json'));
    await editConfig((c) => delete c.vision_config);
    await expect(compileBundle(ckpt, join(tmp, 'b'))).rejects.toMatchObject({
      message: expect.stringMatching(/"vision_config" is missing, so LlavaConfig's CLIP ViT-L\/14 at 336 px .* were assumed, and the weights do not match: /),
    });
    await expectNothingWritten();
  });

  it('a corrupt tokenizer.json or a chat template that does not parse, at compile time', async () => {
    await writeWordTokenizer(ckpt, { vocabSize: 300, imageTokenId: 296 });
    await writeFile(join(ckpt, 'chat_template.json'), JSON.stringify({ chat_template: '{% for m in messages %}{{ m.role }' }));
    await expect(compileBundle(ckpt, join(tmp, 'b'))).rejects.toMatchObject({
      code: 'invalid-checkpoint',
      message: expect.stringMatching(new RegExp(`^${ckpt}: the chat template cannot render a question about an image \\(The chat template does not parse: `)),
    });
    await writeFile(join(ckpt, 'tokenizer.json'), '{"version": "1.0", "model": {"type": "WordLevel"');
    await expect(compileBundle(ckpt, join(tmp, 'b'))).rejects.toMatchObject({
      code: 'invalid-checkpoint',
      message: expect.stringContaining(join(ckpt, 'tokenizer.json')),
    });
    await expectNothingWritten();
  });

  it('a truncated safetensors file', async () => {
    await truncateBy(join(ckpt, 'model.safetensors'), 1000);
    await expect(compileBundle(ckpt, join(tmp, 'b'))).rejects.toMatchObject({
      code: 'invalid-checkpoint',
      message: expect.stringMatching(/model\.safetensors/),
    });
    await expectNothingWritten();
  });

  it('a missing config.json or checkpoint folder', async () => {
    await expect(compileBundle(join(tmp, 'nope'), join(tmp, 'b'))).rejects.toMatchObject({
      code: 'not-found',
      message: expect.stringMatching(/nope: no such folder/),
    });
    await rm(join(ckpt, 'config.json'));
    await expect(compileBundle(ckpt, join(tmp, 'b'))).rejects.toMatchObject({ code: 'invalid-checkpoint', message: expect.stringMatching(/no config\.json/) });
    await expectNothingWritten();
  });

  it('a preprocessor_config.json for another image size', async () => {
    await writeFile(join(ckpt, 'preprocessor_config.json'), JSON.stringify({ crop_size: { height: 336, width: 336 } }));
    await expect(compileBundle(ckpt, join(tmp, 'b'))).rejects.toMatchObject({
      code: 'invalid-checkpoint',
      message: expect.stringMatching(/crop_size .* does not match the vision tower's image_size 56/),
    });
    await expectNothingWritten();
    expect(await stat(join(ckpt, 'preprocessor_config.json'))).toBeTruthy();
  });
});

describe('compileBundle: non-finite weights are found while they stream', () => {
  const poison = (target: string, index: number, value: number) => (name: string, data: Float32Array) => {
    if (name === target) data[index] = value;
  };

  it('a NaN in a transposed F32 matrix, named by tensor, file and first bad element', async () => {
    const bad = join(tmp, 'nan');
    await writeTinyLlavaCheckpoint(bad, { edit: poison('language_model.model.layers.1.mlp.down_proj.weight', 70, NaN) });
    await expect(compileBundle(bad, join(tmp, 'b'))).rejects.toMatchObject({
      code: 'invalid-checkpoint',
      message: `${bad}: tensor "language_model.model.layers.1.mlp.down_proj.weight" in ${join(bad, 'model.safetensors')} holds NaN at element 70 (index [0, 70] of [64, 128]); a model with non-finite weights answers nothing`,
    });
    expect((await readdir(tmp)).sort()).toEqual(['ckpt', 'nan']);
  });

  it('an Inf in a streamed BF16 vector, at its element index', async () => {
    const bad = join(tmp, 'inf');
    await writeTinyLlavaCheckpoint(bad, { dtype: 'BF16', edit: poison('language_model.model.norm.weight', 9, -Infinity) });
    await expect(compileBundle(bad, join(tmp, 'b'), { dtype: 'fp16' })).rejects.toMatchObject({
      message: expect.stringMatching(/tensor "language_model\.model\.norm\.weight" in .* holds -Infinity at element 9 \(index \[9\] of \[64\]\)/),
    });
  });

  it('a weight beyond float16 range: refused for --dtype fp16 with the fp32 way out, compiled as is for fp32', async () => {
    const big = join(tmp, 'big');
    await writeTinyLlavaCheckpoint(big, { edit: poison('language_model.model.embed_tokens.weight', 64 * 5 + 2, 70000) });
    await expect(compileBundle(big, join(tmp, 'b16'), { dtype: 'fp16' })).rejects.toMatchObject({
      code: 'invalid-checkpoint',
      message: expect.stringContaining(
        `tensor "language_model.model.embed_tokens.weight" in ${join(big, 'model.safetensors')} holds 70000 at element 322 (index [5, 2] of [300, 64]), beyond float16's largest value 65504; an fp16 bundle would store it as Infinity`,
      ),
      hint: 'Compile with --dtype fp32: this checkpoint does not fit in float16.',
    });
    await compileBundle(big, join(tmp, 'b32'));
    expect((await openBundle(join(tmp, 'b32'))).manifest.dtype).toBe('fp32');
  });
});
