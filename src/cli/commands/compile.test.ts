import { cp, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isolateProcessEnv } from '../../../test/support/isolated-env.ts';
import { writeWordTokenizer } from '../../../test/laser/support/tiny-laser-bundle.ts';
import { CompileOptionsRequest } from '../../common/contract/methods.ts';
import { QUANT_ACCURACY_LEVELS, QUANT_BLOCK_SIZES } from '../../common/compile-options.ts';
import { compileOptionsOf, registerCompile } from './compile.ts';

const fixture = join(import.meta.dirname, '../../../test/fixtures/hf-golden/llava15_tiny/checkpoint');
let dir: string;
let restoreEnv: () => void;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'laser-cli-compile-'));
  restoreEnv = isolateProcessEnv(dir);
});
afterEach(async () => {
  restoreEnv();
  await rm(dir, { recursive: true, force: true });
});

function harness(isTTY = false) {
  const lines: string[] = [];
  const program = new Command('laser').exitOverride();
  program.configureOutput({ writeErr: (s) => lines.push(s), writeOut: (s) => lines.push(s) });
  registerCompile(program, { write: (s) => lines.push(s), isTTY });
  return { run: (...args: string[]) => program.parseAsync(['node', 'laser', 'compile', ...args]), lines };
}

describe('laser compile', () => {
  it('compiles a checkpoint folder, reporting progress per phase and a summary', async () => {
    const h = harness();
    await h.run(fixture, join(dir, 'b'), '--dtype', 'fp16');
    const text = h.lines.join('');
    expect(text).toMatch(/^compile weights 0\.0 MB \/ 0\.\d MB \(0\.0%\), elapsed .* \| 0\/64 tensors$/m);
    expect(text).toMatch(/^compile weights (0\.\d) MB \/ \1 MB \(100\.0%\), elapsed .* \| 64\/64 tensors$/m);
    expect(text).toMatch(/^compile hashing .*\(100\.0%\)/m);
    expect(text).toMatch(/wrote .*b: llava fp16, 4 layers, vocab 300, 16 tokens\/image, 64 tensors .* \(no tokenizer in the checkpoint\)/);
    expect(JSON.parse(await readFile(join(dir, 'b', 'manifest.json'), 'utf8')).dtype).toBe('fp16');
    // registered in the data folder's model list ($LASER_DATA_DIR here), as the app would list it
    expect(text).toContain(`registered as model checkpoint in ${join(dir, 'data')}\n`);
  });

  it('says when a checkpoint with a tokenizer has no chat template, and which default runs will use', async () => {
    const ck = join(dir, 'ck');
    await cp(fixture, ck, { recursive: true });
    await writeWordTokenizer(ck, { vocabSize: 300, imageTokenId: 296 });
    await rm(join(ck, 'chat_template.json'));
    const h = harness();
    await h.run(ck, join(dir, 'b'));
    expect(h.lines.join('')).toContain(
      'note: the checkpoint has no chat template, so runs will use the default conversation format of the LLaVA-1.5 (llava-hf format) family (fallback-llava-1.5)',
    );
    const quiet = harness();
    await writeWordTokenizer(ck, { vocabSize: 300, imageTokenId: 296 });
    await quiet.run(ck, join(dir, 'b2'));
    expect(quiet.lines.join('')).not.toContain('no chat template');
  });

  it('draws a bar per stage on a terminal, each left on screen when its stage is over', async () => {
    const h = harness(true);
    await h.run(fixture, join(dir, 'b'));
    const text = h.lines.join('');
    const finished = text.indexOf('| 64/64 tensors');
    expect(text).toMatch(/compile weights #{24} 0\.\d MB \/ 0\.\d MB \(100\.0%\).* \| 64\/64 tensors/);
    // the finished bar stays: a newline follows it before the hashing stage draws
    expect(text.slice(finished, text.indexOf('compile hashing'))).toContain('\n');
    expect(text).toMatch(/compile hashing #{24} /);
  });

  it('prints progress as JSON lines with --json, and none with --quiet', async () => {
    const h = harness(true);
    await h.run(fixture, join(dir, 'b'), '--json');
    const events = h.lines
      .join('')
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l));
    expect(events.length).toBeGreaterThan(2);
    expect(events[0]).toMatchObject({ event: 'progress', task: 'compile weights', done: 0, data: { stage: 'weights', tensorsDone: 0, tensorsTotal: 64 } });
    expect(events.at(-1)).toMatchObject({ event: 'progress', task: 'compile hashing', data: { stage: 'hashing' } });
    const q = harness(true);
    await q.run(fixture, join(dir, 'c'), '--quiet');
    expect(q.lines.join('')).not.toMatch(/compile (weights|hashing)/);
    expect(q.lines.join('')).toMatch(/^wrote /m);
    await expect(harness().run(fixture, join(dir, 'd'), '--quiet', '--json')).rejects.toThrow(/cannot be used with/);
  });

  it('refuses an unknown --dtype before doing anything', async () => {
    const h = harness();
    await expect(h.run(fixture, join(dir, 'b'), '--dtype', 'int3')).rejects.toThrow();
    expect(h.lines.join('')).toMatch(/Use fp32 or fp16 or int8 or int4/);
  });

  it('compiles --dtype int4 with the quantisation flags recorded in the manifest', async () => {
    const h = harness();
    await h.run(
      fixture,
      join(dir, 'b'),
      '--dtype',
      'int4',
      '--block-size',
      '64',
      '--asymmetric',
      '--accuracy-level',
      '0',
      '--no-quantize-lm-head',
      '--quantize-vision',
    );
    expect(h.lines.join('')).toMatch(/wrote .*b: llava int4 \(block 64, asymmetric, \d+ tensors quantised\), 4 layers/);
    const m = JSON.parse(await readFile(join(dir, 'b', 'manifest.json'), 'utf8'));
    expect(m.dtype).toBe('int4');
    expect(m.quantization).toMatchObject({
      method: 'MatMulNBits',
      bits: 4,
      blockSize: 64,
      symmetric: false,
      accuracyLevel: 0,
      lmHead: false,
      embeddings: true,
      vision: true,
    });
    expect(m.quantization.tensors).not.toContain('language_model.lm_head.weight');
  });

  it('uses the documented defaults for int8: block 32, symmetric, lm_head and embeddings quantised, vision float', async () => {
    const h = harness();
    await h.run(fixture, join(dir, 'b'), '--dtype', 'int8');
    const m = JSON.parse(await readFile(join(dir, 'b', 'manifest.json'), 'utf8'));
    expect(m.quantization).toMatchObject({ bits: 8, blockSize: 32, symmetric: true, lmHead: true, embeddings: true, vision: false, accuracyLevel: 4 });
  });

  it('refuses to quantise embeddings whose hidden size the block does not divide, before writing anything', async () => {
    const h = harness();
    await expect(h.run(fixture, join(dir, 'b'), '--dtype', 'int8', '--block-size', '128')).rejects.toThrow(
      'cannot quantise the embeddings: hidden size 64 is not a multiple of the block size 128',
    );
    await expect(readFile(join(dir, 'b', 'manifest.json'))).rejects.toThrow();
    await harness().run(fixture, join(dir, 'b'), '--dtype', 'int8', '--block-size', '128', '--no-quantize-embeddings');
    expect(JSON.parse(await readFile(join(dir, 'b', 'manifest.json'), 'utf8')).quantization).toMatchObject({ blockSize: 128, embeddings: false });
  });

  it('refuses quantisation flags with a float --dtype, and block sizes other than 32, 64, 128', async () => {
    const h = harness();
    await expect(h.run(fixture, join(dir, 'b'), '--block-size', '64')).rejects.toThrow(/--block-size only apply to --dtype int8 or int4, not fp32/);
    await expect(harness().run(fixture, join(dir, 'c'), '--dtype', 'int4', '--block-size', '48')).rejects.toThrow();
  });

  it('passes compile errors through as WorkbenchErrors for the CLI to print', async () => {
    const h = harness();
    await expect(h.run(join(dir, 'missing'), join(dir, 'b'))).rejects.toMatchObject({ code: 'not-found' });
  });
});

