/**
 * Open-ended VQA benchmarks with several human answers per question, in the layouts they ship in:
 *
 * | layout   | file(s)                                                                          | protocol      |
 * |----------|----------------------------------------------------------------------------------|---------------|
 * | textvqa  | `{"data": [{question_id, image_id, question, answers: [10 strings]}]}` (TextVQA_0.5.1_val.json) | leave-one-out |
 * | aokvqa   | `[{question_id, image_id, question, direct_answers: [10 strings], choices, correct_choice_idx}]` (aokvqa_v1p0_val.json) | exact (or multiple choice) |
 * | vqav2    | `{"questions": [{question_id, image_id, question}]}` + `{"annotations": [{question_id, answers: [{answer}], answer_type, question_type}]}` | vqav2 |
 * | vicrop   | ViCrop's `data.json`: `[{id, question, labels: [answers], image_path}]`; also ViCrop's (saccharomycetes/mllms_know `run.py`) rows `[{image_path, question, label: [answers], short_question?}]` and its results files (the same plus `original_answer, crop_answer, bbox`), numbered from 1 | leave-one-out |
 * | list     | `[{question_id, image or image_id, question, answers}]`                          | leave-one-out |
 *
 * Answers may be strings or `{answer}` objects in every layout. The protocol (metrics.ts
 * `VqaProtocol`) follows each benchmark's official scorer: TextVQA averages over the ten
 * leave-one-annotator-out subsets after the EvalAI normalisation (LLaVA's m4c_evaluator), VQA v2
 * is scored as its own vqaEval.py does (`vqav2`), A-OKVQA's direct answers by exact matches,
 * min(1, n / 3) (`exact`, allenai/aokvqa eval_predictions.py); `protocol` overrides it.
 * `multipleChoice` reads an A-OKVQA file as its multiple-choice task: the question with its
 * lettered `choices`, scored against `correct_choice_idx` (metrics.ts `aokvqaMultipleChoice`), and
 * LLaVA's multiple-choice instruction as the dataset's `instruction`.
 *
 * Images: a question's `image` (or `image_path`, `file_name`) is a path under an image root;
 * without one, `image_id` names the file (images.ts). ViCrop's `image_path` is often its run's own
 * (`/data/textvqa/train_images/x.jpg`): one that is absolute or leaves its root is looked up by
 * its file name under the roots instead.
 *
 * Parquet (lmms-lab/textvqa, lmms-lab/VQAv2, HuggingFaceM4/A-OKVQA ...: one row per question, the
 * image embedded as HF's `{bytes, path}` or bytes): the layout is told by the columns
 * (`direct_answers`: aokvqa; `answer_type` / `question_type` / `multiple_choice_answer`: vqav2, its
 * `answers` the `{answer, answer_confidence, answer_id}` structs; `ocr_tokens` / `image_classes`
 * / `set_name`: textvqa; else a list with `answers`), each row read as an entry of that layout.
 * --data is a .parquet file, or a folder (or its `data/`) of `<split>-0000k-of-0000n.parquet`
 * shards, one split of them (`split`, or the only one there is).
 *
 * --data may be a file, or a folder holding either a VQA v2 pair (one *question*.json, one
 * *annotation*.json) or a single .json file, or, failing both, a `vqa/` subfolder that does (a
 * generated world). Given one file of a VQA v2 pair, its partner is the one *annotation*.json (or
 * *question*.json) beside it.
 */
import { readdir } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { z } from 'zod';
import { WorkbenchError } from '../../common/contract/errors.ts';
import { MULTIPLE_CHOICE_INSTRUCTION, multipleChoicePrompt, type VqaProtocol } from '../../common/laser/metrics.ts';
import { lineOfJsonPath } from './json-locate.ts';
import { imageResolverFor, locateImage, unsafeImagePath } from './images.ts';
import type { LoadOptions } from './pope.ts';
import { embeddedImageFile, parquetSource, readParquetRows, type ParquetRow } from './parquet.ts';
import { checkJson, checkJsonLine, dataError, isDirectory, parseJsonText, readDataText, shownValue } from './source.ts';
import type { EvalDataset, EvalSample } from './types.ts';

export type VqaLayout = 'textvqa' | 'aokvqa' | 'vqav2' | 'vicrop' | 'list';

export const DEFAULT_PROTOCOL: Record<VqaLayout, VqaProtocol> = {
  textvqa: 'leave-one-out',
  aokvqa: 'exact',
  vqav2: 'vqav2',
  vicrop: 'leave-one-out',
  list: 'leave-one-out',
};

