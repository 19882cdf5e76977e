/**
 * Finding a benchmark's images. Annotation files name images in one of two ways:
 * - by a path relative to some folder (POPE's "COCO_val2014_000000310196.jpg", the world's
 *   "images/s7-0.png", a RefCOCO-style "image" field);
 * - by an id only (TextVQA's hex "image_id", VQA v2 / A-OKVQA's integer COCO "image_id").
 * Paths are tried under each image root in turn. Ids are matched against the files directly in a
 * root: first a file whose name without extension is the id ("003a8ae2ef43b901.jpg"), then, for an
 * integer id, a file whose name ends in that number with any zero padding
 * ("COCO_val2014_000000310196.jpg", "000000310196.jpg" for 310196).
 *
 * Roots: the --images folders when given (several allowed, tried in order); otherwise the data
 * folder (or the data file's folder) and its parent, so that a world folder's `pope/random.jsonl`,
 * whose paths are relative to the world folder, works when pointed at directly. Each root is
 * followed by those of its standard subfolders that exist (`STANDARD_LAYOUTS`: COCO's `val2014/`,
 * `train2014/`, `train2017/` + `val2017/` as A-OKVQA mixes them, TextVQA's `train_images/`, ...),
 * so `--images ~/data/coco` finds `~/data/coco/val2014/COCO_val2014_000000310196.jpg`.
 *
 * A path in the data that is absolute or climbs out of the root (`../../etc/passwd`) is refused:
 * a benchmark file names images inside its image folders.
 */
import { readdir, stat } from 'node:fs/promises';
import { dirname, extname, isAbsolute, join, resolve } from 'node:path';
import { WorkbenchError } from '../../common/contract/errors.ts';

const IMAGE_EXTENSIONS = new Set(['.jpg', '.jpeg', '.png', '.webp', '.gif', '.bmp', '.tif', '.tiff', '.avif']);

export const IMAGES_HINT =
  'Pass --images <folder> (several allowed): the folders the annotation file names its images in (for COCO-based sets, e.g. val2014/, or the coco/ folder above it).';

/**
 * The sample's image, or, when it is not found, '' and the reason (the sample becomes an error row
 * and the evaluation goes on); `strict` throws instead. Errors other than not-found (a refused
 * path, an ambiguous id) always throw: they are the data's own problems.
 */
export async function locateImage(find: () => Promise<string>, strict: boolean | undefined): Promise<{ imagePath: string; missing?: string }> {
  try {
    return { imagePath: await find() };
  } catch (e) {
    if (strict || !(e instanceof WorkbenchError) || e.code !== 'not-found') throw e;
    return { imagePath: '', missing: e.message };
  }
}

/** Subfolders of an image root where benchmarks keep their images (see the header). */
export const STANDARD_LAYOUTS = [
  'images',
  'val2014',
  'train2014',
  'test2015',
  'val2017',
  'train2017',
  'test2017',
  'train_images',
  'test_images',
  'coco/val2014',
  'coco/train2014',
  'coco/val2017',
  'coco/train2017',
  'coco2014/val2014',
  'coco2017/val2017',
  'coco2017/train2017',
] as const;

/** The folders given (--images), or the data's folder and its parent (see the header). */
export function imageRoots(dataPath: string, isDir: boolean, imagesDir?: string | readonly string[]): string[] {
  const given = imagesDir === undefined ? [] : typeof imagesDir === 'string' ? [imagesDir] : [...imagesDir];
  if (given.length > 0) return [...new Set(given.map((d) => resolve(d)))];
  const base = isDir ? resolve(dataPath) : dirname(resolve(dataPath));
  const parent = dirname(base);
  return parent === base ? [base] : [base, parent];
}

/** Each root followed by its standard subfolders that exist. */
export async function withStandardLayouts(roots: readonly string[]): Promise<string[]> {
  const out: string[] = [];
  for (const root of roots) {
    out.push(root);
    for (const sub of STANDARD_LAYOUTS) {
      const dir = join(root, sub);
      if ((await stat(dir).catch(() => null))?.isDirectory()) out.push(dir);
    }
  }
  return [...new Set(out)];
}

