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
 * Roots: the --images folder when given; otherwise the data folder (or the data file's folder) and
 * its parent, so that a world folder's `pope/random.jsonl`, whose paths are relative to the world
 * folder, works when pointed at directly.
 */
import { readdir, stat } from 'node:fs/promises';
import { dirname, extname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { WorkbenchError } from '../../common/contract/errors.ts';

const IMAGE_EXTENSIONS = new Set(['.jpg', '.jpeg', '.png', '.webp', '.gif', '.bmp', '.tif', '.tiff', '.avif']);

export const IMAGES_HINT = 'Pass --images <folder>: the folder the annotation file names its images in (for COCO-based sets, e.g. val2014/).';

/** Roots to look for images in (see the header). */
export function imageRoots(dataPath: string, isDir: boolean, imagesDir?: string): string[] {
  if (imagesDir !== undefined) return [resolve(imagesDir)];
  const base = isDir ? resolve(dataPath) : dirname(resolve(dataPath));
  const parent = dirname(base);
  return parent === base ? [base] : [base, parent];
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

  /**
   * The image at a path relative to a root (or absolute, as written); `where` gives "file:line" for
   * the error. A relative path that climbs out of the root (`../../etc/passwd`) is refused before
   * anything is opened: relative names are inside the image folder, and a downloaded annotation
   * file is not trusted to walk the rest of the disk.
   */
  async byPath(path: string, where: () => string): Promise<string> {
    const inside = (root: string) => {
      const rel = relative(root, join(root, path.replace(/\\/g, '/')));
      return rel !== '..' && !rel.startsWith(`..${sep}`) && !rel.startsWith('../');
    };
    if (!isAbsolute(path) && !this.roots.every(inside)) {
      throw new WorkbenchError('bad-request', `${where()}: image path ${JSON.stringify(path)} leaves the image folder; images are named relative to ${this.roots.join(' or ')}`, 'Name the image by its path inside the image folder, or pass --images <folder> that contains it.');
    }
    const candidates = isAbsolute(path) ? [path] : this.roots.map((r) => join(r, path));
    for (const c of candidates) if (await this.isFile(c)) return c;
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
          const digits = /(\d+)$/.exec(stem);
          if (digits) {
            const key = String(BigInt(digits[1]));
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
      if (hit === null) throw new WorkbenchError('bad-request', `${where()}: image id ${text} matches more than one file under ${this.roots.join(' or ')}`, IMAGES_HINT);
      if (hit !== undefined) return hit;
    }
    throw this.notFound(`no image file named after image id ${text}`, where);
  }
}
