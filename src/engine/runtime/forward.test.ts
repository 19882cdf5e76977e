import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SafetensorsFile } from '../checkpoint/safetensors.ts';
import { writeSafetensors, type TensorToWrite } from '../checkpoint/safetensors-writer.ts';
import { forwardFiles, readForwardInputs, runForward } from './forward.ts';
import type { RuntimeProgress } from './generate.ts';
import type { ModelRuntime } from './model-runtime.ts';
import { openModelRuntime } from './open.ts';
import { at } from '../../../test/support/index-access.ts';
import { compileTinyBundle, goldenAttnLast, maxAbsDiff, readTinyGolden, type CompiledTiny, type TinyGolden } from '../../../test/support/tiny-bundle.ts';

let compiled: CompiledTiny;
let rt: ModelRuntime;
let g: TinyGolden;

beforeAll(async () => {
  compiled = await compileTinyBundle();
  rt = await openModelRuntime(compiled.bundle, { device: 'cpu', threads: 1 });
  g = await readTinyGolden();
});
afterAll(async () => {
  await rt?.dispose();
  await compiled?.dispose();
});

let n = 0;
async function inputsFile(tensors: Record<string, TensorToWrite>): Promise<string> {
  const path = join(compiled.root, `inputs-${n++}.safetensors`);
  await writeSafetensors(path, tensors);
  return path;
}

const goldenInputs = (): { input_ids: TensorToWrite; pixel_values: TensorToWrite } => ({
  input_ids: { dtype: 'I64', shape: [1, 26], data: g.inputIds },
  pixel_values: { dtype: 'F32', shape: [1, 3, 56, 56], data: g.pixelValues },
});

