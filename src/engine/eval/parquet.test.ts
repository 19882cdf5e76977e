import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixture, FIXTURE_IMAGES } from '../../../test/eval/support/fixtures.ts';
import { loadDataset } from './load.ts';
import { embeddedImageBytes, extractImage, parquetSource, parquetSplitOf, readParquetRows } from './parquet.ts';
import { loadPope } from './pope.ts';
import { at } from '../../../test/support/index-access.ts';

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
    expect(at(rows, 0).value.id).toBe(0);
    const ds = await loadPope(join(tmp, 'pope'));
    expect(ds.sources).toEqual([file]);
    expect(ds.samples.map((s) => [s.id, s.pope, s.groups.split])).toEqual([
      ['adversarial/1', 'yes', 'adversarial'],
      ['adversarial/2', 'no', 'adversarial'],
      ['random/3', 'yes', 'random'],
    ]);
    expect(new Uint8Array(await readFile(at(ds.samples, 0).imagePath))).toEqual(png2);
    expect(new Uint8Array(await readFile(at(ds.samples, 2).imagePath))).toEqual(png);
    // one file per content: both questions on the same image share it
    expect(at(ds.samples, 0).imagePath).toBe(at(ds.samples, 1).imagePath);
    expect(at(ds.samples, 0).imagePath.endsWith('.png')).toBe(true);
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

  it("HF's shard names give the split; a folder (or its data/) of several splits needs one picked", async () => {
    expect(parquetSplitOf('/x/validation-00000-of-00003.parquet')).toBe('validation');
    expect(parquetSplitOf('testA-00001-of-00002-4a3c2b1d.parquet')).toBe('testA');
    expect(parquetSplitOf('pope.parquet')).toBe('pope');
    const dir = fixture('parquet', 'textvqa');
    await expect(parquetSource(dir)).rejects.toThrow(`${join(dir, 'data')}: parquet files of several splits (train, validation)`);
    await expect(parquetSource(dir, 'test')).rejects.toThrow('no parquet files of split "test" (its splits: train, validation)');
    expect(await parquetSource(dir, 'validation')).toEqual({ files: [join(dir, 'data', 'validation-00000-of-00001.parquet')], split: 'validation' });
    expect(await parquetSource(fixture('textvqa'))).toBeNull();
  });

  it("lmms-lab/textvqa rows: TextVQA's layout and protocol, ocr_tokens for --ocr, the image from its struct", async () => {
    const ds = await loadDataset(fixture('parquet', 'textvqa'), 'vqa', { split: 'validation', ocr: true });
    expect(ds.name).toBe('textvqa-ocr validation');
    expect(ds.samples.map((s) => [s.id, s.question, s.vqa?.protocol, s.vqa?.answers.length])).toEqual([
      ['34602', 'what is the colour of the cat?\nReference OCR token: RED, cat', 'leave-one-out', 10],
      ['34603', 'how many dog are there?', 'leave-one-out', 10],
    ]);
    expect(new Uint8Array(await readFile(at(ds.samples, 0).imagePath))).toEqual(new Uint8Array(await readFile(join(FIXTURE_IMAGES, '003a8ae2ef43b901.png'))));
  });

  it("lmms-lab/VQAv2 rows over two shards: answers as {answer, answer_confidence, answer_id}, vqaEval's protocol, answer and question types", async () => {
    const ds = await loadDataset(fixture('parquet', 'vqav2'), 'vqa');
    expect(ds.name).toBe('vqav2');
    expect(ds.sources.map((f) => f.split('/').pop())).toEqual(['validation-00000-of-00002.parquet', 'validation-00001-of-00002.parquet']);
    expect(ds.samples.map((s) => [s.id, s.groups.answerType, s.groups.questionType, s.vqa?.protocol, s.vqa?.answers[0]])).toEqual([
      ['42000', 'other', 'what color is the', 'vqav2', 'yellow'],
      ['7000', 'yes/no', 'is there a', 'vqav2', 'yes'],
      ['7001', 'number', 'how many', 'vqav2', '1'],
    ]);
    expect(at(ds.samples, 1).imagePath).toBe(at(ds.samples, 2).imagePath);
  });

  it('HuggingFaceM4/A-OKVQA rows: direct answers (exact) or multiple choice, the image embedded without an image_id', async () => {
    const da = await loadDataset(fixture('parquet', 'aokvqa'), 'vqa');
    expect(da.name).toBe('aokvqa');
    expect(da.samples.map((s) => [s.id, s.vqa?.protocol, s.vqa?.answers[3]])).toEqual([
      ['22MexNkBPpdZGX6sxbxVBH', 'exact', 'gold'],
      ['2BbwBbNCHnyRBtNbyKQvTo', 'exact', 'cat'],
    ]);
    expect(new Uint8Array(await readFile(at(da.samples, 0).imagePath))).toEqual(png2);
    const mc = await loadDataset(fixture('parquet', 'aokvqa'), 'vqa', { multipleChoice: true });
    expect(mc.samples.map((s) => [s.choices?.options[s.choices.correct], s.groups.difficult])).toEqual([
      ['yellow', 'false'],
      ['cat', 'false'],
    ]);
  });

  it("lmms-lab/RefCOCO rows: expressions in answer, float bbox, the file's split as the group", async () => {
    const ds = await loadDataset(fixture('parquet', 'refcoco'), 'refcoco', { split: 'testA' });
    expect(ds.name).toBe('refcoco testA');
    expect(ds.samples.map((s) => [s.id, s.question, s.groups.split, s.box])).toEqual([
      ['1#1', 'Where is red cat?', 'testA', [20, 4, 34, 18]],
      ['1#2', 'Where is the cat at the top?', 'testA', [20, 4, 34, 18]],
      ['2', 'Where is yellow square?', 'testA', [8, 8, 28, 24]],
    ]);
    expect(new Uint8Array(await readFile(at(ds.samples, 2).imagePath))).toEqual(png2);
    await expect(loadDataset(fixture('parquet', 'refcoco'), 'refcoco')).rejects.toThrow('parquet files of several splits (testA, val)');
  });

  it("lmms-lab/POPE's shards are one dataset: a category running across them is one split", async () => {
    const ds = await loadPope(fixture('parquet', 'pope'));
    expect(ds.samples.map((s) => [s.id, s.pope])).toEqual([
      ['adversarial/1', 'yes'],
      ['adversarial/2', 'no'],
      ['adversarial/3', 'yes'],
      ['random/4', 'no'],
    ]);
  });
});
