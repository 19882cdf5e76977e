/**
 * The issue's proof path for Qwen2-VL, end to end through the CLI: `laser compile` on the
 * qwen2vl_tiny checkpoint, then `laser forward` on its golden inputs (input_ids, pixel_values
 * [16, 1176], image_grid_thw [[1, 4, 4]]), against transformers 4.45.1's outputs. The M-RoPE
 * positions and rope deltas are ours (src/engine/families/qwen2-vl/positions.ts), not the fixture's.
 * A tiny Qwen2.5-VL checkpoint takes the same path against the float64 reference (test/reference).
 */
import { execFile } from 'node:child_process';
import { cp, mkdtemp, rm, unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SafetensorsFile } from '../../checkpoint/safetensors.ts';
import { writeSafetensors } from '../../checkpoint/safetensors-writer.ts';
import { maxAbsDiff } from '../../compiler/test-harness.ts';
import { gaussian, tinyQwen, writeTinyQwenCheckpoint } from '../../../../test/support/checkpoints.ts';
import { loadQwenF64, qwenForward, qwenGreedy } from '../../../../test/reference/qwen2vl-f64.ts';

const laser = fileURLToPath(new URL('../../../../bin/laser.js', import.meta.url));
const fixture = join(import.meta.dirname, '../../../../test/fixtures/hf-golden/qwen2vl_tiny');
const run = promisify(execFile);
const L = 16;

let tmp: string;
let golden: SafetensorsFile;
let bundle: string;
let inputs: string;

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'laser-qwen-cli-'));
  golden = await SafetensorsFile.open(join(fixture, 'golden.safetensors'));
  bundle = join(tmp, 'bundle');
  await run(process.execPath, [laser, 'compile', join(fixture, 'checkpoint'), bundle]);
  inputs = join(tmp, 'inputs.safetensors');
  await writeSafetensors(inputs, {
    input_ids: { dtype: 'I64', shape: [1, L], data: await golden.readInt64('input_ids') },
    pixel_values: { dtype: 'F32', shape: [16, 1176], data: await golden.readFloat32('pixel_values') },
    image_grid_thw: { dtype: 'I64', shape: [1, 3], data: BigInt64Array.of(1n, 4n, 4n) },
  });
}, 60_000);

afterAll(async () => {
  await golden?.close();
  await rm(tmp, { recursive: true, force: true });
});

