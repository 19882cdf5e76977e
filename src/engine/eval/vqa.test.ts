import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixture, FIXTURE_IMAGES } from '../../../test/eval/support/fixtures.ts';
import { answerScore } from './score.ts';
import { loadVqa, ocrPrompt, vqaFileKind } from './vqa.ts';
import { at } from '../../../test/support/index-access.ts';

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'eval-vqa-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

const image = (name: string) => join(FIXTURE_IMAGES, name);

async function jsonFile(name: string, text: string): Promise<string> {
  const path = join(tmp, name);
  await mkdir(join(path, '..'), { recursive: true });
  await writeFile(path, text);
  return path;
}

describe('VQA loader: the layouts as they ship', () => {
  it('TextVQA: {"data": [...]}, ten answers, leave-one-out, images by hex id or by file stem', async () => {
    const ds = await loadVqa(fixture('textvqa', 'TextVQA_0.5.1_val.json'), { images: FIXTURE_IMAGES });
    expect(ds.name).toBe('textvqa');
    expect(ds.samples.map((s) => s.id)).toEqual(['34602', '34603', '34604']);
    expect(at(ds.samples, 0).vqa).toEqual({
      answers: ['red', 'red', 'red', 'red', 'blue', 'blue', 'red', 'dark red', 'red', 'red'],
      protocol: 'leave-one-out',
    });
    expect(ds.samples.map((s) => s.imagePath)).toEqual([image('003a8ae2ef43b901.png'), image('003a8ae2ef43b901.png'), image('COCO_val2014_000000000042.png')]);
    expect(at(ds.samples, 0).question).toBe('what is the colour of the cat?');
  });

  it('A-OKVQA: a list with direct_answers, exact matches min(1, m/3) (the official direct-answer score), COCO images by integer id whatever the zero padding', async () => {
    const ds = await loadVqa(fixture('aokvqa'), { images: FIXTURE_IMAGES });
    expect(ds.name).toBe('aokvqa');
    expect(ds.samples.map((s) => [s.id, s.vqa!.protocol, s.imagePath])).toEqual([
      ['22MexNkBPpdZGX6sxbxVBH', 'exact', image('COCO_val2014_000000000042.png')],
      ['2BbwBbNCHnyRBtNbyKQvTo', 'exact', image('COCO_val2014_000000000007.png')],
      ['3kZPMvUH7yQqCGrTVNQMGp', 'exact', image('COCO_val2014_000000000042.png')],
    ]);
    expect(at(ds.samples, 1).vqa!.answers).toContain('crate');
    expect(at(ds.samples, 0).groups).toEqual({ difficult: 'false' });
  });

  it("A-OKVQA multiple choice: lettered choices in the question, correct_choice_idx as truth, LLaVA's instruction; refused for other layouts", async () => {
    const ds = await loadVqa(fixture('aokvqa'), { images: FIXTURE_IMAGES, multipleChoice: true });
    expect(ds).toMatchObject({ name: 'aokvqa-mc', instruction: "Answer with the option's letter from the given choices directly." });
    expect(at(ds.samples, 0)).toMatchObject({
      question: 'What is the colour of the cat?\nA. red\nB. blue\nC. green\nD. yellow',
      choices: { options: ['red', 'blue', 'green', 'yellow'], correct: 3 },
    });
    expect(at(ds.samples, 0).vqa).toBeUndefined();
    expect(answerScore(at(ds.samples, 0), 'D')).toBe(1);
    expect(answerScore(at(ds.samples, 0), 'yellow')).toBe(1);
    expect(answerScore(at(ds.samples, 0), 'A')).toBe(0);
    await expect(loadVqa(fixture('textvqa'), { images: FIXTURE_IMAGES, multipleChoice: true })).rejects.toThrow(
      "multiple choice is A-OKVQA's task; this is a textvqa file.",
    );
    const noIdx = await jsonFile(
      'aok-test.json',
      JSON.stringify([{ question_id: 'x', image_id: 42, question: 'q?', direct_answers: ['a'], choices: ['a', 'b'] }]),
    );
    await expect(loadVqa(noIdx, { images: FIXTURE_IMAGES, multipleChoice: true })).rejects.toThrow(`${noIdx}:1: question x has no correct_choice_idx`);
  });

  it('VQA v2: questions joined with annotations by question_id, in the questions order; answer and question types become groups', async () => {
    const ds = await loadVqa(fixture('vqav2'), { images: FIXTURE_IMAGES });
    expect(ds.name).toBe('vqav2');
    expect(ds.sources.map((s) => s.split('/').pop())).toEqual(['v2_OpenEnded_mscoco_val2014_questions.json', 'v2_mscoco_val2014_annotations.json']);
    expect(ds.samples.map((s) => s.id)).toEqual(['420', '421', '70']);
    expect(at(ds.samples, 0).vqa).toEqual({ answers: ['yellow', 'yellow', 'gold'], protocol: 'vqav2' });
    expect(at(ds.samples, 2).groups).toEqual({ answerType: 'number', questionType: 'how many' });
    // either file of the pair finds its partner beside it
    for (const f of ['v2_OpenEnded_mscoco_val2014_questions.json', 'v2_mscoco_val2014_annotations.json']) {
      expect((await loadVqa(fixture('vqav2', f), { images: FIXTURE_IMAGES })).samples.map((s) => s.id)).toEqual(['420', '421', '70']);
    }
  });

  it("ViCrop's data.json: {id, question, labels, image_path}, leave-one-out", async () => {
    const ds = await loadVqa(fixture('vicrop', 'data.json'), { images: FIXTURE_IMAGES });
    expect(ds.name).toBe('vicrop');
    expect(ds.samples.map((s) => [s.id, s.question, s.vqa, s.imagePath])).toEqual([
      [
        '0',
        'What colour is the square?',
        { answers: ['yellow', 'yellow', 'gold', 'yellow'], protocol: 'leave-one-out' },
        image('COCO_val2014_000000000042.png'),
      ],
      ['1', 'What is written on the sign?', { answers: ['stop', 'stop'], protocol: 'leave-one-out' }, image('003a8ae2ef43b901.png')],
    ]);
  });

  it("ViCrop's run.py rows (label, no id, its own absolute or nested image paths): found by file name, numbered from 1", async () => {
    const ds = await loadVqa(fixture('vicrop-results', 'llava-textvqa-rel_att.json'), { images: FIXTURE_IMAGES });
    expect(ds.name).toBe('vicrop');
    expect(ds.samples.map((s) => [s.id, s.imagePath, s.vqa?.answers.length, s.vqa?.protocol])).toEqual([
      ['1', join(FIXTURE_IMAGES, '003a8ae2ef43b901.png'), 10, 'leave-one-out'],
      ['2', join(FIXTURE_IMAGES, 'COCO_val2014_000000000042.png'), 10, 'leave-one-out'],
    ]);
  });

  it("TextVQA with OCR tokens: LLaVA's prompt, tokens from the Rosetta OCR file beside the data (or the entries' own)", async () => {
    const dir = join(tmp, 'ocr');
    await mkdir(dir, { recursive: true });
    await copyFile(fixture('textvqa', 'TextVQA_0.5.1_val.json'), join(dir, 'TextVQA_0.5.1_val.json'));
    const plain = await loadVqa(fixture('textvqa'), { images: FIXTURE_IMAGES });
    const ids = [
      ...new Set(
        plain.samples.map((s) =>
          s.imagePath
            .split('/')
            .pop()!
            .replace(/\.png$/, ''),
        ),
      ),
    ];
    await writeFile(
      join(dir, 'TextVQA_Rosetta_OCR_v0.2_val.json'),
      JSON.stringify({ data: ids.map((image_id, k) => ({ image_id, ocr_tokens: k === 0 ? ['STOP', 'cafe'] : [] })) }),
    );
    const ds = await loadVqa(join(dir, 'TextVQA_0.5.1_val.json'), { images: FIXTURE_IMAGES, ocr: true });
    expect(ds.name).toBe('textvqa-ocr');
    expect(at(ds.samples, 0).question).toBe(`${at(plain.samples, 0).question}\nReference OCR token: STOP, cafe`);
    expect(ocrPrompt('q?', [])).toBe('q?');
    await expect(loadVqa(fixture('textvqa'), { images: FIXTURE_IMAGES, ocr: true })).rejects.toThrow('has no ocr_tokens, and no *OCR*.json is beside it');
    await expect(loadVqa(fixture('aokvqa'), { images: FIXTURE_IMAGES, ocr: true })).rejects.toThrow("OCR tokens are TextVQA's; this is a aokvqa file.");
  });

  it('a plain list with image paths, and a protocol given by the caller', async () => {
    const dir = join(tmp, 'list');
    await mkdir(join(dir, 'pics'), { recursive: true });
    await copyFile(image('scene_wide.png'), join(dir, 'pics', 'w.png'));
    const file = await jsonFile(
      'list/mine.json',
      JSON.stringify([{ question_id: 5, image: 'pics/w.png', question: 'What is it?', answers: [{ answer: 'cat' }, 'cat'] }]),
    );
    const ds = await loadVqa(file, { protocol: 'simple' });
    expect(ds.samples).toEqual([
      { id: '5', imagePath: join(dir, 'pics', 'w.png'), question: 'What is it?', groups: {}, vqa: { answers: ['cat', 'cat'], protocol: 'simple' } },
    ]);
  });

  it('tells the layouts apart by shape', () => {
    expect(vqaFileKind({ data: [] })).toBe('textvqa');
    expect(vqaFileKind([{ direct_answers: [] }])).toBe('aokvqa');
    expect(vqaFileKind([{ answers: [] }])).toBe('list');
    expect(vqaFileKind({ questions: [] })).toBe('questions');
    expect(vqaFileKind({ annotations: [] })).toBe('annotations');
    expect(vqaFileKind({ other: 1 })).toBeNull();
    expect(vqaFileKind(3)).toBeNull();
  });
});

