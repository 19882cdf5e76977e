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
 * The refer API's own files (lichengunc/refer: `data/refcoco/refs(unc).p`, `data/refcoco+/refs(unc).p`,
 * `data/refcocog/refs(umd).p` or `refs(google).p`, each beside its `instances.json`): the pickle's
 * refs `{ref_id, ann_id, image_id, split, sentences: [{sent, ...}], ...}` (pickle.ts), each ref's
 * box the `bbox` of the annotation with its `ann_id` in instances.json, its image that image's
 * `file_name` there (the refs' own `file_name` carries an annotation suffix no image file has),
 * one sample per sentence. The dataset is named after the folder and the split-by
 * (`refcocog (umd)`).
 *
 * Parquet (lmms-lab/RefCOCO, RefCOCOplus, RefCOCOg: `question_id, image, question, answer,
 * segmentation, bbox, iscrowd, file_name`, the image embedded): the lmms-eval rows above, one
 * split's files (`data/testA-0000k-of-0000n.parquet`, `split` or the only one), the split kept as
 * the samples' group.
 *
 * Files: JSON lines (.jsonl), or JSON holding a list or `{"refs": [...]}`, or a refs pickle.
 * --data may be the file, or a folder with one refs(*).p, else one *.jsonl file, or one *.json
 * file whose name contains "ref" (a generated world's refs.json).
 *
 * `split` keeps only the refs of that split (testA, val ...) before any image is looked up.
 *
 * The model is asked `prompt` with {expression} replaced (default "Where is {expression}?"): the
 * map of that question is what is scored.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { z } from 'zod';
import { WorkbenchError } from '../../common/contract/errors.ts';
import { lineOfJsonPath } from './json-locate.ts';
import { imageResolverFor, locateImage } from './images.ts';
import { embeddedImageFile, parquetSource, readParquetRows } from './parquet.ts';
import { PickleError, readPickle } from './pickle.ts';
import type { LoadOptions } from './pope.ts';
import { checkJson, checkJsonLine, dataError, isDirectory, issueText, parseJsonLines, parseJsonText, readDataText } from './source.ts';
import type { EvalDataset, EvalSample } from './types.ts';

export const DEFAULT_REF_PROMPT = 'Where is {expression}?';

/**
 * lmms-eval's RefCOCO REC prompt (`--prompt rec`; `refcoco_bbox_rec_doc_to_text` in
 * lmms_eval/tasks/refcoco/utils_rec.py, word for word): the answer is a normalised box, scored Acc@0.5.
 */
export const REC_PROMPT =
  'Bounding box coordinates are specified in the format (top-left x, top-left y, bottom-right x, bottom-right y). All values are floating point numbers bounded between 0 and 1. Please provide the bounding box coordinate of the region this sentence describes: {expression}';

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
    answer: z
      .union([
        z
          .string()
          .trim()
          .min(1)
          .transform((a) => [a]),
        z.array(sentence).min(1),
      ])
      .optional(),
    question_id: z.union([z.number().int(), z.string().min(1)]).optional(),
    bbox: z
      .tuple([z.number(), z.number(), z.number(), z.number()])
      .refine(([, , w, h]) => w > 0 && h > 0, { message: 'width and height must be > 0 ([x, y, width, height])' }),
    split: z.string().min(1).optional(),
  })
  .refine((e) => e.image !== undefined || e.file_name !== undefined || e.image_id !== undefined, { message: 'names no image: give image (a path) or image_id' })
  .refine((e) => e.expression !== undefined || e.sentence !== undefined || e.sentences !== undefined || e.answer !== undefined, {
    message: 'has no expression (expression, sentence, sentences, or answer as in lmms-eval)',
  });

type RefEntry = z.output<typeof refEntry>;

/** The refer API's pickle: `refs(unc).p`, `refs(umd).p`, `refs(google).p`. */
export const isReferPickle = (file: string) => /^refs\(.+\)\.p$/i.test(basename(file)) || /\.(p|pkl|pickle)$/i.test(file);

async function refFileIn(dir: string): Promise<string> {
  const names = (await readdir(dir)).sort();
  const pickles = names.filter((n) => /^refs\(.+\)\.p$/i.test(n));
  const [pickleName] = pickles;
  if (pickles.length === 1 && pickleName !== undefined) return join(dir, pickleName);
  if (pickles.length > 1)
    throw new WorkbenchError(
      'bad-request',
      `${dir}: several refs pickles (${pickles.join(', ')})`,
      'Pass the one of the split-by you want, e.g. --data "refcocog/refs(umd).p".',
    );
  const jsonl = names.filter((n) => n.toLowerCase().endsWith('.jsonl'));
  const json = names.filter((n) => n.toLowerCase().endsWith('.json') && n.toLowerCase().includes('ref'));
  const found = [...jsonl, ...json];
  const [foundName] = found;
  if (found.length === 1 && foundName !== undefined) return join(dir, foundName);
  throw new WorkbenchError(
    found.length === 0 ? 'not-found' : 'bad-request',
    `${dir}: ${found.length === 0 ? 'no referring-expression file (*.jsonl, or *ref*.json)' : `several referring-expression files (${found.join(', ')})`}`,
    'Pass the file itself.',
  );
}

