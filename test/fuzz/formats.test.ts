/**
 * Fuzz of the readers of untrusted files, in-process: every dataset format the eval loaders read
 * (POPE JSON lines and lmms-eval parquet, VQA v2 question/annotation pairs, A-OKVQA with and without
 * multiple choice, RefCOCO, a generated world), tokenizer.json / tokenizer_config.json and chat
 * templates. Cases are good inputs (the demo world's files, the tiny BPE tokenizer) mutated by seed
 * (mutate.ts). Each must end in a WorkbenchError with a one-line message, or in a result that is
 * checked: unique ids, a question, an image inside the dataset's folders (or a stated reason why it
 * is missing), a ground truth of the right kind; token ids that decode. A TypeError, a hang or an
 * accepted result that breaks those checks fails the test.
 */
import { cp, mkdir, mkdtemp, readFile, realpath, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { isAbsolute, join, relative } from 'node:path';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isWorkbenchError } from '../../src/common/contract/errors.ts';
import { loadDataset, type DatasetOptions } from '../../src/engine/eval/load.ts';
import { parquetImageDir } from '../../src/engine/eval/parquet.ts';
import type { DatasetFormat, EvalDataset } from '../../src/engine/eval/types.ts';
import { renderChatPrompt } from '../../src/engine/tokenizer/chat-template.ts';
import { loadTokenizer } from '../../src/engine/tokenizer/load.ts';
import { rng, RUNS } from './generators.ts';
import { damageText, mutateJson, type Json } from './mutate.ts';
import { count, flushTally, type Group } from './tally.ts';

const seeds = RUNS > 0 ? RUNS * 5 : 8;
const samples = join(import.meta.dirname, '../../resources/samples');
const tokenizerDir = join(import.meta.dirname, '../fixtures/tokenizers/tiny-llama-bpe');
let work: string;
let samplesReal: string;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'laser-fuzz-formats-'));
  samplesReal = await realpath(samples);
});
afterAll(async () => {
  flushTally('formats');
  if (work) await rm(work, { recursive: true, force: true });
});

/** Runs the case; a one-line WorkbenchError counts as a clear error, anything else thrown fails. */
async function outcome<T>(group: Group, shown: string, f: () => Promise<T>): Promise<T | null> {
  try {
    return await f();
  } catch (e) {
    if (!isWorkbenchError(e)) {
      count(group, 'crash');
      throw new Error(`${shown}: not a clear error but ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`);
    }
    expect(e.message, shown).not.toContain('\n');
    expect(e.message.length, shown).toBeLessThan(2000);
    count(group, 'clear error');
    return null;
  }
}

function inside(file: string, roots: readonly string[]): boolean {
  return roots.some((r) => {
    const rel = relative(r, file);
    return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel);
  });
}

/** What an accepted dataset must hold; a breach is a silent acceptance. */
function checkDataset(ds: EvalDataset, format: DatasetFormat, roots: readonly string[], shown: string): void {
  const problems: string[] = [];
  const ids = new Set<string>();
  for (const s of ds.samples) {
    if (typeof s.id !== 'string' || s.id === '' || ids.has(s.id)) problems.push(`id ${JSON.stringify(s.id)} empty or twice`);
    ids.add(s.id);
    if (typeof s.question !== 'string' || s.question.trim() === '') problems.push(`${s.id}: no question`);
    if (s.imagePath === '') {
      if (!s.missing) problems.push(`${s.id}: no image and no reason`);
    } else if (!isAbsolute(s.imagePath) || !inside(s.imagePath, roots)) {
      problems.push(`${s.id}: image ${s.imagePath} outside the dataset's folders`);
    }
    const truth = [s.pope !== undefined, s.vqa !== undefined, s.choices !== undefined, s.box !== undefined].filter(Boolean).length;
    if (truth === 0) problems.push(`${s.id}: no ground truth`);
    if (s.pope !== undefined && s.pope !== 'yes' && s.pope !== 'no') problems.push(`${s.id}: POPE label ${String(s.pope)}`);
    if (s.vqa && (s.vqa.answers.length === 0 || s.vqa.answers.some((a) => typeof a !== 'string')))
      problems.push(`${s.id}: VQA answers ${JSON.stringify(s.vqa.answers)}`);
    if (
      s.choices &&
      !(s.choices.options.length >= 2 && Number.isInteger(s.choices.correct) && s.choices.correct >= 0 && s.choices.correct < s.choices.options.length)
    )
      problems.push(`${s.id}: choices ${JSON.stringify(s.choices)}`);
    if (s.box) {
      const [x0, y0, x1, y1] = s.box;
      if (![x0, y0, x1, y1].every(Number.isFinite) || x1 < x0 || y1 < y0) problems.push(`${s.id}: box ${JSON.stringify(s.box)}`);
    }
  }
  if (problems.length > 0) count('datasets', 'silent acceptance');
  expect(problems, `${shown}: accepted with`).toEqual([]);
  count('datasets', 'correct result');
}