/** The resolver of a dataset: its roots (imageRoots) each with its standard layouts. */
export async function imageResolverFor(dataPath: string, isDir: boolean, imagesDir?: string | readonly string[]): Promise<ImageResolver> {
  return new ImageResolver(await withStandardLayouts(imageRoots(dataPath, isDir, imagesDir)));
}

/** A data path that is absolute or leaves its root, as the reason to refuse it; null when it is fine. */
export function unsafeImagePath(path: string): string | null {
  if (isAbsolute(path) || /^[a-zA-Z]:[\\/]/.test(path)) return `image path ${path} is absolute; benchmark files name images relative to the image folders`;
  const parts = path.split(/[\\/]+/);
  let depth = 0;
  for (const p of parts) {
    if (p === '..') depth--;
    else if (p !== '.' && p !== '') depth++;
    if (depth < 0) return `image path ${path} leaves the image folder (..)`;
  }
  return null;
}

interface IdIndex {
  byStem: Map<string, string>;
  /** Trailing number (no leading zeros) → path; null when two files share it. */
  byNumber: Map<string, string | null>;
}

export class ImageResolver {
  private readonly exists = new Map<string, Promise<boolean>>();
  private index: Promise<IdIndex> | null = null;

  constructor(readonly roots: readonly string[]) {}

  private isFile(path: string): Promise<boolean> {
    let p = this.exists.get(path);
    if (!p) {
      p = stat(path).then(
        (s) => s.isFile(),
        () => false,
      );
      this.exists.set(path, p);
    }
    return p;
  }

  private notFound(what: string, where: () => string): WorkbenchError {
    return new WorkbenchError('not-found', `${where()}: ${what} under ${this.roots.join(' or ')}`, IMAGES_HINT);
  }

  /** The image at a path relative to a root; `where` gives "file:line" for the error. */
  async byPath(path: string, where: () => string): Promise<string> {
    const unsafe = unsafeImagePath(path);
    if (unsafe !== null)
      throw new WorkbenchError('bad-request', `${where()}: ${unsafe}`, 'Fix the path in the data file, and pass the folder it is relative to with --images.');
    for (const r of this.roots) {
      const c = join(r, path);
      if (await this.isFile(c)) return c;
    }
    // a bare file name may sit under a standard layout the data does not spell out
    throw this.notFound(`image ${path} not found`, where);
  }

  private buildIndex(): Promise<IdIndex> {
    this.index ??= (async () => {
      const byStem = new Map<string, string>();
      const byNumber = new Map<string, string | null>();
      // An earlier root wins over a later one; two files of one root with the same number are ambiguous.
      for (const root of this.roots) {
        const names = await readdir(root).catch(() => [] as string[]);
        const local = new Map<string, string | null>();
        for (const name of names.sort()) {
          const ext = extname(name).toLowerCase();
          if (!IMAGE_EXTENSIONS.has(ext)) continue;
          const stem = name.slice(0, name.length - ext.length);
          const path = join(root, name);
          if (!byStem.has(stem)) byStem.set(stem, path);
          const digits = /(\d+)$/.exec(stem)?.[1];
          if (digits !== undefined) {
            const key = String(BigInt(digits));
            local.set(key, local.has(key) ? null : path);
          }
        }
        for (const [key, path] of local) if (!byNumber.has(key)) byNumber.set(key, path);
      }
      return { byStem, byNumber };
    })();
    return this.index;
  }

  /** The image of an id (see the header); `where` gives "file:line" for the error. */
  async byId(id: string | number, where: () => string): Promise<string> {
    const { byStem, byNumber } = await this.buildIndex();
    const text = String(id);
    const stem = byStem.get(text);
    if (stem !== undefined) return stem;
    if (/^\d+$/.test(text)) {
      const hit = byNumber.get(String(BigInt(text)));
      if (hit === null)
        throw new WorkbenchError('bad-request', `${where()}: image id ${text} matches more than one file under ${this.roots.join(' or ')}`, IMAGES_HINT);
      if (hit !== undefined) return hit;
    }
    throw this.notFound(`no image file named after image id ${text}`, where);
  }
}
