/**
 * POPE (RUCAIBox/POPE; LLaVA's playground/data/eval/pope): one JSON object per line,
 *   {"question_id": 1, "image": "COCO_val2014_000000310196.jpg", "text": "Is there a snowboard in the image?", "label": "yes"}
 * one file per split. The official files end in .json although they hold JSON lines; both endings
 * are read as JSON lines. The split is taken from the file name (random, popular or adversarial
 * when the name contains one, else the name itself).
 *
 * --data may be one such file, or a folder: its `*.jsonl` files and its `*.json` files whose name
 * contains "pope", or, when it has none, the same inside its `pope/` subfolder (a generated world)
 * or its `data/` (a Hugging Face dataset). All the parquet files of the folder are one dataset
 * (lmms-lab/POPE's shards `test-0000k-of-00003.parquet`, its categories across them).
 *
 * Also read as they ship:
 * - parquet (`*.parquet`, lmms-eval's lmms-lab/POPE): the lmms-eval columns below, the image
 *   embedded as bytes (parquet.ts extracts it); errors name the row number;
 * - lmms-eval's POPE rows (lmms-lab/POPE): `{"question_id", "question", "answer": "yes"|"no",
 *   "image_source": "COCO_val2014_000000310196", "category": "adversarial"}`: the image by its
 *   file stem (images.ts byId), the split from `category`;
 * - LLaVA's layout (playground/data/eval/pope): `llava_pope_test.jsonl` of `{"question_id",
 *   "image", "text", "category"}` without labels, the labels in `coco/coco_pope_<category>.json`
 *   beside it (or in the same folder). LLaVA's eval_pope.py pairs each category's questions with
 *   its label file line by line, in order; so does this, checking that the questions' texts agree.
 */
import { readdir, stat } from 'node:fs/promises';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { z } from 'zod';
import { WorkbenchError } from '../../common/contract/errors.ts';
import { imageResolverFor, locateImage } from './images.ts';
import { embeddedImageFile, isParquetFile, readParquetRows } from './parquet.ts';
import { checkJsonLine, dataError, isDirectory, parseJsonLines, readDataText, shownValue, type JsonLine } from './source.ts';
import type { EvalDataset, EvalSample } from './types.ts';

const HINT = 'POPE files hold one {"question_id", "image", "text", "label": "yes"|"no"} object per line.';

const yesNo = z
  .string()
  .transform((s) => s.trim().toLowerCase())
  .pipe(z.enum(['yes', 'no']));
const qid = z.union([z.number().int(), z.string().min(1)]);
const popeLine = z.looseObject({ question_id: qid, image: z.string().min(1), text: z.string().trim().min(1), label: yesNo });
/** lmms-eval's POPE rows. */
const lmmsLine = z.looseObject({
  question_id: qid,
  question: z.string().trim().min(1),
  answer: yesNo,
  image_source: z.string().min(1),
  category: z.string().min(1),
});
/** LLaVA's llava_pope_test.jsonl: no label, a category. */
const llavaLine = z.looseObject({ question_id: qid, image: z.string().min(1), text: z.string().trim().min(1), category: z.string().min(1) });

interface PopeQuestion {
  id: string;
  /** A path under the roots, an id (file stem), or a file extracted from a parquet row. */
  image: { path?: string; id?: string; file?: string };
  text: string;
  label: 'yes' | 'no';
  split: string | null;
  line: number;
  /** The file it is in (a parquet dataset is several). */
  file: string;
}

/** The shape of a line: official, lmms-eval, or LLaVA's label-less one. */
function lineKind(value: unknown): 'official' | 'lmms' | 'llava' {
  // A line that is not an object (a number, a string, null) is read as the official layout, whose
  // schema then refuses it with the line number ('in' on a number would throw a TypeError).
  if (typeof value !== 'object' || value === null) return 'official';
  const o = value as Record<string, unknown>;
  if ('image_source' in o || ('answer' in o && 'question' in o && !('text' in o))) return 'lmms';
  if (!('label' in o) && 'category' in o) return 'llava';
  return 'official';
}

