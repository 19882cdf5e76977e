import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { llavaTinyCheckpoint, openGoldenTensors, readGoldenJson } from './golden.ts';

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

describe('llava15_tiny golden fixture', () => {
  it('reads every tensor of golden.safetensors bit-exactly (sha256, shape and dtype as golden.json records)', async () => {
    const golden = await readGoldenJson();
    const f = await openGoldenTensors();
    try {
      expect(f.names().sort()).toEqual(Object.keys(golden.tensors).sort());
      expect(f.metadata).toEqual({ format: 'golden', transformers: '4.45.1', torch: '1.13.0a0' });
      const dtypes: Record<string, string> = { float32: 'F32', int64: 'I64' };
      for (const [name, t] of Object.entries(golden.tensors)) {
        expect(f.info(name), name).toMatchObject({ shape: t.shape, dtype: dtypes[t.dtype] });
        expect(sha256(await f.readRaw(name)), name).toBe(t.sha256);
      }
    } finally {
      await f.close();
    }
  });

  it('is the checkpoint FIXTURES.md §8 lists (whole-file sha256)', async () => {
    expect(sha256(await readFile(join(llavaTinyCheckpoint, 'model.safetensors')))).toBe('425a26e4137e1377f9147e96128c13c85759e70805b4395de7c1b39a13e5b497');
  });
});