const HINT =
  'Accepted: TextVQA {"data": [...]}, an A-OKVQA list with direct_answers, a VQA v2 questions + annotations pair, ViCrop\'s data.json [{id, question, labels, image_path}], or a list of {question_id, image|image_id, question, answers}.';

const id = z.union([z.number().int(), z.string().min(1)]);
const answers = z.array(z.union([z.string(), z.looseObject({ answer: z.string() }).transform((a) => a.answer)])).min(1, 'needs at least one answer');
const imageRef = {
  image: z.string().min(1).optional(),
  image_path: z.string().min(1).optional(),
  file_name: z.string().min(1).optional(),
  image_id: id.optional(),
};
const hasImage = (q: { image?: string; image_path?: string; file_name?: string; image_id?: unknown }) =>
  q.image !== undefined || q.image_path !== undefined || q.file_name !== undefined || q.image_id !== undefined;
const imageMessage = { message: 'names no image: give image (a path) or image_id' };

const question = z.looseObject({ question_id: id, question: z.string().trim().min(1), ...imageRef }).refine(hasImage, imageMessage);
const textvqaEntry = z
  .looseObject({ question_id: id, question: z.string().trim().min(1), answers, ocr_tokens: z.array(z.string()).optional(), ...imageRef })
  .refine(hasImage, imageMessage);
/** TextVQA's Rosetta OCR file (TextVQA_Rosetta_OCR_v0.2_val.json): `{data: [{image_id, ocr_tokens}]}`. */
const ocrEntry = z.looseObject({ image_id: id, ocr_tokens: z.array(z.string()) });
const aokvqaEntry = z
  .looseObject({
    question_id: id,
    question: z.string().trim().min(1),
    direct_answers: answers,
    choices: z.array(z.string()).min(2).optional(),
    correct_choice_idx: z.number().int().min(0).optional(),
    difficult_direct_answer: z.boolean().optional(),
    ...imageRef,
  })
  .refine(hasImage, imageMessage);
const vicropLabels = z.union([
  z
    .string()
    .min(1)
    .transform((a) => [a]),
  answers,
]);
const vicropEntry = z
  .looseObject({
    id: id.optional(),
    question: z.string().trim().min(1),
    labels: vicropLabels.optional(),
    label: vicropLabels.optional(),
    image_path: z.string().min(1),
  })
  .refine((e) => e.labels !== undefined || e.label !== undefined, { message: "has no labels (the answers: labels, or label as ViCrop's run.py writes them)" });
const annotation = z.looseObject({ question_id: id, answers, answer_type: z.string().optional(), question_type: z.string().optional() });
/** lmms-lab/VQAv2's rows: the question and its annotation in one. */
const vqav2Row = z.looseObject({
  question_id: id,
  question: z.string().trim().min(1),
  answers,
  answer_type: z.string().optional(),
  question_type: z.string().optional(),
  ...imageRef,
});

type Question = z.output<typeof question>;
interface Parsed {
  file: string;
  text: string;
  value: unknown;
}

/** What a parsed file holds, from its shape alone. */
export function vqaFileKind(value: unknown): 'textvqa' | 'aokvqa' | 'vicrop' | 'list' | 'questions' | 'annotations' | null {
  if (Array.isArray(value)) {
    const first = value[0] as Record<string, unknown> | undefined;
    if (first && typeof first === 'object' && 'direct_answers' in first) return 'aokvqa';
    if (first && typeof first === 'object' && ('labels' in first || ('label' in first && 'image_path' in first)) && !('answers' in first)) return 'vicrop';
    if (first && typeof first === 'object' && 'answers' in first) return 'list';
    return null;
  }
  if (value === null || typeof value !== 'object') return null;
  const o = value as Record<string, unknown>;
  if (Array.isArray(o.data)) return 'textvqa';
  if (Array.isArray(o.annotations)) return 'annotations';
  if (Array.isArray(o.questions)) return 'questions';
  return null;
}

async function parseFile(file: string): Promise<Parsed> {
  const text = await readDataText(file, HINT);
  return { file, text, value: parseJsonText(file, text, HINT) };
}

async function jsonFiles(dir: string): Promise<string[]> {
  return (await readdir(dir))
    .filter((n) => n.toLowerCase().endsWith('.json'))
    .sort()
    .map((n) => join(dir, n));
}

