/**
 * Every layer's attention taps (the attn_last Slice, decoder-attention.onnx's attn_full Slice) run in
 * their own layer, before the next layer's softmax, so that onnxruntime frees each layer's probs
 * [B, H, S, T] there instead of holding all L of them until the final Concats (compiler/llama.ts,
 * `taps_done`). Read from onnxruntime's profile of one prefill on llava15_tiny: the order its kernels ran in.
 */
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileTinyBundle, readTinyGolden, type CompiledTiny } from '../../../test/support/tiny-bundle.ts';
import { openModelRuntime } from './open.ts';

let compiled: CompiledTiny;
let dir: string;

beforeAll(async () => {
  compiled = await compileTinyBundle();
  dir = await mkdtemp(join(tmpdir(), 'laser-tap-order-'));
});
afterAll(async () => {
  await compiled?.dispose();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('attention taps run in their own layer', () => {
  it('each layer tap Slice and attn_full Slice run after its softmax and before the next layer softmax', async () => {
    const rt = await openModelRuntime(compiled.bundle, { device: 'cpu', threads: 1, prefillChunk: 0, profilePrefix: join(dir, 'p') });
    const g = await readTinyGolden();
    try {
      const image = await rt.encodeImages(g.pixelValues, 1);
      await rt.prefill([{ ids: g.inputIds, images: image }], { logits: 'all' });
      rt.endProfiling();
    } finally {
      await rt.dispose();
    }
    const file = (await readdir(dir)).find((n) => n.startsWith('p-decoder'));
    expect(file).toBeDefined();
    const events = JSON.parse(await readFile(join(dir, file ?? ''), 'utf8')) as { cat?: string; name?: string }[];
    const order = events.filter((e) => e.cat === 'Node' && e.name?.endsWith('_kernel_time')).map((e) => (e.name ?? '').replace(/_kernel_time$/, ''));
    const at = (name: string): number => {
      const i = order.indexOf(name);
      expect(i, name).toBeGreaterThanOrEqual(0);
      return i;
    };
    const L = rt.dims.layers;
    for (let l = 0; l < L; l++) {
      const softmax = at(`layers.${l}/self_attn/core/Softmax`);
      const next = l + 1 < L ? at(`layers.${l + 1}/self_attn/core/Softmax`) : order.length;
      for (const tap of [`layers.${l}/self_attn/attn_tap/Slice`, `layers.${l}/attn_full/Slice`]) {
        expect(at(tap), tap).toBeGreaterThan(softmax);
        expect(at(tap), tap).toBeLessThan(next);
      }
    }
  });
});
