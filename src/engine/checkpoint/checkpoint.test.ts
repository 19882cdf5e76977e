import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { deleteShard, editSafetensorsHeader, writeTinyLlavaCheckpoint } from '../../../test/support/checkpoints.ts';
import { openCheckpoint } from './checkpoint.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ck-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('openCheckpoint', () => {
  it('reads a single-file and a sharded copy of the same weights identically', async () => {
    const one = await writeTinyLlavaCheckpoint(join(dir, 'one'));
    await writeTinyLlavaCheckpoint(join(dir, 'two'), { sharded: true });
    const a = await openCheckpoint(one.dir);
    const b = await openCheckpoint(join(dir, 'two'));
    try {
      expect(b.names().sort()).toEqual(a.names().sort());
      const files = new Set(b.names().map((n) => b.info(n).file));
      expect([...files].map((f) => f.split('/').pop()).sort()).toEqual(['model-00001-of-00002.safetensors', 'model-00002-of-00002.safetensors']);
      const name = 'language_model.model.layers.3.mlp.down_proj.weight';
      expect(b.info(name)).toMatchObject({ dtype: 'F32', shape: [64, 128] });
      expect(await b.readFloat32(name)).toEqual(await a.readFloat32(name));
      expect(await b.readFloat32(name)).toEqual(one.weights.get(name));
      const chunks: Buffer[] = [];
      for await (const c of b.chunks(name, 4096)) chunks.push(c);
      expect(Buffer.concat(chunks).equals(await a.readRaw(name))).toBe(true);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('names a shard the index lists but the folder lacks', async () => {
    await writeTinyLlavaCheckpoint(dir, { sharded: true });
    const gone = await deleteShard(dir, 2);
    await expect(openCheckpoint(dir)).rejects.toMatchObject({
      code: 'invalid-checkpoint',
      message: expect.stringContaining(`shard "${gone}" is listed in the index`),
    });
  });

  it('names a tensor the index maps to a shard that does not contain it', async () => {
    await writeTinyLlavaCheckpoint(dir, { sharded: true });
    const indexPath = join(dir, 'model.safetensors.index.json');
    const index = JSON.parse(await readFile(indexPath, 'utf8')) as { weight_map: Record<string, string> };
    index.weight_map['language_model.model.layers.9.mlp.up_proj.weight'] = 'model-00001-of-00002.safetensors';
    await writeFile(indexPath, JSON.stringify(index));
    await expect(openCheckpoint(dir)).rejects.toMatchObject({
      code: 'invalid-checkpoint',
      message: expect.stringMatching(
        /tensor "language_model.model.layers.9.mlp.up_proj.weight" is mapped to shard "model-00001-of-00002.safetensors", but .* does not contain it/,
      ),
    });
  });

  it('refuses index entries that point outside the folder and damaged shards', async () => {
    await writeTinyLlavaCheckpoint(dir, { sharded: true });
    const indexPath = join(dir, 'model.safetensors.index.json');
    const good = await readFile(indexPath, 'utf8');
    await writeFile(indexPath, JSON.stringify({ weight_map: { w: '../model.safetensors' } }));
    await expect(openCheckpoint(dir)).rejects.toThrow(/maps to "..\/model.safetensors", which is not a file name/);
    await writeFile(indexPath, good);
    await editSafetensorsHeader(join(dir, 'model-00001-of-00002.safetensors'), (h) => ({
      ...h,
      extra: { dtype: 'F32', shape: [1 << 20], data_offsets: [0, 4 << 20] },
    }));
    await expect(openCheckpoint(dir)).rejects.toThrow(/model-00001-of-00002.safetensors: tensor "extra"/);
  });

  it('says what to do for a folder without safetensors weights, and not-found for no folder', async () => {
    await writeFile(join(dir, 'pytorch_model.bin'), 'x');
    await expect(openCheckpoint(dir)).rejects.toMatchObject({ code: 'invalid-checkpoint', hint: expect.stringContaining('safe_serialization') });
    await expect(openCheckpoint(join(dir, 'nope'))).rejects.toMatchObject({ code: 'not-found' });
  });
});
