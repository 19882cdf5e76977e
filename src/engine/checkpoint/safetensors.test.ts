import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WorkbenchError } from '../../common/contract/errors.ts';
import { setHeaderLength, truncateBy, writeRawSafetensors } from '../../../test/support/checkpoints.ts';
import { SafetensorsFile } from './safetensors.ts';
import { writeSafetensors } from './safetensors-writer.ts';
import { field } from '../../../test/support/index-access.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'st-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function expectInvalid(path: string, ...parts: (string | RegExp)[]): Promise<void> {
  const err = await SafetensorsFile.open(path).then(
    (f) => (f.close(), null),
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(WorkbenchError);
  const w = err as WorkbenchError;
  expect(w.code).toBe('invalid-checkpoint');
  expect(w.message).toContain(path);
  for (const p of parts) expect(w.message).toMatch(p);
  expect(w.hint).toBeTruthy();
}

describe('writeSafetensors + SafetensorsFile', () => {
  it('round-trips every dtype bit for bit, with metadata and sorted, 8-byte aligned layout', async () => {
    const path = join(dir, 'a.safetensors');
    const f32 = new Float32Array([1.5, -2.25, 3e-8, Infinity]);
    await writeSafetensors(
      path,
      {
        z: { dtype: 'F32', shape: [2, 2], data: f32 },
        a: { dtype: 'I64', shape: [3], data: new BigInt64Array([1n, -2n, 9007199254740993n]) },
        m: { dtype: 'F64', shape: [1], data: new Float64Array([Math.PI]) },
        b: { dtype: 'BOOL', shape: [2], data: new Uint8Array([1, 0]) },
        e: { dtype: 'F32', shape: [0, 3], data: new Float32Array(0) },
      },
      { format: 'pt' },
    );
    const raw = await readFile(path);
    const n = Number(raw.readBigUInt64LE(0));
    expect((8 + n) % 8).toBe(0);
    const header = JSON.parse(raw.subarray(8, 8 + n).toString()) as Record<string, { data_offsets: number[] }>;
    expect(Object.keys(header)).toEqual(['__metadata__', 'a', 'b', 'e', 'm', 'z']);
    expect(field(header, 'a').data_offsets).toEqual([0, 24]);

    const f = await SafetensorsFile.open(path);
    try {
      expect(f.metadata).toEqual({ format: 'pt' });
      expect(f.names().sort()).toEqual(['a', 'b', 'e', 'm', 'z']);
      expect(f.info('z')).toMatchObject({ dtype: 'F32', shape: [2, 2] });
      expect(await f.readFloat32('z')).toEqual(f32);
      expect([...(await f.readInt64('a'))]).toEqual([1n, -2n, 9007199254740993n]);
      expect(await f.readFloat32('m')).toEqual(new Float32Array([Math.PI]));
      expect([...(await f.readRaw('b'))]).toEqual([1, 0]);
      expect((await f.readFloat32('e')).length).toBe(0);
      expect(f.has('nope')).toBe(false);
      expect(() => f.info('nope')).toThrow(/has no tensor "nope"/);
    } finally {
      await f.close();
    }
  });

  it('stores F16/BF16 from float32 rounded to nearest even and widens them back exactly', async () => {
    const path = join(dir, 'h.safetensors');
    // 1 + 2^-8 is a bf16 tie (rounds to even: 1); 1 + 3*2^-8 rounds up; half values are exact in both.
    const x = new Float32Array([1 + 2 ** -8, 1 + 3 * 2 ** -8, -0.5, 65504, 2 ** -24]);
    await writeSafetensors(path, { h: { dtype: 'F16', shape: [5], data: x }, b: { dtype: 'BF16', shape: [5], data: x } });
    const f = await SafetensorsFile.open(path);
    try {
      expect([...(await f.readFloat32('b'))]).toEqual([1, 1 + 2 ** -6, -0.5, 65536, 2 ** -24]);
      expect([...(await f.readFloat32('h'))]).toEqual([1 + 2 ** -8, 1 + 3 * 2 ** -8, -0.5, 65504, 2 ** -24]);
      expect([...new Uint16Array((await f.readRaw('h')).buffer)]).toEqual([0x3c04, 0x3c0c, 0xb800, 0x7bff, 0x0001]);
    } finally {
      await f.close();
    }
  });

  it('streams a tensor in whole-element chunks that concatenate to the tensor', async () => {
    const path = join(dir, 'c.safetensors');
    const data = Float32Array.from({ length: 1001 }, (_, i) => i * 0.5);
    await writeSafetensors(path, { pad: { dtype: 'U8', shape: [3], data: new Uint8Array(3) }, w: { dtype: 'F32', shape: [1001], data } });
    const f = await SafetensorsFile.open(path);
    try {
      const parts: Buffer[] = [];
      for await (const c of f.chunks('w', 1023)) parts.push(c);
      expect(parts.map((p) => p.byteLength)).toEqual([...Array(3).fill(1020), 4004 - 3060]);
      expect(new Float32Array(new Uint8Array(Buffer.concat(parts)).buffer)).toEqual(data);
    } finally {
      await f.close();
    }
  });
});

describe('SafetensorsFile refuses damaged files, naming file and tensor', () => {
  const entry = (dtype: string, shape: number[], offsets: number[]) => ({ dtype, shape, data_offsets: offsets });

  it('a file shorter than the 8-byte length', async () => {
    const p = join(dir, 'x.safetensors');
    await writeRawSafetensors(p, {}, 0);
    await truncateBy(p, 8);
    await expectInvalid(p, /too short/);
  });

  it('a truncated file whose tensor data runs past the end', async () => {
    const p = join(dir, 'x.safetensors');
    await writeSafetensors(p, { w: { dtype: 'F32', shape: [4], data: new Float32Array(4) } });
    await truncateBy(p, 3);
    await expectInvalid(p, /tensor "w"/, /past the 13-byte data region/);
  });

  it('a header length beyond the file size', async () => {
    const p = join(dir, 'x.safetensors');
    await writeSafetensors(p, { w: { dtype: 'F32', shape: [1], data: new Float32Array(1) } });
    await setHeaderLength(p, 1n << 40n);
    await expectInvalid(p, /header length 1099511627776 runs past the end/);
  });

  it('a header that is not JSON', async () => {
    const p = join(dir, 'x.safetensors');
    await writeRawSafetensors(p, '{"w": ', 0);
    await expectInvalid(p, /not valid JSON/);
  });

  it('offsets out of bounds', async () => {
    const p = join(dir, 'x.safetensors');
    await writeRawSafetensors(p, { w: entry('F32', [2], [8, 16]) }, 12);
    await expectInvalid(p, /tensor "w"/, /\[8, 16\] run past the 12-byte data region/);
  });

  it('overlapping tensors', async () => {
    const p = join(dir, 'x.safetensors');
    await writeRawSafetensors(p, { a: entry('F32', [2], [0, 8]), b: entry('F32', [2], [4, 12]) }, 12);
    await expectInvalid(p, /tensor "b" overlaps tensor "a"/);
  });

  it('a byte length that does not match dtype and shape', async () => {
    const p = join(dir, 'x.safetensors');
    await writeRawSafetensors(p, { w: entry('BF16', [2, 3], [0, 24]) }, 24);
    await expectInvalid(p, /tensor "w"/, /hold 24 bytes, but BF16 \[2,3\] needs 12/);
  });

  it('a tensor named twice (which JSON.parse would silently merge)', async () => {
    const p = join(dir, 'x.safetensors');
    await writeRawSafetensors(p, '{"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"w":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}', 8);
    await expectInvalid(p, /tensor "w" is listed twice/);
  });

  it('an unknown dtype, a negative or fractional dimension, and non-string metadata', async () => {
    const p = join(dir, 'x.safetensors');
    await writeRawSafetensors(p, { w: entry('Q4', [1], [0, 1]) }, 1);
    await expectInvalid(p, /tensor "w"/, /dtype "Q4"/);
    await writeRawSafetensors(p, { w: entry('U8', [-1], [0, 0]) }, 0);
    await expectInvalid(p, /tensor "w"/, /shape \[-1\]/);
    await writeRawSafetensors(p, { w: entry('U8', [1.5], [0, 1]) }, 1);
    await expectInvalid(p, /shape \[1.5\]/);
    await writeRawSafetensors(p, { __metadata__: { n: 1 } }, 0);
    await expectInvalid(p, /__metadata__.n/);
  });

  it('a missing file is not-found, not invalid', async () => {
    await expect(SafetensorsFile.open(join(dir, 'none.safetensors'))).rejects.toMatchObject({ code: 'not-found' });
  });
});