/** The labels of LLaVA's layout: coco/coco_pope_<category>.json (or beside the file), line by line. */
async function llavaLabels(file: string, category: string, questions: PopeQuestion[]): Promise<void> {
  const dir = dirname(file);
  const candidates = [join(dir, 'coco', `coco_pope_${category}.json`), join(dir, `coco_pope_${category}.json`)];
  let labelFile: string | null = null;
  for (const c of candidates) if ((await stat(c).catch(() => null))?.isFile()) labelFile = c;
  if (labelFile === null)
    throw dataError(
      file,
      questions[0]?.line ?? null,
      `has no labels (LLaVA's layout) and no ${candidates.join(' or ')} beside it`,
      "Put POPE's coco/ label files beside it, or pass the label files themselves.",
    );
  const labels = parseJsonLines(labelFile, await readDataText(labelFile, HINT), HINT).map((l) => ({
    line: l.line,
    q: checkJsonLine(popeLine, l, labelFile, HINT),
  }));
  const otherCount = () =>
    dataError(
      labelFile,
      null,
      `has ${labels.length} questions; ${file} has ${questions.length} of category ${category}`,
      'Use the label files of the same POPE release.',
    );
  if (labels.length !== questions.length) throw otherCount();
  questions.forEach((q, k) => {
    const l = labels[k];
    if (l === undefined) throw otherCount();
    if (l.q.text !== q.text)
      throw dataError(
        file,
        q.line,
        `question "${q.text}" is "${l.q.text}" on line ${l.line} of ${labelFile}: the files are not in the same order`,
        'Use the label files of the same POPE release.',
      );
    q.label = l.q.label;
  });
}

/** The files read as one dataset: one JSON-lines file, or every parquet file of a folder. */
type Unit = readonly [string, ...string[]];

/**
 * One unit's questions, whatever its shape (see the header): a JSON-lines file, or every parquet
 * file of the folder (lmms-lab/POPE's `test-0000k-of-00003.parquet` shards are one dataset, its
 * categories running across them).
 */
async function questionsOf(unit: Unit): Promise<PopeQuestion[]> {
  const parquet = isParquetFile(unit[0]);
  // parquet rows go through the same schemas, numbered from 1 like lines; an embedded image is extracted
  const lines: (JsonLine & { file: string })[] = parquet
    ? await readParquetRows(unit, HINT)
    : parseJsonLines(unit[0], await readDataText(unit[0], HINT), HINT).map((l) => ({ ...l, file: unit[0] }));
  const out: PopeQuestion[] = [];
  const pending = new Map<string, PopeQuestion[]>();
  for (const entry of lines) {
    const kind = lineKind(entry.value);
    const file = entry.file;
    if (kind === 'lmms') {
      const q = checkJsonLine(lmmsLine, entry, file, HINT);
      const embedded = parquet ? await embeddedImageFile((entry.value as Record<string, unknown>).image) : null;
      out.push({
        id: String(q.question_id),
        image: embedded ? { file: embedded } : { id: q.image_source },
        text: q.question,
        label: q.answer,
        split: q.category,
        line: entry.line,
        file,
      });
    } else if (kind === 'llava') {
      const q = checkJsonLine(llavaLine, entry, file, HINT);
      const p: PopeQuestion = { id: String(q.question_id), image: { path: q.image }, text: q.text, label: 'no', split: q.category, line: entry.line, file };
      pending.set(q.category, [...(pending.get(q.category) ?? []), p]);
      out.push(p);
    } else {
      const q = checkJsonLine(popeLine, entry, file, HINT);
      out.push({ id: String(q.question_id), image: { path: q.image }, text: q.text, label: q.label, split: null, line: entry.line, file });
    }
  }
  for (const [category, qs] of pending) await llavaLabels(unit[0], category, qs);
  return out;
}

export function popeSplitOf(file: string): string {
  const stem = basename(file, extname(file));
  return ['random', 'popular', 'adversarial'].find((s) => stem.toLowerCase().includes(s)) ?? stem;
}