const named = (files: string[], word: string) => files.filter((f) => basename(f).toLowerCase().includes(word));

/** The one or two files to read for --data (see the header). */
export async function vqaFilesFor(path: string): Promise<string[]> {
  const root = resolve(path);
  if (!(await isDirectory(root))) return [root];
  const pick = async (dir: string): Promise<string[] | null> => {
    const files = await jsonFiles(dir);
    const q = named(files, 'question');
    const a = named(files, 'annotation');
    if (q.length === 1 && a.length === 1) return [...q, ...a];
    if (files.length === 1) return files;
    return null;
  };
  const here = await pick(root);
  if (here) return here;
  const sub = join(root, 'vqa');
  const inner = (await isDirectory(sub)) ? await pick(sub) : null;
  if (inner) return inner;
  const found = (await jsonFiles(root)).map((f) => basename(f));
  throw new WorkbenchError(
    'bad-request',
    `${root}: cannot tell which VQA files to read (found ${found.length === 0 ? 'no .json files' : found.join(', ')})`,
    'Pass the annotation file itself, or a folder with one *question*.json and one *annotation*.json (VQA v2).',
  );
}

/** The partner of one file of a VQA v2 pair. */
async function partner(file: string, want: 'question' | 'annotation'): Promise<string> {
  const dir = dirname(file);
  const found = named(await jsonFiles(dir), want).filter((f) => f !== file);
  const [only] = found;
  if (found.length === 1 && only !== undefined) return only;
  throw dataError(
    file,
    null,
    `is the ${want === 'annotation' ? 'questions' : 'annotations'} half of a VQA v2 pair, and ${found.length === 0 ? `no *${want}*.json is beside it` : `several *${want}*.json are beside it (${found.map((f) => basename(f)).join(', ')})`}`,
    'Pass the folder holding exactly the two files of the pair.',
  );
}

interface Entry {
  file: string;
  text: string;
  /** JSON path of the entry, for its line. */
  at: (string | number)[];
  questionId: string;
  question: string;
  /** A path under the roots, an id, or a file extracted from a parquet row. */
  image: { path?: string; id?: string | number; file?: string; retryName?: string };
  answers: string[];
  groups: Record<string, string>;
  choices?: { options: string[]; correct: number | undefined };
  /** OCR tokens the entry carries (some TextVQA exports). */
  ocr?: string[];
  /** `file:row` of a parquet row (JSON entries are located by `at` in `text`). */
  loc?: string;
}

/** What an entry says of its question, whichever file (JSON list or parquet row) it stands in. */
type EntryFields = Omit<Entry, 'file' | 'text' | 'at' | 'image' | 'loc'>;

function aokvqaFields(q: z.infer<typeof aokvqaEntry>): EntryFields {
  const groups: Record<string, string> = q.difficult_direct_answer === undefined ? {} : { difficult: String(q.difficult_direct_answer) };
  const choices = q.choices === undefined ? undefined : { options: q.choices, correct: q.correct_choice_idx };
  return { questionId: String(q.question_id), question: q.question, answers: q.direct_answers, groups, choices };
}

function textvqaFields(q: z.infer<typeof textvqaEntry>): EntryFields {
  return { questionId: String(q.question_id), question: q.question, answers: q.answers, groups: {}, ocr: q.ocr_tokens };
}

const entryWhere = (e: Entry) => e.loc ?? `${e.file}:${lineOfJsonPath(e.text, e.at)}`;

/** A parquet dataset's layout, from its columns (see the header). */
export function parquetVqaLayout(row: Record<string, unknown>): 'textvqa' | 'aokvqa' | 'vqav2' | 'list' {
  if ('direct_answers' in row) return 'aokvqa';
  if ('answer_type' in row || 'question_type' in row || 'multiple_choice_answer' in row) return 'vqav2';
  if ('ocr_tokens' in row || 'image_classes' in row || 'set_name' in row) return 'textvqa';
  return 'list';
}