describe('laser compile + laser forward on qwen2vl_tiny', () => {
  it('writes the golden logits, last-row attention and greedy ids', async () => {
    const out = join(tmp, 'out.safetensors');
    const { stderr } = await run(process.execPath, [
      laser,
      'forward',
      '--bundle',
      bundle,
      '--inputs',
      inputs,
      '--out',
      out,
      '--steps',
      '5',
      '--device',
      'cpu',
      '--threads',
      '1',
    ]);
    expect(stderr).toMatch(/logits \[1, 16, 300\], attn_last \[4, 4, 16\], greedy_ids \[5\]/);
    const f = await SafetensorsFile.open(out);
    try {
      expect(maxAbsDiff(await f.readFloat32('logits'), await golden.readFloat32('logits'))).toBeLessThan(1e-4);
      const attnLast = await f.readFloat32('attn_last'); // [L_layers, H, S]
      for (let l = 0; l < 4; l++) {
        const a = await golden.readFloat32(`attentions.${l}`);
        for (let h = 0; h < 4; h++) {
          expect(maxAbsDiff(attnLast.subarray((l * 4 + h) * L, (l * 4 + h + 1) * L), a.subarray((h * L + L - 1) * L, (h * L + L) * L))).toBeLessThan(1e-5);
        }
      }
      expect(Array.from(await f.readInt64('greedy_ids'), Number)).toEqual(Array.from(await golden.readInt64('generated_new_ids'), Number));
    } finally {
      await f.close();
    }
  });

  it("with --attn-layer writes that layer's whole attention", async () => {
    const out = join(tmp, 'full.safetensors');
    await run(process.execPath, [
      laser,
      'forward',
      '--bundle',
      bundle,
      '--inputs',
      inputs,
      '--out',
      out,
      '--attn-layer',
      '2',
      '--device',
      'cpu',
      '--threads',
      '1',
    ]);
    const f = await SafetensorsFile.open(out);
    try {
      expect(maxAbsDiff(await f.readFloat32('attn_full'), await golden.readFloat32('attentions.2'))).toBeLessThan(1e-5);
    } finally {
      await f.close();
    }
  });

  it('refuses pixel_values without image_grid_thw, and a checkpoint with a missing merger tensor, in one line each', async () => {
    const bad = join(tmp, 'no-grid.safetensors');
    await writeSafetensors(bad, {
      input_ids: { dtype: 'I64', shape: [1, L], data: await golden.readInt64('input_ids') },
      pixel_values: { dtype: 'F32', shape: [16, 1176], data: await golden.readFloat32('pixel_values') },
    });
    const e1 = (await run(process.execPath, [
      laser,
      'forward',
      '--bundle',
      bundle,
      '--inputs',
      bad,
      '--out',
      join(tmp, 'x.safetensors'),
      '--device',
      'cpu',
    ]).catch((e: unknown) => e)) as { code: number; stderr: string };
    expect(e1.code).toBe(1);
    expect(e1.stderr).toMatch(/has pixel_values but no image_grid_thw/);

    const ck = join(tmp, 'ckpt');
    await cp(join(fixture, 'checkpoint'), ck, { recursive: true });
    const src = await SafetensorsFile.open(join(ck, 'model.safetensors'));
    const tensors: Parameters<typeof writeSafetensors>[1] = {};
    for (const name of src.names())
      if (name !== 'visual.merger.mlp.0.weight') tensors[name] = { dtype: 'F32', shape: src.info(name).shape, data: await src.readFloat32(name) };
    await src.close();
    await unlink(join(ck, 'model.safetensors'));
    await writeSafetensors(join(ck, 'model.safetensors'), tensors);
    const e2 = (await run(process.execPath, [laser, 'compile', ck, join(tmp, 'b2')]).catch((e: unknown) => e)) as { code: number; stderr: string };
    expect(e2.code).toBe(1);
    expect(e2.stderr).toMatch(/the weights have no tensor "visual\.merger\.mlp\.0\.weight"/);
    expect(
      e2.stderr
        .trim()
        .split('\n')
        .filter((l) => l.startsWith('    at ')).length,
    ).toBe(0);
  });

  it('runs a Qwen2.5-VL bundle (window attention) through laser forward as the float64 reference does', async () => {
    // Two images whose windows need padding (3x5 and 4x2 merged tokens, 2x2 windows). Measured:
    // logits 3.8e-6 max abs against the float64 reference, greedy ids identical.
    const ck = join(tmp, 'qwen25');
    await writeTinyQwenCheckpoint(ck, { modelType: 'qwen2_5_vl' });
    await run(process.execPath, [laser, 'compile', ck, join(tmp, 'b25')]);
    const grids = [
      { t: 1, h: 6, w: 10 },
      { t: 1, h: 8, w: 4 },
    ];
    const pad = (n: number) => new Array<number>(n).fill(tinyQwen.imageToken);
    const ids = [5, tinyQwen.visionStart, ...pad(15), tinyQwen.visionEnd, 7, tinyQwen.visionStart, ...pad(8), tinyQwen.visionEnd, 8, 9];
    const rng = gaussian(3);
    const pixels = Float32Array.from({ length: 92 * 1176 }, rng);
    const file = join(tmp, 'in25.safetensors');
    await writeSafetensors(file, {
      input_ids: { dtype: 'I64', shape: [1, ids.length], data: BigInt64Array.from(ids, BigInt) },
      pixel_values: { dtype: 'F32', shape: [92, 1176], data: pixels },
      image_grid_thw: { dtype: 'I64', shape: [2, 3], data: BigInt64Array.of(1n, 6n, 10n, 1n, 8n, 4n) },
    });
    const out = join(tmp, 'out25.safetensors');
    await run(process.execPath, [
      laser,
      'forward',
      '--bundle',
      join(tmp, 'b25'),
      '--inputs',
      file,
      '--out',
      out,
      '--steps',
      '4',
      '--device',
      'cpu',
      '--threads',
      '1',
    ]);
    const ref = await loadQwenF64(ck);
    const f = await SafetensorsFile.open(out);
    try {
      expect(maxAbsDiff(await f.readFloat32('logits'), qwenForward(ref, ids, Float64Array.from(pixels), grids).logits.data)).toBeLessThan(1e-4);
      expect(Array.from(await f.readInt64('greedy_ids'), Number)).toEqual(qwenGreedy(ref, ids, Float64Array.from(pixels), grids, 4).newIds);
    } finally {
      await f.close();
    }
  });

  it('compiles weight-only int8 and int4 bundles of Qwen2-VL too: int8 keeps the greedy ids, int4 runs', async () => {
    // Measured on qwen2vl_tiny (block 32, symmetric): int8 logits 8.5e-2 max abs of |logits| up to
    // 3.6, greedy ids identical; int4 1.4 max abs, greedy ids differ (a 64-wide random model has no
    // redundancy for 4 bits to hide in), so only that it runs is claimed here.
    const golden8 = await golden.readFloat32('logits');
    for (const [dtype, bound] of [
      ['int8', 0.15],
      ['int4', null],
    ] as const) {
      const b = join(tmp, `b-${dtype}`);
      await run(process.execPath, [laser, 'compile', join(fixture, 'checkpoint'), b, '--dtype', dtype]);
      const out = join(tmp, `${dtype}.safetensors`);
      await run(process.execPath, [laser, 'forward', '--bundle', b, '--inputs', inputs, '--out', out, '--steps', '5', '--device', 'cpu', '--threads', '1']);
      const f = await SafetensorsFile.open(out);
      try {
        const logits = await f.readFloat32('logits');
        expect(logits.length).toBe(golden8.length);
        if (bound !== null) {
          expect(maxAbsDiff(logits, golden8)).toBeLessThan(bound);
          expect(Array.from(await f.readInt64('greedy_ids'), Number)).toEqual(Array.from(await golden.readInt64('generated_new_ids'), Number));
        } else expect(logits.every(Number.isFinite)).toBe(true);
      } finally {
        await f.close();
      }
    }
  }, 60_000);
});
