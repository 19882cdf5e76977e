/**
 * POPE (RUCAIBox/POPE; LLaVA's playground/data/eval/pope): one JSON object per line,
 *   {"question_id": 1, "image": "COCO_val2014_000000310196.jpg", "text": "Is there a snowboard in the image?", "label": "yes"}
 * one file per split. The official files end in .json although they hold JSON lines; both endings
 * are read as JSON lines. The split is taken from the file name (random, popular or adversarial
 * when the name contains one, else the name itself).
 *
 * --data may be one such file, or a folder: its `*.jsonl` files and its `*.json` files whose name
 * contains "pope", or, when it has none, the same inside its `pope/` subfolder (a generated world).
 */
import { readdir } from 'node:fs/promises';
import { basename, extname, join, resolve } from 'node:path';
import { z } from 'zod';
import { WorkbenchError } from '../../common/contract/errors.ts';
import { imageResolverFor, locateImage } from './images.ts';
import { checkJsonLine, dataError, isDirectory, parseJsonLines, readDataText } from './source.ts';
import type { EvalDataset, EvalSample } from './types.ts';

const HINT = 'POPE files hold one {"question_id", "image", "text", "label": "yes"|"no"} object per line.';

const popeLine = z.looseObject({
  question_id: z.union([z.number().int(), z.string().min(1)]),
  image: z.string().min(1),
  text: z.string().trim().min(1),
  label: z
    .string()
    .transform((s) => s.trim().toLowerCase())
    .pipe(z.enum(['yes', 'no'])),
});

export function popeSplitOf(file: string): string {
  const stem = basename(file, extname(file));
  return ['random', 'popular', 'adversarial'].find((s) => stem.toLowerCase().includes(s)) ?? stem;
}

function isPopeFile(name: string): boolean {
  const lower = name.toLowerCase();
  return lower.endsWith('.jsonl') || (lower.endsWith('.json') && lower.includes('pope'));
}

/** The POPE files of a folder (see the header). */
export async function popeFilesIn(dir: string): Promise<string[]> {
  const names = (await readdir(dir)).filter(isPopeFile).sort();
  if (names.length > 0) return names.map((n) => join(dir, n));
  const sub = join(dir, 'pope');
  if (await isDirectory(sub)) {
    const inner = (await readdir(sub)).filter(isPopeFile).sort();
    if (inner.length > 0) return inner.map((n) => join(sub, n));
  }
  throw new WorkbenchError('not-found', `${dir}: no POPE files (*.jsonl, or *.json named *pope*) in it or in ${sub}`, 'Pass a POPE .jsonl file, or the folder that holds the split files.');
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
  for (const file of files) {
    const split = popeSplitOf(file);
    const other = splits.get(split);
    if (other !== undefined) throw dataError(file, null, `split "${split}" again (also ${other})`, 'Keep one file per POPE split.');
    splits.set(split, file);
    // an empty split file is kept out (a small generated world may have no question of a split)
    const lines = parseJsonLines(file, await readDataText(file, HINT), HINT);
    const seen = new Map<string, number>();
    for (const entry of lines) {
      const q = checkJsonLine(popeLine, entry, file, HINT);
      const id = String(q.question_id);
      const first = seen.get(id);
      if (first !== undefined) throw dataError(file, entry.line, `question_id ${id} again (first on line ${first})`, 'question_id must be unique within a split.');
      seen.set(id, entry.line);
      samples.push({
        id: `${split}/${id}`,
        ...(await locateImage(() => resolver.byPath(q.image, () => `${file}:${entry.line}`), options.strict)),
        question: q.text,
        groups: { split },
        pope: q.label,
      });
    }
  }
  if (samples.length === 0) throw dataError(files.join(', '), null, 'no questions in it', HINT);
  return { format: 'pope', name: 'pope', sources: files, samples };
}
