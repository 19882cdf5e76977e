import { createHash } from 'node:crypto';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ContentHasher, hashFile } from './contentHash.ts';
import { at } from '../../../test/support/index-access.ts';

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(path.join(tmpdir(), 'laser-hash-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe('content hashes', () => {
  it('is the sha256 of the bytes, also across the 1 MiB read chunks', async () => {
    const bytes = Buffer.alloc(3 * (1 << 20) + 17, 7);
    const file = path.join(tmp, 'big.bin');
    await writeFile(file, bytes);
    expect(await hashFile(file)).toBe(createHash('sha256').update(bytes).digest('hex'));
  });

  it('reads an unchanged file once however often it is asked', async () => {
    const file = path.join(tmp, 'a.bin');
    await writeFile(file, 'abc');
    const s = await stat(file);
    const hasher = new ContentHasher();
    const hashes = await Promise.all([1, 2, 3].map(() => hasher.hash(file, s)));
    await hasher.hash(file, s);
    expect(new Set(hashes).size).toBe(1);
    expect(hasher.hashedFiles).toBe(1);
  });

  it('reads again when the size or the modification time changed', async () => {
    const file = path.join(tmp, 'b.bin');
    await writeFile(file, 'one');
    const hasher = new ContentHasher();
    const first = await hasher.hash(file, await stat(file));
    await writeFile(file, 'two');
    const second = await hasher.hash(file, { size: 3, mtimeMs: (await stat(file)).mtimeMs + 1 });
    expect(second).not.toBe(first);
    expect(hasher.hashedFiles).toBe(2);
  });

  it('forgets the oldest hashes beyond its capacity', async () => {
    const hasher = new ContentHasher(2);
    const files = await Promise.all(
      ['x', 'y', 'z'].map(async (n) => {
        const f = path.join(tmp, n);
        await writeFile(f, n);
        return { f, s: await stat(f) };
      }),
    );
    for (const { f, s } of files) await hasher.hash(f, s);
    await hasher.hash(at(files, 2).f, at(files, 2).s);
    expect(hasher.hashedFiles).toBe(3);
    await hasher.hash(at(files, 0).f, at(files, 0).s);
    expect(hasher.hashedFiles).toBe(4);
  });
});
