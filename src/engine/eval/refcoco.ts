/**
 * Referring expressions with boxes (RefCOCO / RefCOCO+ / RefCOCOg, flattened to one entry per
 * referred object), for grounding: the share of a method's map inside the box. An entry is
 *   {"image": "COCO_train2014_000000581857.jpg", "expression": "the lady with the blue shirt", "bbox": [103.9, 152.4, 200.3, 306.1]}
 * with `bbox` in COCO's [x, y, width, height] pixels. Also accepted: `sentence` for `expression`,
 * `sentences` (strings or `{sent}` objects, RefCOCO's refs layout: one sample per sentence),
 * `image_id` instead of `image` (images.ts), and `split` (kept as a group, e.g. testA / testB).
 * lmms-eval's RefCOCO rows (`question_id`, `file_name`, `answer`: the expression or a list of
 * them, `bbox`) read as they are.
 *
 * Files: JSON lines (.jsonl), or JSON holding a list or `{"refs": [...]}`. --data may be the
 * file, or a folder with one *.jsonl file, or one *.json file whose name contains "ref"
 * (a generated world's refs.json).
 *
 * The model is asked `prompt` with {expression} replaced (default "Where is {expression}?"): the
 * map of that question is what is scored.
 */
import { readdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { WorkbenchError } from '../../common/contract/errors.ts';
import { lineOfJsonPath } from './json-locate.ts';
import { imageResolverFor, locateImage } from './images.ts';
import type { LoadOptions } from './pope.ts';
import { checkJson, checkJsonLine, dataError, isDirectory, parseJsonLines, parseJsonText, readDataText } from './source.ts';
import type { EvalDataset, EvalSample } from './types.ts';

export const DEFAULT_REF_PROMPT = 'Where is {expression}?';

/** lmms-eval's RefCOCO REC prompt (`--prompt rec`): the answer is a normalised box, scored Acc@0.5. */
export const REC_PROMPT =
  'Bounding box coordinates are specified in the format (top-left x, top-left y, bottom-right x, bottom-right y). All values are normalized to numbers between 0 and 1. Please provide the bounding box coordinate of the region this sentence describes: {expression}';

const HINT = 'Each entry needs image (or image_id), expression (or sentence / sentences) and bbox [x, y, width, height].';

const sentence = z.union([z.string().trim().min(1), z.looseObject({ sent: z.string().trim().min(1) }).transform((s) => s.sent)]);
const refEntry = z
  .looseObject({
    ref_id: z.union([z.number().int(), z.string().min(1)]).optional(),
    image: z.string().min(1).optional(),
    file_name: z.string().min(1).optional(),
    image_id: z.union([z.number().int(), z.string().min(1)]).optional(),
    expression: z.string().trim().min(1).optional(),
    sentence: z.string().trim().min(1).optional(),
    sentences: z.array(sentence).min(1).optional(),
    /** lmms-eval's RefCOCO rows keep the expression(s) in `answer`, the id in `question_id`. */
    answer: z.union([z.string().trim().min(1).transform((a) => [a]), z.array(sentence).min(1)]).optional(),
    question_id: z.union([z.number().int(), z.string().min(1)]).optional(),
    bbox: z.tuple([z.number(), z.number(), z.number(), z.number()]).refine(([, , w, h]) => w > 0 && h > 0, { message: 'width and height must be > 0 ([x, y, width, height])' }),
    split: z.string().min(1).optional(),
  })
  .refine((e) => e.image !== undefined || e.file_name !== undefined || e.image_id !== undefined, { message: 'names no image: give image (a path) or image_id' })
  .refine((e) => e.expression !== undefined || e.sentence !== undefined || e.sentences !== undefined || e.answer !== undefined, { message: 'has no expression (expression, sentence, sentences, or answer as in lmms-eval)' });

type RefEntry = z.output<typeof refEntry>;

async function refFileIn(dir: string): Promise<string> {
  const names = (await readdir(dir)).sort();
  const jsonl = names.filter((n) => n.toLowerCase().endsWith('.jsonl'));
  const json = names.filter((n) => n.toLowerCase().endsWith('.json') && n.toLowerCase().includes('ref'));
  const found = [...jsonl, ...json];
  if (found.length === 1) return join(dir, found[0]);
  throw new WorkbenchError(
    found.length === 0 ? 'not-found' : 'bad-request',
    `${dir}: ${found.length === 0 ? 'no referring-expression file (*.jsonl, or *ref*.json)' : `several referring-expression files (${found.join(', ')})`}`,
    'Pass the file itself.',
  );
}

interface Located {
  entry: RefEntry;
  where: () => string;
}

function entriesOf(file: string, text: string): Located[] {
  if (file.toLowerCase().endsWith('.jsonl')) {
    return parseJsonLines(file, text, HINT).map((l) => ({ entry: checkJsonLine(refEntry, l, file, HINT), where: () => `${file}:${l.line}` }));
  }
  const value = parseJsonText(file, text, HINT);
  const inRefs = !Array.isArray(value) && value !== null && typeof value === 'object' && Array.isArray((value as { refs?: unknown }).refs);
  const list = Array.isArray(value) ? value : inRefs ? (value as { refs: unknown[] }).refs : null;
  if (list === null) throw dataError(file, 1, 'expected a list of entries, or {"refs": [...]}', HINT);
  return list.map((raw, k) => {
    const at = inRefs ? ['refs', k] : [k];
    return { entry: checkJson(refEntry, raw, file, text, at, HINT), where: () => `${file}:${lineOfJsonPath(text, at)}` };
  });
}

export interface RefLoadOptions extends LoadOptions {
  /** The question asked; {expression} is replaced by each expression. */
  prompt?: string;
}

export async function loadRefcoco(path: string, options: RefLoadOptions = {}): Promise<EvalDataset> {
  const prompt = options.prompt === 'rec' ? REC_PROMPT : (options.prompt ?? DEFAULT_REF_PROMPT);
  if (!prompt.includes('{expression}')) throw new WorkbenchError('bad-request', `The grounding prompt "${prompt}" has no {expression} in it.`, `Use e.g. "${DEFAULT_REF_PROMPT}".`);
  const root = resolve(path);
  const isDir = await isDirectory(root);
  const file = isDir ? await refFileIn(root) : root;
  const located = entriesOf(file, await readDataText(file, HINT));
  if (located.length === 0) throw dataError(file, null, 'no entries in it', HINT);
  const resolver = await imageResolverFor(root, isDir, options.images);
  const samples: EvalSample[] = [];
  const seen = new Set<string>();
  for (const [k, { entry: e, where }] of located.entries()) {
    const [x, y, w, h] = e.bbox;
    const expressions = e.sentences ?? (e.expression ?? e.sentence ? [(e.expression ?? e.sentence)!] : e.answer!);
    const path = e.image ?? e.file_name;
    const image = await locateImage(() => (path !== undefined ? resolver.byPath(path, where) : resolver.byId(e.image_id!, where)), options.strict);
    const base = e.ref_id !== undefined ? String(e.ref_id) : e.question_id !== undefined ? String(e.question_id) : String(k + 1);
    expressions.forEach((expression, s) => {
      const id = expressions.length > 1 ? `${base}#${s + 1}` : base;
      if (seen.has(id)) throw new WorkbenchError('bad-request', `${where()}: ref_id ${base} again`, 'ref_id must be unique.');
      seen.add(id);
      samples.push({
        id,
        ...image,
        question: prompt.replaceAll('{expression}', expression),
        groups: e.split !== undefined ? { split: e.split } : {},
        box: [x, y, x + w, y + h],
      });
    });
  }
  return { format: 'refcoco', name: 'refcoco', sources: [file], samples, prompt };
}
