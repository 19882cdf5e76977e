/**
 * The fp16-on-CPU refusal: the estimate (matrices widened to float32, the embedding table as is), the
 * figures it gives for LLaVA-1.5-7B, and the runtime refusing such a bundle before creating any
 * session while fp32/int bundles and bundles that fit open as before.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileBundle } from '../compiler/compile.ts';
import { availableMemory, fp16CpuBytes, fp16CpuRefusal, quantizedEstimate } from './memory.ts';
import { openRuntimeBundle } from './open.ts';

// An fp16 LLaVA-1.5-7B bundle: decoder 6.74 B parameters (32 layers of 202 M + lm_head 131 M),
// CLIP-L + projector 0.32 B, embed_tokens 0.131 B, at 2 bytes each.
const llava7b = { decoder: 13.48e9, vision: 0.64e9, embed: 0.263e9 };

describe('fp16 bundles on the CPU', () => {
  it('cost twice their matrices (widened to float32) plus the embedding table', () => {
    expect(fp16CpuBytes({ decoder: 100, vision: 10, embed: 7 })).toBe(227);
    expect(fp16CpuBytes(llava7b) / 1e9).toBeCloseTo(28.5, 1);
  });

  it('estimate int4 / int8 weights from the fp16 sizes: 0.625 / 1.125 bytes per quantised parameter, vision float32', () => {
    expect(quantizedEstimate({ decoder: 2000, vision: 200, embed: 0 }, 4)).toBe(1000 * 0.625 + 100 * 4);
    expect(quantizedEstimate(llava7b, 4) / 1e9).toBeCloseTo(5.58, 1);
    expect(quantizedEstimate(llava7b, 8) / 1e9).toBeCloseTo(9.0, 1);
  });

  it('refuse with the memory needed, the memory available and the --dtype to use instead', () => {
    expect(fp16CpuRefusal(llava7b, 64e9)).toBeNull();
    const r = fp16CpuRefusal(llava7b, 22e9);
    expect(r?.message).toBe(
      "This fp16 bundle needs about 28.5 GB of memory on the CPU, and 22.0 GB is available: ONNX Runtime's CPU provider has no float16 MatMul, so it widens every fp16 weight to float32 when it loads the graphs.",
    );
    expect(r?.hint).toMatch(
      /^Recompile it with `laser compile <checkpoint> <bundle> --dtype int4` \(about 5\.6 GB of weights\) or --dtype int8 \(about 9\.0 GB\), or run it on a GPU with --device cuda\.$/,
    );
  });

  it('reads the memory available from the OS', () => {
    const m = availableMemory();
    expect(m).toBeGreaterThan(1e8);
  });
});

describe('the runtime on fp16 bundles', () => {
  const fixture = join(import.meta.dirname, '../../../test/fixtures/hf-golden/llava15_tiny/checkpoint');
  let tmp: string;
  beforeAll(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'laser-fp16-cpu-'));
    await compileBundle(fixture, join(tmp, 'fp16'), { dtype: 'fp16' });
    await compileBundle(fixture, join(tmp, 'fp32'));
    await compileBundle(fixture, join(tmp, 'int4'), { dtype: 'int4' });
  });
  afterAll(async () => {
    await rm(tmp, { recursive: true, force: true });
  });

  it('refuses an fp16 bundle on the CPU up front when its widened weights exceed the memory available', async () => {
    // llava15_tiny fp16: about 0.8 MB once widened
    await expect(openRuntimeBundle(join(tmp, 'fp16'), { device: 'cpu', availableMemory: () => 200e3 })).rejects.toMatchObject({
      code: 'too-large',
      message: expect.stringMatching(/fp16: This fp16 bundle needs about 0\.0 GB of memory on the CPU, and 0\.0 GB is available/),
      hint: expect.stringMatching(/--dtype int4/),
    });
    // auto falls back to the CPU here (no CUDA provider library), so it is refused the same way
    await expect(openRuntimeBundle(join(tmp, 'fp16'), { device: 'auto', availableMemory: () => 200e3 })).rejects.toMatchObject({ code: 'too-large' });
  });

  it('opens it when it fits, and never checks fp32 bundles', async () => {
    const fits = await openRuntimeBundle(join(tmp, 'fp16'), { device: 'cpu', availableMemory: () => 10e6 });
    await fits.runtime.dispose();
    const fp32 = await openRuntimeBundle(join(tmp, 'fp32'), { device: 'cpu', availableMemory: () => 1 });
    await fp32.runtime.dispose();
  });

  it('runs an int4 bundle (MatMulNBits, GatherBlockQuantized) through the runtime like any other', async () => {
    const { runtime } = await openRuntimeBundle(join(tmp, 'int4'), { device: 'cpu', availableMemory: () => 1 });
    try {
      const out = await runtime.prefill([{ ids: [1, 5, 7, 9] }], { logits: 'all' });
      expect(out.logits.length).toBe(4 * 300);
      expect(out.logits.every(Number.isFinite)).toBe(true);
      expect(out.attnLast.length).toBe(4 * 4 * 4);
    } finally {
      await runtime.dispose();
    }
  });
});