/** Parquet rows as entries of their layout; the embedded image extracted, else image_id / file_name looked up. */
async function parquetEntries(rows: ParquetRow[], layout: 'textvqa' | 'aokvqa' | 'vqav2' | 'list'): Promise<Entry[]> {
  const out: Entry[] = [];
  for (const row of rows) {
    // the image column is a struct or bytes, not the path the JSON layouts' `image` is
    const { image: embedded, ...rest } = row.value;
    const file = await embeddedImageFile(embedded);
    // an extracted image is the row's image (the schemas ask for one), used as the file it is
    const line = { ...row, value: file === null ? rest : { ...rest, image: file } };
    const base = { file: row.file, text: '', at: [], loc: `${row.file}:${row.line}` };
    if (layout === 'aokvqa') {
      const q = checkJsonLine(aokvqaEntry, line, row.file, HINT);
      out.push({ ...base, ...aokvqaFields(q), image: file ? { file } : imageOf(q) });
    } else if (layout === 'vqav2') {
      const q = checkJsonLine(vqav2Row, line, row.file, HINT);
      const groups: Record<string, string> = {};
      if (q.answer_type !== undefined) groups.answerType = q.answer_type;
      if (q.question_type !== undefined) groups.questionType = q.question_type;
      out.push({ ...base, questionId: String(q.question_id), question: q.question, image: file ? { file } : imageOf(q), answers: q.answers, groups });
    } else {
      const q = checkJsonLine(textvqaEntry, line, row.file, HINT);
      out.push({ ...base, ...textvqaFields(q), image: file ? { file } : imageOf(q) });
    }
  }
  return out;
}

function imageOf(q: { image?: string; image_path?: string; file_name?: string; image_id?: string | number }): Entry['image'] {
  const path = q.image ?? q.image_path ?? q.file_name;
  return path !== undefined ? { path } : { id: q.image_id };
}

function arrayAt(p: Parsed, key: string | null): unknown[] {
  const v = key === null ? p.value : (p.value as Record<string, unknown>)[key];
  if (!Array.isArray(v)) throw dataError(p.file, 1, `${key ?? '(root)'} is not a list`, HINT);
  return v;
}

function entriesOf(p: Parsed, kind: 'textvqa' | 'aokvqa' | 'vicrop' | 'list'): Entry[] {
  const key = kind === 'textvqa' ? 'data' : null;
  return arrayAt(p, key).map((raw, k) => {
    const at = key === null ? [k] : [key, k];
    if (kind === 'vicrop') {
      const q = checkJson(vicropEntry, raw, p.file, p.text, at, HINT);
      // a path of ViCrop's own run: under the roots as it is when it can be, else by its file name
      const name = basename(q.image_path);
      const image = unsafeImagePath(q.image_path) !== null ? { path: name } : { path: q.image_path, ...(name !== q.image_path ? { retryName: name } : {}) };
      return { file: p.file, text: p.text, at, questionId: String(q.id ?? k + 1), question: q.question, image, answers: (q.labels ?? q.label)!, groups: {} };
    }
    if (kind === 'aokvqa') {
      const q = checkJson(aokvqaEntry, raw, p.file, p.text, at, HINT);
      return { file: p.file, text: p.text, at, ...aokvqaFields(q), image: imageOf(q) };
    }
    const q = checkJson(textvqaEntry, raw, p.file, p.text, at, HINT);
    return { file: p.file, text: p.text, at, ...textvqaFields(q), image: imageOf(q) };
  });
}

/** LLaVA's TextVQA prompt with OCR (llava_textvqa_val_v051_ocr): the question, then "Reference OCR token: a, b, c" when there are tokens. */
export function ocrPrompt(question: string, tokens: readonly string[]): string {
  return tokens.length === 0 ? question : `${question}\nReference OCR token: ${tokens.join(', ')}`;
}

/** The OCR tokens of each image: the entries' own, else the one *OCR*.json beside the data file. */
async function ocrTokens(first: Parsed, entries: Entry[]): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  if (entries.every((e) => e.ocr !== undefined)) return out;
  const files = named(await jsonFiles(dirname(first.file)), 'ocr');
  const [ocrFile] = files;
  if (files.length !== 1 || ocrFile === undefined) {
    throw dataError(
      first.file,
      null,
      `has no ocr_tokens, and ${files.length === 0 ? 'no *OCR*.json is' : `several *OCR*.json are (${files.map((f) => basename(f)).join(', ')})`} beside it`,
      "Put TextVQA's Rosetta OCR file (TextVQA_Rosetta_OCR_v0.2_val.json) beside the data, or leave out --ocr.",
    );
  }
  const p = await parseFile(ocrFile);
  arrayAt(p, Array.isArray(p.value) ? null : 'data').forEach((raw, k) => {
    const o = checkJson(ocrEntry, raw, p.file, p.text, Array.isArray(p.value) ? [k] : ['data', k], HINT);
    out.set(String(o.image_id), o.ocr_tokens);
  });
  return out;
}

