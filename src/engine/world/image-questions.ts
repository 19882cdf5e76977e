/**
 * The questions a generated world asks about one of its images, with their truth: what the
 * workbench offers beside an image of the bundled samples (or of any folder written by
 * `laser world generate`), so a researcher can run a method on a question whose answer and
 * evidence box are known. A world image sits at `<world>/images/<scene>.png` beside
 * `<world>/manifest.json`; any other image has no questions. A folder that says it is a world but
 * is broken is an error naming the file (loadWorldDataset); a folder that is not one is just [].
 */
import { realpath, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { ImageQuestion } from '../../common/contract/methods.ts';
import { truthFor } from '../../common/laser/truth.ts';
import { loadWorldDataset } from './dataset.ts';
import { IMAGE_DIR } from './export.ts';
import { WORLD_FILES } from './manifest.ts';

interface Loaded {
  /** The manifest's mtime when read: a world generated again in place is read again. */
  mtimeMs: number;
  byImage: Promise<Map<string, ImageQuestion[]>>;
}

async function mtimeOf(file: string): Promise<number | null> {
  try {
    return (await stat(file)).mtimeMs;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT' || (e as NodeJS.ErrnoException).code === 'ENOTDIR') return null;
    throw e;
  }
}

async function indexWorld(dir: string): Promise<Map<string, ImageQuestion[]>> {
  const world = await loadWorldDataset(dir);
  const byImage = new Map<string, ImageQuestion[]>();
  for (const s of world.samples) {
    const target = s.targets.find((t) => t.role === 'target');
    const q: ImageQuestion = { id: s.id, question: s.text, answer: s.answer, family: s.family, size: s.sizeClass, box: target ? [...target.box] : null };
    const name = basename(s.imagePath);
    const list = byImage.get(name);
    if (list) list.push(q);
    else byImage.set(name, [q]);
  }
  return byImage;
}

/**
 * The world question `question` is, about the image at `imagePath` (any path to it; links are
 * resolved), or null when the image is not a world's or the question not one of its own. One-off:
 * reads the world afresh; a long-lived caller keeps a WorldQuestionIndex.
 */
export async function findWorldTruth(imagePath: string, question: string): Promise<ImageQuestion | null> {
  return truthFor(question, await new WorldQuestionIndex().forImage(await realpath(imagePath)));
}

/** Reads each world once (again when its manifest changes) and answers per image. */
export class WorldQuestionIndex {
  private readonly worlds = new Map<string, Loaded>();

  /** `imagePath` is the real path of an image the caller may read (already guarded). */
  async forImage(imagePath: string): Promise<ImageQuestion[]> {
    const imagesDir = dirname(imagePath);
    if (basename(imagesDir) !== IMAGE_DIR) return [];
    const dir = dirname(imagesDir);
    const mtimeMs = await mtimeOf(join(dir, WORLD_FILES.manifest));
    if (mtimeMs === null) {
      this.worlds.delete(dir);
      return [];
    }
    let loaded = this.worlds.get(dir);
    if (loaded === undefined || loaded.mtimeMs !== mtimeMs) {
      loaded = { mtimeMs, byImage: indexWorld(dir) };
      this.worlds.set(dir, loaded);
      // a failed read is not kept: the next call tries again (the folder may be being written)
      loaded.byImage.catch(() => this.worlds.delete(dir));
    }
    return (await loaded.byImage).get(basename(imagePath)) ?? [];
  }
}