describe('compileOptionsOf', () => {
  it("maps the flags to the contract's CompileOptionsRequest, the options models.add takes", () => {
    expect(compileOptionsOf({ dtype: 'int4', imageMode: 'crop', blockSize: '64', asymmetric: true, quantizeVision: true, minPixels: 3136 })).toEqual({
      dtype: 'int4',
      imageMode: 'crop',
      minPixels: 3136,
      quantize: { blockSize: 64, symmetric: false, vision: true },
    });
    expect(compileOptionsOf({ dtype: 'fp16', imageMode: 'pad' })).toEqual({ dtype: 'fp16', imageMode: 'pad' });
    expect(() => compileOptionsOf({ dtype: 'fp32', imageMode: 'pad', minPixels: 9000, maxPixels: 3000 })).toThrow(
      /minPixels: minPixels \(9000\) is larger than maxPixels \(3000\)/,
    );
  });

  it("offers exactly the compiler's block sizes and accuracy levels", () => {
    const ok = (quantize: object) => CompileOptionsRequest.safeParse({ dtype: 'int8', quantize }).success;
    for (const blockSize of QUANT_BLOCK_SIZES) expect(ok({ blockSize })).toBe(true);
    for (const accuracyLevel of QUANT_ACCURACY_LEVELS) expect(ok({ accuracyLevel })).toBe(true);
    for (const blockSize of [16, 48, 256]) expect(ok({ blockSize })).toBe(false);
    for (const accuracyLevel of [1, 2, 3]) expect(ok({ accuracyLevel })).toBe(false);
  });
});