interface Located {
  entry: RefEntry;
  where: () => string;
  /** The image extracted from a parquet row. */
  imageFile?: string;
}

/** lmms-eval's parquet rows (see the header), the split the files'. */
async function parquetEntries(files: string[], split: string): Promise<Located[]> {
  const out: Located[] = [];
  for (const row of await readParquetRows(files, HINT)) {
    const { image: embedded, ...rest } = row.value;
    const imageFile = (await embeddedImageFile(embedded)) ?? undefined;
    // a row names its split by its file; an embedded image stands for the row's image
    const entry = checkJsonLine(refEntry, { ...row, value: { split, ...rest, ...(imageFile ? { image: imageFile } : {}) } }, row.file, HINT);
    out.push({ entry, where: () => `${row.file}:${row.line}`, imageFile });
  }
  return out;
}

const referHint =
  "The refer API's refs(<splitBy>).p holds a list of refs {ref_id, ann_id, image_id, split, sentences: [{sent}]}, with instances.json beside it.";
const referRef = z.looseObject({
  ref_id: z.union([z.number().int(), z.string().min(1)]),
  ann_id: z.union([z.number().int(), z.string().min(1)]),
  image_id: z.union([z.number().int(), z.string().min(1)]),
  split: z.string().min(1),
  sentences: z.array(z.looseObject({ sent: z.string().trim().min(1) })).min(1),
});
const cocoImage = z.looseObject({ id: z.union([z.number().int(), z.string().min(1)]), file_name: z.string().min(1) });
const cocoAnnotation = z.looseObject({
  id: z.union([z.number().int(), z.string().min(1)]),
  image_id: z.union([z.number().int(), z.string().min(1)]),
  bbox: z.tuple([z.number(), z.number(), z.number(), z.number()]),
});

/** instances.json's images and annotations by id, each checked only when a ref uses it (the file has ~200k annotations). */
async function readInstances(
  file: string,
): Promise<{ image: (id: string, ref: string) => string; annotation: (id: string, ref: string) => z.output<typeof cocoAnnotation> }> {
  const text = await readDataText(file, referHint);
  const value = parseJsonText(file, text, referHint) as { images?: unknown; annotations?: unknown };
  if (value === null || typeof value !== 'object' || !Array.isArray(value.images) || !Array.isArray(value.annotations))
    throw dataError(file, 1, 'expected COCO instances {"images": [...], "annotations": [...]}', referHint);
  const index = (list: unknown[], key: 'images' | 'annotations') => {
    const out = new Map<string, number>();
    list.forEach((e, k) => {
      const id = (e as { id?: unknown } | null)?.id;
      if (typeof id === 'number' || typeof id === 'string') out.set(String(id), k);
    });
    return { list, key, out };
  };
  const images = index(value.images, 'images');
  const annotations = index(value.annotations, 'annotations');
  const lookup =
    <S extends z.ZodType>(ix: ReturnType<typeof index>, schema: S, what: string) =>
    (id: string, ref: string): z.output<S> => {
      const k = ix.out.get(id);
      if (k === undefined) throw dataError(file, null, `has no ${what} ${id} (${ref})`, 'Use the instances.json of the same refer dataset folder.');
      return checkJson(schema, ix.list[k], file, text, [ix.key, k], referHint);
    };
  const image = lookup(images, cocoImage, 'image');
  return { image: (id, ref) => image(id, ref).file_name, annotation: lookup(annotations, cocoAnnotation, 'annotation') };
}