describe('VQA loader: errors name the file and the line of the entry', () => {
  it('an entry without answers', async () => {
    const text = [
      '{"data": [',
      '  {"question_id": 1, "image_id": "x", "question": "a?", "answers": ["a", "a"]},',
      '  {"question_id": 2, "image_id": "x",',
      '   "question": "b?"}',
      ']}',
    ].join('\n');
    const file = await jsonFile('noanswers.json', text);
    await expect(loadVqa(file)).rejects.toThrow(`${file}:3: data[1].answers:`);
  });

  it('a question with no annotation', async () => {
    const dir = join(tmp, 'pair');
    await jsonFile(
      'pair/q_questions.json',
      ['{"questions": [', '{"question_id": 1, "image_id": 42, "question": "a?"},', '{"question_id": 2, "image_id": 42, "question": "b?"}', ']}'].join('\n'),
    );
    await jsonFile('pair/a_annotations.json', JSON.stringify({ annotations: [{ question_id: 1, answers: ['x', 'y'] }] }));
    await expect(loadVqa(dir, { images: FIXTURE_IMAGES })).rejects.toThrow(
      `${join(dir, 'q_questions.json')}:3: question_id 2 has no entry in ${join(dir, 'a_annotations.json')}`,
    );
  });

  it('one answer under leave-one-out scoring: says to use --protocol simple', async () => {
    const file = await jsonFile(
      'one.json',
      [
        '[',
        '{"question_id": 1, "image": "x.png", "question": "a?", "answers": ["a", "b"]},',
        '{"question_id": 2, "image": "x.png", "question": "a?", "answers": ["a"]}',
        ']',
      ].join('\n'),
    );
    const err = await loadVqa(file).catch((e: unknown) => e);
    expect((err as Error).message).toBe(`${file}:3: question 2 has 1 answer; leave-one-out scoring needs at least 2`);
    expect(err).toMatchObject({ hint: expect.stringContaining('--protocol simple') });
  });

  it('an image id that no file is named after, or that two files share', async () => {
    const file = await jsonFile('ids/q.json', JSON.stringify({ data: [{ question_id: 1, image_id: 99, question: 'a?', answers: ['a', 'a'] }] }));
    await expect(loadVqa(file, { images: FIXTURE_IMAGES, strict: true })).rejects.toThrow(
      `${file}:1: no image file named after image id 99 under ${FIXTURE_IMAGES}`,
    );
    expect((await loadVqa(file, { images: FIXTURE_IMAGES })).samples[0]).toMatchObject({
      imagePath: '',
      missing: expect.stringContaining('no image file named after image id 99'),
    });
    const twins = join(tmp, 'twins');
    await mkdir(twins);
    await copyFile(image('scene_wide.png'), join(twins, 'COCO_train2014_000000000099.png'));
    await copyFile(image('scene_wide.png'), join(twins, 'COCO_val2014_000000000099.png'));
    await expect(loadVqa(file, { images: twins })).rejects.toThrow('image id 99 matches more than one file');
  });

  it('a file of no known layout, a duplicate question_id, invalid JSON, a folder with several candidates', async () => {
    const odd = await jsonFile('odd.json', '{"rows": []}');
    await expect(loadVqa(odd)).rejects.toThrow(`${odd}:1: not a VQA layout this reads`);
    const dup = await jsonFile(
      'dup.json',
      JSON.stringify(
        [
          { question_id: 1, image: 'x', question: 'a?', answers: ['a', 'b'] },
          { question_id: 1, image: 'x', question: 'a?', answers: ['a', 'b'] },
        ],
        null,
        1,
      ),
    );
    await expect(loadVqa(dup)).rejects.toThrow(`${dup}:11: question_id 1 again (1 duplicate id)`);
    const broken = await jsonFile('broken.json', '{"data": [\n  {"question_id": 1,,}\n]}');
    await expect(loadVqa(broken)).rejects.toThrow(`${broken}:2: not valid JSON`);
    await expect(loadVqa(tmp)).rejects.toThrow('cannot tell which VQA files to read');
  });
});
