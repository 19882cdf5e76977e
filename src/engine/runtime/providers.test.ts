import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WorkbenchError } from '../../common/contract/errors.ts';
import { GraphBuilder } from '../onnx/ops.ts';
import { saveModel } from '../onnx/save.ts';
import { arraySource } from '../onnx/tensor-source.ts';
import { field } from '../../../test/support/index-access.ts';
import { cudaUnavailableReason, defaultProviderLibraryDir, SessionFactory } from './providers.ts';

// This project's .npmrc runs no install scripts, so onnxruntime-node's CUDA download is skipped and
// its provider library is absent from node_modules wherever these tests run (checked by the first test).
let dir: string;
let model: string;
let emptyDir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'laser-providers-'));
  emptyDir = join(dir, 'no-providers');
  const g = new GraphBuilder('scale');
  const x = g.input('x', 'float32', ['n']);
  // An external weight, so the session must resolve scale.onnx.data beside the graph (cwd is elsewhere).
  const w = g.initializer('w', arraySource('float32', [1], Float32Array.from([3])));
  g.output(g.mul(x, w), 'y', ['n']);
  model = (await saveModel(g, dir, 'scale.onnx')).onnxPath;
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function run(session: ort.InferenceSession): Promise<number[]> {
  const out = await session.run({ x: new ort.Tensor('float32', Float32Array.from([1, -2]), [2]) });
  return Array.from(field(out, 'y').data as Float32Array);
}

describe('SessionFactory', () => {
  it('in auto mode falls back to cpu on this machine and records why, logging it once', async () => {
    expect(cudaUnavailableReason(defaultProviderLibraryDir())).toMatch(
      /libonnxruntime_providers_shared\.so and libonnxruntime_providers_cuda\.so missing from /,
    );
    const lines: string[] = [];
    const factory = new SessionFactory({ device: 'auto', log: (l) => lines.push(l) });
    const a = await factory.create(model);
    const b = await factory.create(model);
    expect([a.provider, b.provider, factory.provider]).toEqual(['cpu', 'cpu', 'cpu']);
    expect(factory.fallbackReason).toMatch(/CUDA provider library is not installed/);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^CUDA not used, running on CPU: the CUDA provider library is not installed/);
    expect(await run(a.session)).toEqual([3, -6]);
    expect(a.createMs).toBeGreaterThan(0);
    await Promise.all([a.session.release(), b.session.release()]);
  });

  it('catches a CUDA session that fails to load and falls back', async () => {
    // A provider folder that claims CUDA is there: the probe passes, onnxruntime's own load fails.
    const fakeDir = join(dir, 'fake-cuda');
    await rm(fakeDir, { recursive: true, force: true });
    await mkdir(fakeDir);
    await writeFile(join(fakeDir, 'libonnxruntime_providers_shared.so'), '');
    await writeFile(join(fakeDir, 'libonnxruntime_providers_cuda.so'), '');
    const factory = new SessionFactory({ device: 'auto', providerLibraryDir: fakeDir });
    const s = await factory.create(model);
    expect(s.provider).toBe('cpu');
    expect(factory.fallbackReason).toMatch(/^creating a CUDA session failed: .*Failed to load shared library/);
    await s.session.release();
  });

  it('refuses an explicit cuda request with an install hint', async () => {
    const factory = new SessionFactory({ device: 'cuda', providerLibraryDir: emptyDir });
    const err = await factory.create(model).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WorkbenchError);
    expect((err as WorkbenchError).message).toMatch(/CUDA was requested but cannot be used: the CUDA provider library is not installed/);
    expect((err as WorkbenchError).hint).toMatch(/ONNXRUNTIME_NODE_INSTALL=true node node_modules\/onnxruntime-node\/script\/install\.js/);
  });

  it('uses cpu without probing when asked, with the requested threads', async () => {
    const lines: string[] = [];
    const factory = new SessionFactory({ device: 'cpu', threads: 1, log: (l) => lines.push(l) });
    const s = await factory.create(model);
    expect([s.provider, factory.fallbackReason, lines.length]).toEqual(['cpu', null, 0]);
    expect(await run(s.session)).toEqual([3, -6]);
    await s.session.release();
  });

  it('rejects bad thread counts and devices', () => {
    expect(() => new SessionFactory({ threads: -1 })).toThrow(/non-negative integer/);
    expect(() => new SessionFactory({ device: 'tpu' as never })).toThrow(/Unknown device "tpu"/);
  });
});
