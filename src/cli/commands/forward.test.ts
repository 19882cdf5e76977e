import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SafetensorsFile } from '../../engine/checkpoint/safetensors.ts';
import { writeSafetensors } from '../../engine/checkpoint/safetensors-writer.ts';
import { compileTinyBundle, goldenAttnLast, maxAbsDiff, readTinyGolden, type CompiledTiny, type TinyGolden } from '../../../test/support/tiny-bundle.ts';

const laser = fileURLToPath(new URL('../../../bin/laser.js', import.meta.url));
const run = promisify(execFile);

let compiled: CompiledTiny;
let g: TinyGolden;
let inputs: string;

beforeAll(async () => {
  compiled = await compileTinyBundle();
  g = await readTinyGolden();
  inputs = join(compiled.root, 'inputs.safetensors');
  await writeSafetensors(inputs, {
    input_ids: { dtype: 'I64', shape: [1, 26], data: g.inputIds },
    pixel_values: { dtype: 'F32', shape: [1, 3, 56, 56], data: g.pixelValues },
  });
});
afterAll(async () => {
  await compiled?.dispose();
});

describe('laser forward (subprocess)', () => {
  it('writes the golden logits, attention and greedy ids, and says what it did', async () => {
    const out = join(compiled.root, 'out.safetensors');
    const { stderr } = await run(process.execPath, [
      laser,
      'forward',
      '--bundle',
      compiled.bundle,
      '--inputs',
      inputs,
      '--out',
      out,
      '--steps',
      '5',
      '--device',
      'auto',
      '--threads',
      '1',
    ]);
    expect(stderr).toMatch(/^CUDA not used, running on CPU: /m);
    expect(stderr).toMatch(/logits \[1, 26, 300\], attn_last \[4, 4, 26\], greedy_ids \[5\] = 280 243 267 124 46/);
    const f = await SafetensorsFile.open(out);
    try {
      expect(maxAbsDiff(await f.readFloat32('logits'), g.logits)).toBeLessThan(1e-4);
      expect(maxAbsDiff(await f.readFloat32('attn_last'), goldenAttnLast(g))).toBeLessThan(1e-5);
      expect(Array.from(await f.readInt64('greedy_ids'), Number)).toEqual(g.generatedNewIds);
    } finally {
      await f.close();
    }
  });

  it("with --attn-layer writes that layer's attention as attn_full [H, S, S]", async () => {
    const out = join(compiled.root, 'full.safetensors');
    const { stderr } = await run(process.execPath, [
      laser,
      'forward',
      '--bundle',
      compiled.bundle,
      '--inputs',
      inputs,
      '--out',
      out,
      '--attn-layer',
      '3',
      '--device',
      'cpu',
      '--threads',
      '1',
    ]);
    expect(stderr).toMatch(/logits \[1, 26, 300\], attn_last \[4, 4, 26\], attn_full \[4, 26, 26\] \(layer 3\)\n/);
    const f = await SafetensorsFile.open(out);
    try {
      expect(f.info('attn_full').shape).toEqual([4, 26, 26]);
      // FIXTURES.md §6 attention tolerance.
      expect(maxAbsDiff(await f.readFloat32('attn_full'), g.attentions[3])).toBeLessThan(1e-5);
    } finally {
      await f.close();
    }
  });

  it('exits 1 naming the valid range for --attn-layer beyond the last layer, or negative', async () => {
    const args = ['forward', '--bundle', compiled.bundle, '--inputs', inputs, '--out', join(compiled.root, 'z.safetensors'), '--device', 'cpu', '--attn-layer'];
    const beyond = await run(process.execPath, [laser, ...args, '4']).catch((e: unknown) => e);
    expect(beyond).toMatchObject({ code: 1 });
    expect((beyond as { stderr: string }).stderr).toMatch(
      /^error: Attention layer 4 is out of range: this model's decoder layers are 0\.\.3\.\nhint: Pick a layer from 0 to 3\./m,
    );
    const negative = await run(process.execPath, [laser, ...args, '-1']).catch((e: unknown) => e);
    expect(negative).toMatchObject({ code: 1 });
    expect((negative as { stderr: string }).stderr).toMatch(/--attn-layer must be a non-negative integer/);
  });

  it('exits 1 with the reason and a hint for a bundle that does not exist', async () => {
    const missing = join(compiled.root, 'nope');
    const err = await run(process.execPath, [laser, 'forward', '--bundle', missing, '--inputs', inputs, '--out', join(compiled.root, 'x.safetensors')]).catch(
      (e: unknown) => e,
    );
    expect(err).toMatchObject({ code: 1 });
    expect((err as { stderr: string }).stderr).toMatch(new RegExp(`^error: ${missing}: no such folder\\nhint: `));
  });

  it('refuses --device cuda here with the install hint', async () => {
    const err = await run(process.execPath, [
      laser,
      'forward',
      '--bundle',
      compiled.bundle,
      '--inputs',
      inputs,
      '--out',
      join(compiled.root, 'y.safetensors'),
      '--device',
      'cuda',
    ]).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 1 });
    expect((err as { stderr: string }).stderr).toMatch(/error: CUDA was requested but cannot be used: .*\nhint: .*ONNXRUNTIME_NODE_INSTALL=true/);
  });
});