/** The refs of a refer-API pickle joined with its instances.json (see the header). */
async function referEntries(file: string, split: string | undefined): Promise<Located[]> {
  let value: unknown;
  try {
    value = readPickle(new Uint8Array(await readFile(file)));
  } catch (e) {
    if (e instanceof PickleError) throw dataError(file, null, `not a refs pickle this reads: ${e.message}`, referHint);
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new WorkbenchError('not-found', `${file}: no such file`, referHint);
    throw e;
  }
  if (!Array.isArray(value)) throw dataError(file, null, `holds ${value === null ? 'None' : typeof value}, not a list of refs`, referHint);
  const instancesFile = join(dirname(file), 'instances.json');
  if (!(await stat(instancesFile).catch(() => null))?.isFile())
    throw new WorkbenchError('not-found', `${file}: no instances.json beside it (the refs' boxes and image names are there)`, referHint);
  const instances = await readInstances(instancesFile);
  const out: Located[] = [];
  value.forEach((raw, k) => {
    const r = referRef.safeParse(raw);
    if (!r.success) throw dataError(file, null, issueText(r.error, [k]).text, referHint);
    const ref = r.data;
    if (split !== undefined && ref.split !== split) return;
    const named = `ref_id ${ref.ref_id}, refs[${k}] of ${basename(file)}`;
    const ann = instances.annotation(String(ref.ann_id), named);
    if (String(ann.image_id) !== String(ref.image_id))
      throw dataError(
        instancesFile,
        null,
        `annotation ${ref.ann_id} is on image ${ann.image_id}, ${named} on image ${ref.image_id}`,
        'Use the instances.json of the same refer dataset folder.',
      );
    const entry = refEntry.safeParse({
      ref_id: ref.ref_id,
      image: instances.image(String(ref.image_id), named),
      sentences: ref.sentences,
      bbox: ann.bbox,
      split: ref.split,
    });
    if (!entry.success) throw dataError(file, null, `${named}: ${issueText(entry.error).text}`, referHint);
    out.push({ entry: entry.data, where: () => `${file}: ${named}` });
  });
  return out;
}

/** The dataset's name: the refer folder and split-by (`refcocog (umd)`), or "refcoco". */
function refNameOf(file: string): string {
  const m = /^refs\((.+)\)\.p$/i.exec(basename(file));
  return m ? `${basename(dirname(file))} (${m[1]})` : 'refcoco';
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
  /** Only the refs of this split (testA, val ...). */
  split?: string;
}

export async function loadRefcoco(path: string, options: RefLoadOptions = {}): Promise<EvalDataset> {
  const prompt = options.prompt === 'rec' ? REC_PROMPT : (options.prompt ?? DEFAULT_REF_PROMPT);
  if (!prompt.includes('{expression}'))
    throw new WorkbenchError('bad-request', `The grounding prompt "${prompt}" has no {expression} in it.`, `Use e.g. "${DEFAULT_REF_PROMPT}".`);
  const root = resolve(path);
  const isDir = await isDirectory(root);
  const pq = await parquetSource(root, options.split);
  const file = pq ? pq.files[0] : isDir ? await refFileIn(root) : root;
  if (file === undefined) throw dataError(root, null, 'no parquet files in it', HINT);
  const pickle = !pq && isReferPickle(file);
  const all = pq
    ? await parquetEntries(pq.files, pq.split)
    : pickle
      ? await referEntries(file, options.split)
      : entriesOf(file, await readDataText(file, HINT));
  const located = options.split === undefined || pickle || pq ? all : all.filter((l) => l.entry.split === options.split);
  if (located.length === 0) {
    if (options.split !== undefined) {
      const splits = pickle ? await referSplits(file) : [...new Set(all.flatMap((l) => (l.entry.split === undefined ? [] : [l.entry.split])))];
      throw dataError(
        file,
        null,
        `no refs of split "${options.split}" (${splits.length === 0 ? 'it names no splits' : `its splits: ${splits.join(', ')}`})`,
        'Pass --split with one of these.',
      );
    }
    throw dataError(file, null, 'no entries in it', HINT);
  }
  const resolver = await imageResolverFor(root, isDir, options.images);
  const samples: EvalSample[] = [];
  const seen = new Set<string>();
  for (const [k, { entry: e, where, imageFile }] of located.entries()) {
    const [x, y, w, h] = e.bbox;
    const expressions = e.sentences ?? ((e.expression ?? e.sentence) ? [(e.expression ?? e.sentence)!] : e.answer!);
    const path = e.image ?? e.file_name;
    const image =
      imageFile !== undefined
        ? { imagePath: imageFile }
        : await locateImage(() => (path !== undefined ? resolver.byPath(path, where) : resolver.byId(e.image_id!, where)), options.strict);
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
  const name = `${pickle ? refNameOf(file) : 'refcoco'}${options.split !== undefined ? ` ${options.split}` : ''}`;
  return { format: 'refcoco', name, sources: pq ? pq.files : pickle ? [file, join(dirname(file), 'instances.json')] : [file], samples, prompt };
}

/** The splits a refs pickle names, for the message when --split names none of them. */
async function referSplits(file: string): Promise<string[]> {
  const value = readPickle(new Uint8Array(await readFile(file))) as { split?: unknown }[];
  return [...new Set(value.map((r) => r.split).filter((s): s is string => typeof s === 'string'))];
}