async function datasetCase(format: DatasetFormat, path: string, options: DatasetOptions, roots: string[], shown: string): Promise<void> {
  const ds = await outcome('datasets', shown, () => loadDataset(path, format, options));
  if (ds) checkDataset(ds, format, roots, shown);
}

async function json(file: string): Promise<Json> {
  return JSON.parse(await readFile(file, 'utf8')) as Json;
}

/** Writes a mutated JSON value (its text sometimes damaged too); returns what was done. */
async function writeMutated(file: string, value: Json, seed: number, lines = false): Promise<string> {
  const m = mutateJson(value, seed);
  const raw = lines && Array.isArray(m.value) ? m.value.map((v) => JSON.stringify(v)).join('\n') + '\n' : JSON.stringify(m.value, null, 1);
  const d = damageText(raw, seed);
  await writeFile(file, d.text);
  return [...m.what, ...(d.what ? [d.what] : [])].join(', ');
}

async function caseDir(name: string, seed: number): Promise<string> {
  const dir = join(work, `${name}-${seed}`);
  await mkdir(dir, { recursive: true });
  return dir;
}

describe('dataset files, mutated: a clear error or a checked dataset', () => {
  it(`POPE JSON lines (${seeds} seeds)`, async () => {
    const lines = (await readFile(join(samples, 'pope', 'random.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .slice(0, 6)
      .map((l) => JSON.parse(l) as Json);
    for (let seed = 0; seed < seeds; seed++) {
      const dir = await caseDir('pope', seed);
      const file = join(dir, 'random.jsonl');
      const what = await writeMutated(file, lines, seed, true);
      await datasetCase('pope', file, { images: samples }, [samplesReal, samples, dir], `POPE seed ${seed} (${what})`);
    }
  });

  it(`lmms-eval POPE parquet (${seeds} seeds)`, async () => {
    const png = new Uint8Array(await readFile(join(samples, 'images', 's42-00000.png')));
    for (let seed = 0; seed < seeds; seed++) {
      const r = rng(seed);
      const dir = await caseDir('parquet', seed);
      const n = 1 + Math.floor(r() * 3);
      const strings = (f: (i: number) => string) => Array.from({ length: n }, (_, i) => f(i));
      const columns = [
        { name: 'question_id', data: strings((i) => String(i + 1)), type: 'STRING' as const },
        { name: 'question', data: strings(() => 'Is there a cat in the image?'), type: 'STRING' as const },
        { name: 'answer', data: strings((i) => (i % 2 ? 'no' : 'yes')), type: 'STRING' as const },
        { name: 'image_source', data: strings(() => 'scene'), type: 'STRING' as const },
        { name: 'category', data: strings(() => 'random'), type: 'STRING' as const },
        { name: 'image', data: Array.from({ length: n }, () => png), type: 'BYTE_ARRAY' as const },
      ];
      // One column dropped, emptied, or given other values; or the image bytes cut or replaced.
      const k = Math.floor(r() * columns.length);
      const how = Math.floor(r() * 4);
      let what: string;
      if (how === 0) {
        columns.splice(k, 1);
        what = `without ${['question_id', 'question', 'answer', 'image_source', 'category', 'image'][k]}`;
      } else if (how === 1 && columns[k].type === 'STRING') {
        columns[k] = { ...columns[k], data: strings(() => pick(r, ['', 'maybe', '../../x', 'x'.repeat(5000), '\u0000'])) } as (typeof columns)[number];
        what = `odd values in ${columns[k].name}`;
      } else if (how === 2) {
        const image = columns.find((c) => c.name === 'image')!;
        image.data = Array.from({ length: n }, () => png.subarray(0, Math.floor(r() * png.length)));
        what = 'image bytes cut';
      } else {
        what = 'as written';
      }
      let bytes = new Uint8Array(parquetWriteBuffer({ columnData: columns as Parameters<typeof parquetWriteBuffer>[0]['columnData'] }));
      if (how === 3 && r() < 0.5) {
        bytes = bytes.subarray(0, Math.floor(r() * bytes.length));
        what = `file cut at ${bytes.length}`;
      }
      await writeFile(join(dir, 'test-00000-of-00001.parquet'), bytes);
      await datasetCase('pope', dir, {}, [dir, parquetImageDir()], `POPE parquet seed ${seed} (${what})`);
    }
  });

  it(`VQA v2 question and annotation pairs (${seeds} seeds)`, async () => {
    const q = (await json(join(samples, 'vqa', 'questions.json'))) as { questions: Json[] };
    const a = (await json(join(samples, 'vqa', 'annotations.json'))) as { annotations: Json[] };
    const small = { q: { ...q, questions: q.questions.slice(0, 4) }, a: { ...a, annotations: a.annotations.slice(0, 4) } };
    for (let seed = 0; seed < seeds; seed++) {
      const dir = await caseDir('vqa', seed);
      const mutateQuestions = seed % 2 === 0;
      const what = await writeMutated(join(dir, mutateQuestions ? 'questions.json' : 'annotations.json'), mutateQuestions ? small.q : small.a, seed);
      await writeFile(join(dir, mutateQuestions ? 'annotations.json' : 'questions.json'), JSON.stringify(mutateQuestions ? small.a : small.q));
      await datasetCase(
        'vqa',
        dir,
        { images: samples },
        [samplesReal, samples, dir],
        `VQA v2 seed ${seed} (${mutateQuestions ? 'questions' : 'annotations'}: ${what})`,
      );
    }
  });

  it(`A-OKVQA, direct answers and multiple choice (${seeds} seeds)`, async () => {
    const q = (await json(join(samples, 'vqa', 'questions.json'))) as { questions: { question_id: number; image: string; question: string }[] };
    const a = (await json(join(samples, 'vqa', 'annotations.json'))) as { annotations: { answers: { answer: string }[] }[] };
    const list: Json = q.questions.slice(0, 4).map((x, i) => ({
      question_id: `q${x.question_id}`,
      image: x.image,
      question: x.question,
      direct_answers: a.annotations[i].answers.map((y) => y.answer),
      choices: ['red', 'green', 'blue', a.annotations[i].answers[0].answer],
      correct_choice_idx: 3,
    }));
    for (let seed = 0; seed < seeds; seed++) {
      const dir = await caseDir('aokvqa', seed);
      const file = join(dir, 'aokvqa_v1p0_val.json');
      const what = await writeMutated(file, list, seed);
      await datasetCase('vqa', file, { images: samples, multipleChoice: seed % 2 === 1 }, [samplesReal, samples, dir], `A-OKVQA seed ${seed} (${what})`);
    }
  });

  it(`RefCOCO refs (${seeds} seeds)`, async () => {
    const refs = (await json(join(samples, 'refs.json'))) as { refs: Json[] };
    const small = { refs: refs.refs.slice(0, 5) };
    for (let seed = 0; seed < seeds; seed++) {
      const dir = await caseDir('refcoco', seed);
      const file = join(dir, 'refs.json');
      const what = await writeMutated(file, small, seed);
      await datasetCase('refcoco', file, { images: samples }, [samplesReal, samples, dir], `RefCOCO seed ${seed} (${what})`);
    }
  });

  it(`a generated world folder (${seeds} seeds)`, async () => {
    for (let seed = 0; seed < seeds; seed++) {
      const dir = join(work, `world-${seed}`);
      await cp(samples, dir, { recursive: true });
      const name = ['questions.json', 'scenes.json', 'manifest.json'][seed % 3];
      const what = await writeMutated(join(dir, name), await json(join(samples, name)), seed);
      await datasetCase('world', dir, {}, [dir, await realpath(dir)], `world seed ${seed} (${name}: ${what})`);
      await rm(dir, { recursive: true, force: true });
    }
  });
});

function pick<T>(r: () => number, xs: readonly T[]): T {
  return xs[Math.floor(r() * xs.length)];
}

describe('tokenizers and chat templates, mutated: a clear error or a working tokenizer', () => {
  it(`tokenizer.json and tokenizer_config.json (${seeds} seeds each)`, async () => {
    for (let seed = 0; seed < 2 * seeds; seed++) {
      const dir = join(work, `tok-${seed}`);
      await cp(tokenizerDir, dir, { recursive: true });
      const name = seed % 2 === 0 ? 'tokenizer.json' : 'tokenizer_config.json';
      const what = await writeMutated(join(dir, name), await json(join(tokenizerDir, name)), seed);
      const shown = `${name} seed ${seed} (${what})`;
      const tok = await outcome('tokenizers/templates', shown, () => loadTokenizer(dir));
      if (tok) {
        // Accepted: it must tokenize and detokenize, with ids it knows, or refuse clearly.
        const ids = await outcome('tokenizers/templates', `${shown}, encoding`, async () => tok.encode('What is in the image? A red cat.'));
        if (ids) {
          const ok = ids.every((id) => Number.isSafeInteger(id) && id >= 0) && typeof tok.decode(ids) === 'string';
          if (!ok) count('tokenizers/templates', 'silent acceptance');
          expect(ok, `${shown}: ids ${JSON.stringify(ids)}`).toBe(true);
          count('tokenizers/templates', 'correct result');
        }
      }
      await rm(dir, { recursive: true, force: true });
    }
  });

  it(`chat templates cut, spliced and broken (${4 * seeds} seeds)`, async () => {
    const template = ((await json(join(tokenizerDir, 'chat_template.json'))) as { chat_template: string }).chat_template;
    const fragments = [
      '{%',
      '%}',
      '{{',
      '}}',
      '{% endfor %}',
      '{% if %}',
      '{{ raise_exception("no images here") }}',
      '{{ messages[7].content }}',
      '{{ messages | length / 0 }}',
      '{% for m in messages %}',
      '{{ undefined_thing.attr }}',
      "{{ 'a' + 1 }}",
      '{#',
      '\u0000',
    ];
    const messages = [{ role: 'user' as const, content: [{ type: 'image' as const }, { type: 'text' as const, text: 'What is in the image?' }] }];
    for (let seed = 0; seed < 4 * seeds; seed++) {
      const r = rng(seed);
      const at = Math.floor(r() * template.length);
      const kind = seed % 3;
      const t =
        kind === 0
          ? template.slice(0, at)
          : kind === 1
            ? template.slice(0, at) + pick(r, fragments) + template.slice(at)
            : template.slice(0, at) + template.slice(at + Math.floor(r() * 40));
      const shown = `chat template seed ${seed} (${['cut', 'spliced', 'span deleted'][kind]} at ${at})`;
      const text = await outcome('tokenizers/templates', shown, async () =>
        renderChatPrompt(t, messages, { addGenerationPrompt: true, specialTokens: { bos_token: '<s>', eos_token: '</s>' } }),
      );
      if (text !== null) {
        expect(typeof text, shown).toBe('string');
        count('tokenizers/templates', 'correct result');
      }
    }
  });
});