describe('forwardFiles', () => {
  it('writes HF logits, last-row attention and greedy ids for the golden prompt', async () => {
    const out = join(compiled.root, 'out.safetensors');
    const r = await forwardFiles(rt, await inputsFile(goldenInputs()), out, { steps: 5 });
    expect([r.sequence, r.images, r.greedyIds]).toEqual([26, 1, g.generatedNewIds]);
    const f = await SafetensorsFile.open(out);
    try {
      expect(f.names().sort()).toEqual(['attn_last', 'greedy_ids', 'logits']);
      expect([f.info('logits').dtype, f.info('logits').shape]).toEqual(['F32', [1, 26, 300]]);
      expect([f.info('attn_last').dtype, f.info('attn_last').shape]).toEqual(['F32', [4, 4, 26]]);
      expect([f.info('greedy_ids').dtype, f.info('greedy_ids').shape]).toEqual(['I64', [5]]);
      expect(maxAbsDiff(await f.readFloat32('logits'), g.logits)).toBeLessThan(1e-4);
      expect(maxAbsDiff(await f.readFloat32('attn_last'), goldenAttnLast(g))).toBeLessThan(1e-5);
      expect(Array.from(await f.readInt64('greedy_ids'), Number)).toEqual(g.generatedNewIds);
    } finally {
      await f.close();
    }
  });

  it("writes one layer's whole attention as attn_full [H, S, S] when asked, leaving the rest unchanged", async () => {
    const plainOut = join(compiled.root, 'plain.safetensors');
    const fullOut = join(compiled.root, 'full.safetensors');
    const inputs = await inputsFile(goldenInputs());
    await forwardFiles(rt, inputs, plainOut);
    await forwardFiles(rt, inputs, fullOut, { attnLayer: 2 });
    const [plain, full] = await Promise.all([SafetensorsFile.open(plainOut), SafetensorsFile.open(fullOut)]);
    try {
      expect(full.names().sort()).toEqual(['attn_full', 'attn_last', 'logits']);
      expect([full.info('attn_full').dtype, full.info('attn_full').shape]).toEqual(['F32', [4, 26, 26]]);
      // FIXTURES.md §6: attentions atol 1e-5; the If in the graph only routes, so logits stay as they were.
      expect(maxAbsDiff(await full.readFloat32('attn_full'), at(g.attentions, 2))).toBeLessThan(1e-5);
      expect(maxAbsDiff(await full.readFloat32('logits'), await plain.readFloat32('logits'))).toBeLessThan(1e-6);
    } finally {
      await Promise.all([plain.close(), full.close()]);
    }
  });

  it('refuses a layer out of range before any work, naming the range', async () => {
    const inputs = await readForwardInputs(await inputsFile(goldenInputs()), rt.imageSize);
    const seen: string[] = [];
    await expect(runForward(rt, inputs, { attnLayer: 4, onProgress: (p) => seen.push(p.stage) })).rejects.toThrow(
      "Attention layer 4 is out of range: this model's decoder layers are 0..3.",
    );
    expect(seen).toEqual([]);
  });

  it('runs a text-only prompt without pixel_values and without greedy_ids', async () => {
    const out = join(compiled.root, 'text.safetensors');
    const text = BigInt64Array.from([1n, 5n, 6n]);
    const r = await forwardFiles(rt, await inputsFile({ input_ids: { dtype: 'I64', shape: [1, 3], data: text } }), out);
    expect([r.images, r.greedyIds]).toEqual([0, null]);
    const f = await SafetensorsFile.open(out);
    expect(f.names().sort()).toEqual(['attn_last', 'logits']);
    const whole = await rt.prefill([{ ids: text }], { logits: 'all' });
    expect(Array.from(await f.readFloat32('logits'))).toEqual(Array.from(whole.logits));
    await f.close();
  });

  it('reports stage progress and stops when aborted between stages', async () => {
    const inputs = await readForwardInputs(await inputsFile(goldenInputs()), rt.imageSize);
    const seen: string[] = [];
    const log = (p: RuntimeProgress) => seen.push(`${p.stage} ${p.step}/${p.total}`);
    await runForward(rt, inputs, { steps: 2, onProgress: log });
    expect(seen).toEqual(['encode-images 0/1', 'encode-images 1/1', 'prefill 0/1', 'prefill 1/1', 'decode 1/2', 'decode 2/2']);

    const ac = new AbortController();
    seen.length = 0;
    const onProgress = (p: RuntimeProgress) => (log(p), p.stage === 'encode-images' && p.step === 1 && ac.abort());
    await expect(runForward(rt, inputs, { steps: 2, signal: ac.signal, onProgress })).rejects.toMatchObject({ code: 'cancelled' });
    expect(seen).toEqual(['encode-images 0/1', 'encode-images 1/1']);
  });

  it('names the missing tensor, the wrong dtype or shape, and a missing file', async () => {
    const out = join(compiled.root, 'never.safetensors');
    const { pixel_values } = goldenInputs();
    await expect(forwardFiles(rt, await inputsFile({ pixel_values }), out)).rejects.toThrow(/has no tensor "input_ids"/);
    await expect(forwardFiles(rt, await inputsFile({ input_ids: { dtype: 'I32', shape: [1, 2], data: Int32Array.from([1, 2]) } }), out)).rejects.toThrow(
      /input_ids is I32 \[1, 2\], expected I64 \[1, S\]/,
    );
    await expect(forwardFiles(rt, await inputsFile({ input_ids: { dtype: 'I64', shape: [2, 1], data: BigInt64Array.from([1n, 2n]) } }), out)).rejects.toThrow(
      /input_ids is I64 \[2, 1\], expected I64 \[1, S\]/,
    );
    const small = { dtype: 'F32', shape: [1, 3, 28, 28], data: new Float32Array(3 * 28 * 28) } as const;
    await expect(forwardFiles(rt, await inputsFile({ ...goldenInputs(), pixel_values: small }), out)).rejects.toThrow(
      /pixel_values is F32 \[1, 3, 28, 28\], expected F32 \[N, 3, 56, 56\] for this bundle/,
    );
    await expect(forwardFiles(rt, await inputsFile({ input_ids: goldenInputs().input_ids }), out)).rejects.toThrow(
      /16 image placeholder tokens .* no image features/,
    );
    await expect(forwardFiles(rt, join(compiled.root, 'absent.safetensors'), out)).rejects.toMatchObject({ code: 'not-found' });
  });

  it('refuses a folder that is not a bundle', async () => {
    await expect(openModelRuntime(join(compiled.root, 'no-such-bundle'))).rejects.toMatchObject({ code: 'not-found' });
    await expect(openModelRuntime(compiled.root)).rejects.toMatchObject({ code: 'invalid-bundle' });
  });
});