function isPopeFile(name: string): boolean {
  const lower = name.toLowerCase();
  return lower.endsWith('.jsonl') || lower.endsWith('.parquet') || (lower.endsWith('.json') && lower.includes('pope'));
}

/** The POPE files of a folder (see the header). */
export async function popeFilesIn(dir: string): Promise<string[]> {
  const names = (await readdir(dir)).filter(isPopeFile).sort();
  if (names.length > 0) return names.map((n) => join(dir, n));
  const sub = join(dir, 'pope');
  // a generated world's pope/, or a Hugging Face dataset's data/ (lmms-lab/POPE's parquet shards)
  for (const inside of [sub, join(dir, 'data')]) {
    if (!(await isDirectory(inside))) continue;
    const inner = (await readdir(inside)).filter(isPopeFile).sort();
    if (inner.length > 0) return inner.map((n) => join(inside, n));
  }
  throw new WorkbenchError(
    'not-found',
    `${dir}: no POPE files (*.jsonl, *.parquet, or *.json named *pope*) in it, in ${sub} or in its data/`,
    'Pass a POPE .jsonl file, or the folder that holds the split files.',
  );
}

export interface LoadOptions {
  /** Folders the annotation files name their images in, tried in order (images.ts). */
  images?: string | readonly string[];
  /** A missing image throws (default: the sample keeps it as `missing` and becomes an error row). */
  strict?: boolean;
}

export async function loadPope(path: string, options: LoadOptions = {}): Promise<EvalDataset> {
  const root = resolve(path);
  const isDir = await isDirectory(root);
  const files = isDir ? await popeFilesIn(root) : [root];
  const resolver = await imageResolverFor(root, isDir, options.images);
  const samples: EvalSample[] = [];
  const splits = new Map<string, string>();
  const parquets = files.filter(isParquetFile);
  const units = files.filter((f) => !isParquetFile(f)).map((f): Unit => [f]);
  const [firstParquet, ...moreParquets] = parquets;
  if (firstParquet !== undefined) units.push([firstParquet, ...moreParquets]);
  for (const unit of units) {
    // an empty split file is kept out (a small generated world may have no question of a split)
    const questions = await questionsOf(unit);
    const file = unit.join(', ');
    const fileSplit = popeSplitOf(unit[0]);
    for (const split of new Set(questions.map((q) => q.split ?? fileSplit))) {
      const other = splits.get(split);
      if (other !== undefined) throw dataError(file, null, `split "${split}" again (also ${other})`, 'Keep one file per POPE split.');
      splits.set(split, file);
    }
    // every duplicate id of the file at once, each with its lines
    const seen = new Map<string, string>();
    const twice: string[] = [];
    for (const q of questions) {
      const key = `${q.split ?? fileSplit}/${q.id}`;
      const first = seen.get(key);
      const at = unit.length > 1 ? `${basename(q.file)} row ${q.line}` : `line ${q.line}`;
      if (first !== undefined) twice.push(`${at}: question_id ${shownValue(q.id)} again (first on ${first})`);
      else seen.set(key, at);
    }
    if (twice.length > 0) {
      throw dataError(
        file,
        null,
        `${twice.slice(0, 5).join('; ')}${twice.length > 5 ? `; and ${twice.length - 5} more` : ''} (${twice.length} duplicate id${twice.length > 1 ? 's' : ''})`,
        'question_id must be unique within a split.',
      );
    }
    for (const q of questions) {
      const split = q.split ?? fileSplit;
      const key = `${split}/${q.id}`;
      const where = () => `${q.file}:${q.line}`;
      samples.push({
        id: key,
        ...(q.image.file !== undefined
          ? { imagePath: q.image.file }
          : await locateImage(() => (q.image.path !== undefined ? resolver.byPath(q.image.path, where) : resolver.byId(q.image.id!, where)), options.strict)),
        question: q.text,
        groups: { split },
        pope: q.label,
      });
    }
  }
  if (samples.length === 0) throw dataError(files.join(', '), null, 'no questions in it', HINT);
  return { format: 'pope', name: 'pope', sources: files, samples };
}
