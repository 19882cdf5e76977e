import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURE_IMAGES } from '../../../test/eval/support/fixtures.ts';
import { embeddedImageBytes, extractImage, readParquetRows } from './parquet.ts';
import { loadPope } from './pope.ts';

let tmp: string;
let png: Uint8Array;
let png2: Uint8Array;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'eval-parquet-'));
  png = new Uint8Array(await readFile(join(FIXTURE_IMAGES, 'scene_wide.png')));
  png2 = new Uint8Array(await readFile(join(FIXTURE_IMAGES, 'COCO_val2014_000000000042.png')));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

/** lmms-eval's POPE columns, the image as bytes. */
async function popeParquet(name: string, omit: string[] = []): Promise<string> {
  const columns = [
    { name: 'question_id', data: ['1', '2', '3'], type: 'STRING' as const },
    { name: 'question', data: ['Is there a cat in the image?', 'Is there a dog in the image?', 'Is there a box in the image?'], type: 'STRING' as const },
    { name: 'answer', data: ['yes', 'no', 'yes'], type: 'STRING' as const },
    { name: 'image_source', data: ['COCO_val2014_000000000042', 'COCO_val2014_000000000042', 'scene'], type: 'STRING' as const },
    { name: 'category', data: ['adversarial', 'adversarial', 'random'], type: 'STRING' as const },
    { name: 'id', data: [0n, 1n, 2n], type: 'INT64' as const },
    { name: 'image', data: [png2, png2, png], type: 'BYTE_ARRAY' as const },
  ].filter((c) => !omit.includes(c.name));
  const dir = join(tmp, name);
  await mkdir(dir, { recursive: true });
  const file = join(dir, 'test-00000-of-00001.parquet');
  await writeFile(file, new Uint8Array(parquetWriteBuffer({ columnData: columns })));
  return file;
}

describe('parquet', () => {
  it("lmms-eval's POPE parquet: rows as samples, embedded images extracted by content, splits from category", async () => {
    const file = await popeParquet('pope');
    const rows = await readParquetRows(file);
    expect(rows).toHaveLength(3);
    expect(rows[0].id).toBe(0);
    const ds = await loadPope(join(tmp, 'pope'));
    expect(ds.sources).toEqual([file]);
    expect(ds.samples.map((s) => [s.id, s.pope, s.groups.split])).toEqual([
      ['adversarial/1', 'yes', 'adversarial'],
      ['adversarial/2', 'no', 'adversarial'],
      ['random/3', 'yes', 'random'],
    ]);
    expect(new Uint8Array(await readFile(ds.samples[0].imagePath))).toEqual(png2);
    expect(new Uint8Array(await readFile(ds.samples[2].imagePath))).toEqual(png);
    // one file per content: both questions on the same image share it
    expect(ds.samples[0].imagePath).toBe(ds.samples[1].imagePath);
    expect(ds.samples[0].imagePath.endsWith('.png')).toBe(true);
  });

  it('a missing column names every field of the row; a file that is not parquet is refused', async () => {
    const file = await popeParquet('no-answer', ['answer', 'category']);
    await expect(loadPope(file)).rejects.toThrow(`${file}:1: answer: missing (expected string); category: missing (expected string)`);
    const bad = join(tmp, 'bad.parquet');
    await writeFile(bad, 'not parquet');
    await expect(readParquetRows(bad)).rejects.toThrow(`${bad}: not a parquet file this reads`);
  });

  it("embedded images: plain bytes or HF's {bytes, path}; written once per content", async () => {
    expect(embeddedImageBytes(png)).toBe(png);
    expect(embeddedImageBytes({ bytes: png, path: 'x.png' })).toBe(png);
    expect(embeddedImageBytes({ path: 'x.png' })).toBeNull();
    expect(embeddedImageBytes(new Uint8Array(0))).toBeNull();
    const dir = join(tmp, 'extract');
    const a = await extractImage(png, dir);
    expect(await extractImage(png, dir)).toBe(a);
    expect(a).toMatch(/[0-9a-f]{64}\.png$/);
  });
});