function joinPair(questions: Parsed, annotations: Parsed): Entry[] {
  const byId = new Map<string, z.output<typeof annotation>>();
  arrayAt(annotations, 'annotations').forEach((raw, k) => {
    const a = checkJson(annotation, raw, annotations.file, annotations.text, ['annotations', k], HINT);
    byId.set(String(a.question_id), a);
  });
  return arrayAt(questions, 'questions').map((raw, k) => {
    const at = ['questions', k];
    const q: Question = checkJson(question, raw, questions.file, questions.text, at, HINT);
    const a = byId.get(String(q.question_id));
    if (a === undefined)
      throw dataError(
        questions.file,
        lineOfJsonPath(questions.text, at),
        `question_id ${shownValue(q.question_id)} has no entry in ${annotations.file}`,
        'Use the annotations file of the same split.',
      );
    const groups: Record<string, string> = {};
    if (a.answer_type !== undefined) groups.answerType = a.answer_type;
    if (a.question_type !== undefined) groups.questionType = a.question_type;
    return {
      file: questions.file,
      text: questions.text,
      at,
      questionId: String(q.question_id),
      question: q.question,
      image: imageOf(q),
      answers: a.answers,
      groups,
    };
  });
}

export interface VqaLoadOptions extends LoadOptions {
  /** Overrides the layout's official protocol. */
  protocol?: VqaProtocol;
  /** A-OKVQA's multiple-choice task instead of its direct answers. */
  multipleChoice?: boolean;
  /** TextVQA: ask LLaVA's prompt with the image's OCR tokens (ocrPrompt). */
  ocr?: boolean;
  /** Parquet: the split's files (`validation-0000k-of-...`); JSON: no splits. */
  split?: string;
}

