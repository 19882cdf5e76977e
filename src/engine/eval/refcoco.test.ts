import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixture, FIXTURE_IMAGES } from '../../../test/eval/support/fixtures.ts';
import { DEFAULT_REF_PROMPT, loadRefcoco, REC_PROMPT } from './refcoco.ts';
import { at } from '../../../test/support/index-access.ts';

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'eval-ref-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe('referring-expression loader', () => {
  it('JSON lines: one sample per expression, COCO [x, y, w, h] turned into [x0, y0, x1, y1], split kept, paths relative to the folder above', async () => {
    const ds = await loadRefcoco(fixture('refcoco'));
    expect(ds.format).toBe('refcoco');
    expect(ds.samples).toEqual([
      {
        id: '11',
        imagePath: join(FIXTURE_IMAGES, 'COCO_val2014_000000000042.png'),
        question: 'Where is the yellow square?',
        groups: { split: 'val' },
        box: [8, 8, 28, 24],
      },
      {
        id: '12',
        imagePath: join(FIXTURE_IMAGES, 'COCO_val2014_000000000007.png'),
        question: 'Where is the red cat?',
        groups: { split: 'testA' },
        box: [20, 4, 34, 18],
      },
      {
        id: '13',
        imagePath: join(FIXTURE_IMAGES, 'scene_wide.png'),
        question: 'Where is the blue dog on the left?',
        groups: { split: 'testB' },
        box: [4, 4, 20, 28],
      },
    ]);
    expect(DEFAULT_REF_PROMPT).toBe('Where is {expression}?');
  });

  it('{"refs": [...]} with RefCOCO sentences (strings or {sent}) and image ids; the prompt is the caller\'s', async () => {
    const ds = await loadRefcoco(fixture('refcoco-json', 'refcoco_testA.json'), { images: FIXTURE_IMAGES, prompt: 'Look at {expression}.' });
    expect(ds.samples.map((s) => [s.id, s.question, s.imagePath, s.box])).toEqual([
      ['1#1', 'Look at yellow square.', join(FIXTURE_IMAGES, 'COCO_val2014_000000000042.png'), [8, 8, 28, 24]],
      ['1#2', 'Look at the square left.', join(FIXTURE_IMAGES, 'COCO_val2014_000000000042.png'), [8, 8, 28, 24]],
      ['2', 'Look at dark patch.', join(FIXTURE_IMAGES, '003a8ae2ef43b901.png'), [50.5, 30, 74.5, 50]],
    ]);
  });

  it("--prompt rec: lmms-eval's REC prompt, recorded as the dataset's prompt", async () => {
    const ds = await loadRefcoco(fixture('refcoco'), { prompt: 'rec' });
    expect(ds.prompt).toBe(REC_PROMPT);
    expect(
      at(ds.samples, 0).question.startsWith(
        'Bounding box coordinates are specified in the format (top-left x, top-left y, bottom-right x, bottom-right y). All values are floating point numbers bounded between 0 and 1. ',
      ),
    ).toBe(true);
    expect(
      at(ds.samples, 0).question.endsWith(
        'Please provide the bounding box coordinate of the region this sentence describes: ' + at(ds.samples, 0).question.split(': ').at(-1),
      ),
    ).toBe(true);
    expect(at(ds.samples, 0).question).not.toContain('{expression}');
  });

  it("lmms-eval's RefCOCO rows: the expression(s) in answer, the id from question_id", async () => {
    const ds = await loadRefcoco(fixture('refcoco-lmms'), { images: FIXTURE_IMAGES });
    expect(ds.samples.map((s) => [s.id, s.question, s.box])).toEqual([
      ['ref-9#1', 'Where is yellow square?', [8, 8, 28, 24]],
      ['ref-9#2', 'Where is the square on the left?', [8, 8, 28, 24]],
      ['ref-10', 'Where is the yellow thing?', [8, 8, 28, 24]],
    ]);
  });

  it("the refer API's refs(unc).p with boxes and image names from instances.json by ann_id / image_id; one sample per sentence", async () => {
    const ds = await loadRefcoco(fixture('refer', 'refcoco'), { images: FIXTURE_IMAGES });
    expect(ds.name).toBe('refcoco (unc)');
    expect(ds.sources).toEqual([fixture('refer', 'refcoco', 'refs(unc).p'), fixture('refer', 'refcoco', 'instances.json')]);
    const at42 = join(FIXTURE_IMAGES, 'COCO_val2014_000000000042.png');
    const at7 = join(FIXTURE_IMAGES, 'COCO_val2014_000000000007.png');
    expect(ds.samples.map((s) => [s.id, s.imagePath, s.question, s.groups.split, s.box])).toEqual([
      ['0#1', at42, 'Where is the yellow square?', 'train', [8, 8, 28, 24]],
      ['0#2', at42, 'Where is yellow thing left?', 'train', [8, 8, 28, 24]],
      ['1', at7, 'Where is red cat?', 'testA', [20, 4, 34, 18]],
      ['2#1', at7, 'Where is dog bottom left?', 'testB', [2, 20, 12, 36]],
      ['2#2', at7, 'Where is chien à gauche?', 'testB', [2, 20, 12, 36]],
      ['3', at42, 'Where is the square?', 'val', [8, 8, 28, 24]],
    ]);
    // RefCOCO+ and RefCOCOg (umd) read the same way; --split keeps one split before images are looked up
    expect((await loadRefcoco(fixture('refer', 'refcoco+'), { images: FIXTURE_IMAGES })).samples).toHaveLength(2);
    const g = await loadRefcoco(fixture('refer', 'refcocog', 'refs(umd).p'), { images: FIXTURE_IMAGES, split: 'test' });
    expect(g.name).toBe('refcocog (umd) test');
    expect(g.samples.map((s) => s.id)).toEqual(['21#1', '21#2']);
    await expect(loadRefcoco(fixture('refer', 'refcoco'), { images: FIXTURE_IMAGES, split: 'testC' })).rejects.toThrow(
      'no refs of split "testC" (its splits: train, testA, testB, val)',
    );
  });

  it('a refs pickle: its instances.json missing, an ann_id it lacks, a ref without sentences, bytes that are not a pickle', async () => {
    const { readFile } = await import('node:fs/promises');
    const dir = join(tmp, 'refer');
    await mkdir(dir, { recursive: true });
    const refs = join(dir, 'refs(unc).p');
    await writeFile(refs, await readFile(fixture('refer', 'refcoco', 'refs(unc).p')));
    await expect(loadRefcoco(dir)).rejects.toThrow(`${refs}: no instances.json beside it`);
    const instances = JSON.parse(await readFile(fixture('refer', 'refcoco', 'instances.json'), 'utf8')) as { annotations: { id: number }[] };
    instances.annotations = instances.annotations.filter((a) => a.id !== 1719311);
    await writeFile(join(dir, 'instances.json'), JSON.stringify(instances));
    await expect(loadRefcoco(dir)).rejects.toThrow(`${join(dir, 'instances.json')}: has no annotation 1719311 (ref_id 1, refs[1] of refs(unc).p)`);
    // pickle.dumps([{'ref_id': 5, 'ann_id': 1, 'image_id': 42, 'split': 'val', 'sentences': []}], 2)
    await writeFile(
      refs,
      Buffer.from(
        '80025d71007d71012858060000007265665f696471024b055806000000616e6e5f696471034b015808000000696d6167655f696471044b2a580500000073706c69747105580300000076616c7106580900000073656e74656e63657371075d710875612e',
        'hex',
      ),
    );
    await expect(loadRefcoco(dir)).rejects.toThrow(`${refs}: [0].sentences: Too small`);
    await writeFile(refs, '[]');
    await expect(loadRefcoco(dir)).rejects.toThrow(`${refs}: not a refs pickle this reads: unknown opcode 0x5b at byte 0`);
    await writeFile(join(dir, 'refs(umd).p'), '');
    await expect(loadRefcoco(dir)).rejects.toThrow('several refs pickles (refs(umd).p, refs(unc).p)');
  });

  it('refuses a prompt without {expression}', async () => {
    await expect(loadRefcoco(fixture('refcoco'), { prompt: 'Where is it?' })).rejects.toThrow('has no {expression}');
  });

  it('names the file and line of a bad entry', async () => {
    const jsonl = join(tmp, 'bad.jsonl');
    await writeFile(
      jsonl,
      ['{"image": "a.png", "expression": "x", "bbox": [1, 2, 3, 4]}', '{"image": "a.png", "expression": "x", "bbox": [1, 2, 0, 4]}'].join('\n'),
    );
    await expect(loadRefcoco(jsonl)).rejects.toThrow(`${jsonl}:2: bbox: width and height must be > 0`);
    const json = join(tmp, 'refs_bad.json');
    await writeFile(
      json,
      ['{"refs": [', '  {"image": "a.png", "expression": "x", "bbox": [1, 2, 3, 4]},', '  {"image": "a.png", "bbox": [1, 2, 3, 4]}', ']}'].join('\n'),
    );
    await expect(loadRefcoco(json)).rejects.toThrow(`${json}:3: refs[1]: has no expression`);
    const noImage = join(tmp, 'refs_noimage.json');
    await writeFile(noImage, JSON.stringify([{ expression: 'x', bbox: [1, 2, 3, 4] }]));
    await expect(loadRefcoco(noImage)).rejects.toThrow(`${noImage}:1: [0]: names no image`);
    const notList = join(tmp, 'refs_obj.json');
    await writeFile(notList, '{"items": []}');
    await expect(loadRefcoco(notList)).rejects.toThrow('expected a list of entries');
  });

  it('a folder with no, or several, expression files', async () => {
    await expect(loadRefcoco(fixture('images'))).rejects.toThrow('no referring-expression file');
    const two = join(tmp, 'two');
    await mkdir(two);
    await writeFile(join(two, 'a.jsonl'), '');
    await writeFile(join(two, 'refs.json'), '[]');
    await expect(loadRefcoco(two)).rejects.toThrow('several referring-expression files (a.jsonl, refs.json)');
  });
});