export async function loadVqa(path: string, options: VqaLoadOptions = {}): Promise<EvalDataset> {
  const root = resolve(path);
  const pq = await parquetSource(root, options.split);
  if (pq === null && options.split !== undefined)
    throw new WorkbenchError(
      'bad-request',
      `${root}: --split picks the parquet files of a split; these VQA files have no splits.`,
      'Leave out --split, or pass the parquet folder.',
    );
  const files = pq?.files ?? (await vqaFilesFor(root));
  const [firstFile] = files;
  if (firstFile === undefined) throw dataError(root, null, 'no VQA files in it', HINT);
  const first: Parsed = pq ? { file: firstFile, text: '', value: null } : await parseFile(firstFile);
  const rows = pq ? await readParquetRows(pq.files, HINT) : [];
  const kind = pq ? 'parquet' : vqaFileKind(first.value);
  if (kind === null) throw dataError(first.file, 1, 'not a VQA layout this reads', HINT);
  let layout: VqaLayout;
  let entries: Entry[];
  let sources: [string, ...string[]];
  if (kind === 'parquet') {
    const [firstRow] = rows;
    if (firstRow === undefined) throw dataError(files.join(', '), null, 'no rows in it', HINT);
    const pl = parquetVqaLayout(firstRow.value);
    layout = pl;
    entries = await parquetEntries(rows, pl);
    sources = [firstFile, ...files.slice(1)];
  } else if (kind === 'questions' || kind === 'annotations') {
    const otherFile = files[1] ?? (await partner(first.file, kind === 'questions' ? 'annotation' : 'question'));
    const other = await parseFile(otherFile);
    const [qs, as] = kind === 'questions' ? [first, other] : [other, first];
    if (vqaFileKind(qs.value) !== 'questions' || vqaFileKind(as.value) !== 'annotations') {
      throw dataError(
        other.file,
        1,
        `expected the ${kind === 'questions' ? 'annotations ({"annotations": [...]})' : 'questions ({"questions": [...]})'} of the VQA v2 pair with ${first.file}`,
        HINT,
      );
    }
    layout = 'vqav2';
    entries = joinPair(qs, as);
    sources = [qs.file, as.file];
  } else {
    layout = kind;
    entries = entriesOf(first, kind);
    sources = [first.file];
  }
  if (entries.length === 0) throw dataError(sources[0], null, 'no questions in it', HINT);
  const protocol = options.protocol ?? DEFAULT_PROTOCOL[layout];
  const mc = options.multipleChoice === true;
  if (options.ocr && layout !== 'textvqa')
    throw new WorkbenchError('bad-request', `${sources[0]}: OCR tokens are TextVQA's; this is a ${layout} file.`, 'Leave out --ocr.');
  const ocr = options.ocr ? await ocrTokens({ file: sources[0], text: '', value: null }, entries) : null;
  if (ocr !== null) {
    for (const e of entries) {
      const tokens = e.ocr ?? ocr.get(String(e.image.id ?? ''));
      if (tokens === undefined)
        throw new WorkbenchError(
          'bad-request',
          `${entryWhere(e)}: image ${String(e.image.id ?? e.image.path)} of question ${e.questionId} has no entry in the OCR file`,
          'Use the OCR file of the same split.',
        );
      e.question = ocrPrompt(e.question, tokens);
    }
  }
  if (mc && layout !== 'aokvqa')
    throw new WorkbenchError(
      'bad-request',
      `${sources[0]}: multiple choice is A-OKVQA's task; this is a ${layout} file.`,
      'Leave out --protocol mc, or pass an A-OKVQA file (choices, correct_choice_idx).',
    );
  // the data's own problems first, then the images
  const where = (e: Entry) => () => entryWhere(e);
  // every duplicate id at once, each with its line, so one pass over the file fixes them
  const seen = new Set<string>();
  const twice = entries.filter((e) => (seen.has(e.questionId) ? true : (seen.add(e.questionId), false)));
  if (twice.length > 0) {
    const listed = twice.slice(0, 5).map((e) => `${where(e)()}: question_id ${shownValue(e.questionId)} again`);
    throw new WorkbenchError(
      'bad-request',
      `${listed.join('; ')}${twice.length > 5 ? `; and ${twice.length - 5} more` : ''} (${twice.length} duplicate id${twice.length > 1 ? 's' : ''})`,
      'question_id must be unique.',
    );
  }
  for (const e of entries) {
    if (mc) {
      const c = e.choices;
      if (c === undefined || c.correct === undefined)
        throw new WorkbenchError(
          'bad-request',
          `${where(e)()}: question ${e.questionId} has no ${c === undefined ? 'choices' : 'correct_choice_idx'}`,
          'Multiple choice needs choices and correct_choice_idx in every entry (the test split has no correct_choice_idx).',
        );
      if (c.correct >= c.options.length)
        throw new WorkbenchError(
          'bad-request',
          `${where(e)()}: correct_choice_idx ${c.correct} of question ${e.questionId} is past its ${c.options.length} choices`,
        );
      continue;
    }
    if ((protocol === 'leave-one-out' || protocol === 'vqav2') && e.answers.length < 2) {
      throw new WorkbenchError(
        'bad-request',
        `${where(e)()}: question ${e.questionId} has ${e.answers.length} answer; leave-one-out scoring needs at least 2`,
        'Pass --protocol simple to score min(1, matches / 3).',
      );
    }
  }
  const resolver = await imageResolverFor(root, await isDirectory(root), options.images);
  const samples: EvalSample[] = [];
  for (const e of entries) {
    // the line is found only when something is wrong: locating it walks the file
    const find = async () => {
      if (e.image.path === undefined) return resolver.byId(e.image.id!, where(e));
      if (e.image.retryName === undefined) return resolver.byPath(e.image.path, where(e));
      return resolver.byPath(e.image.path, where(e)).catch((err: unknown) => {
        if (err instanceof WorkbenchError && err.code === 'not-found') return resolver.byPath(e.image.retryName!, where(e));
        throw err;
      });
    };
    const image = e.image.file !== undefined ? { imagePath: e.image.file } : await locateImage(find, options.strict);
    if (mc) {
      const { options: opts, correct } = e.choices!;
      samples.push({
        id: e.questionId,
        ...image,
        question: multipleChoicePrompt(e.question, opts),
        groups: e.groups,
        choices: { options: opts, correct: correct! },
      });
    } else samples.push({ id: e.questionId, ...image, question: e.question, groups: e.groups, vqa: { answers: e.answers, protocol } });
  }
  const suffix = pq && options.split !== undefined ? ` ${pq.split}` : '';
  if (mc) return { format: 'vqa', name: `aokvqa-mc${suffix}`, sources, samples, instruction: MULTIPLE_CHOICE_INSTRUCTION };
  return {
    format: 'vqa',
    name: `${ocr ? `${layout}-ocr` : layout}${suffix}`,
    sources,
    samples,
    ...(ocr ? { prompt: ocrPrompt('{question}', ['{ocr tokens}']) } : {}),
  };
}
