/**
 * `generateWorld`: a seed and a count → a dataset folder (see manifest.ts for its layout).
 * Written into `<out>.partial-<random>` and renamed into place when complete, so a folder at
 * `out` is always whole; an earlier world there is replaced, anything else is refused.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rm, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { cancelledError, WorkbenchError } from '../../common/contract/errors.ts';
import { replaceFolder, writeFileAtomically } from '../library/atomic-write.ts';
import { ensureWritableDir } from '../library/writable.ts';
import { imagePath, IMAGE_DIR, popeFiles, refEntries, vqaFiles } from './export.ts';
import { GENERATOR_VERSION, WORLD_FILES, WORLD_FORMAT, WORLD_FORMAT_VERSION, type WorldManifest } from './manifest.ts';
import { DEFAULT_COUNTS, type QuestionCounts } from './questions.ts';
import { renderScenePng } from './render.ts';
import { buildWorld, type World } from './world.ts';

export interface GenerateWorldOptions {
  seed: number;
  /** Number of scenes (questions: about five a scene with the default counts). */
  count: number;
  out: string;
  counts?: QuestionCounts;
  /** Objects per scene, [min, max]; default [3, 8]. */
  objects?: readonly [number, number];
  /** Scenes rendered at once (sharp works off the main thread). Default 4. */
  concurrency?: number;
  onProgress?: (scenesDone: number, scenesTotal: number) => void;
  signal?: AbortSignal;
}

export function worldManifest(world: World, counts: QuestionCounts): WorldManifest {
  const byFamily: Record<string, number> = {};
  const bySize: Record<string, number> = {};
  for (const q of world.questions) {
    byFamily[q.family] = (byFamily[q.family] ?? 0) + 1;
    const s = q.sizeClass ?? 'none';
    bySize[s] = (bySize[s] ?? 0) + 1;
  }
  return {
    format: WORLD_FORMAT,
    formatVersion: WORLD_FORMAT_VERSION,
    generatorVersion: GENERATOR_VERSION,
    seed: world.seed,
    count: world.scenes.length,
    objects: [world.objects[0], world.objects[1]],
    questionCounts: counts,
    files: { ...WORLD_FILES, pope: { ...WORLD_FILES.pope } },
    stats: { scenes: world.scenes.length, questions: world.questions.length, byFamily, bySize },
  };
}

async function checkTarget(out: string): Promise<void> {
  const st = await stat(out).catch(() => null);
  if (!st) return;
  const refuse = (why: string) =>
    new WorkbenchError('bad-request', `${out} ${why}; refusing to replace it`, 'Choose a new folder, or remove that one yourself.');
  if (!st.isDirectory()) throw refuse('exists and is not a folder');
  if ((await readdir(out)).length === 0) return;
  const format = await readFile(join(out, WORLD_FILES.manifest), 'utf8')
    .then((t) => (JSON.parse(t) as { format?: unknown }).format)
    .catch(() => undefined);
  if (format !== WORLD_FORMAT) throw refuse('exists and is not a generated world');
}

const json = (v: unknown) => JSON.stringify(v, null, 1) + '\n';

export async function generateWorld(opts: GenerateWorldOptions): Promise<WorldManifest> {
  const counts = opts.counts ?? DEFAULT_COUNTS;
  let world: World;
  try {
    world = buildWorld(opts.seed, opts.count, counts, opts.objects);
  } catch (e) {
    throw new WorkbenchError('bad-request', (e as Error).message, 'Use a seed in 0..4294967295, a positive count, and 1 <= min <= max <= 12 objects.');
  }
  await checkTarget(opts.out);
  // Creates the parent and proves it writable before any scene is drawn.
  await ensureWritableDir(dirname(resolve(opts.out)), 'the world --out folder');
  const partial = `${opts.out}.partial-${randomBytes(4).toString('hex')}`;
  try {
    await mkdir(join(partial, IMAGE_DIR), { recursive: true });
    await mkdir(join(partial, 'pope'));
    await mkdir(join(partial, 'vqa'));
    let next = 0;
    let done = 0;
    const worker = async () => {
      while (next < world.scenes.length) {
        if (opts.signal?.aborted) throw cancelledError();
        const scene = world.scenes[next++];
        if (scene === undefined) break;
        await writeFileAtomically(join(partial, imagePath(scene.id)), await renderScenePng(scene));
        opts.onProgress?.(++done, world.scenes.length);
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, opts.concurrency ?? 4) }, worker));
    const manifest = worldManifest(world, counts);
    const vqa = vqaFiles(world.seed, world.scenes, world.questions);
    const pope = popeFiles(world.questions);
    await Promise.all([
      writeFileAtomically(join(partial, WORLD_FILES.scenes), json({ scenes: world.scenes })),
      writeFileAtomically(join(partial, WORLD_FILES.questions), json({ questions: world.questions })),
      writeFileAtomically(join(partial, WORLD_FILES.vqaQuestions), json(vqa.questions)),
      writeFileAtomically(join(partial, WORLD_FILES.vqaAnnotations), json(vqa.annotations)),
      writeFileAtomically(join(partial, WORLD_FILES.refs), json({ refs: refEntries(world.scenes, world.questions) })),
      ...Object.entries(pope).map(([split, text]) => writeFileAtomically(join(partial, WORLD_FILES.pope[split as keyof typeof pope]), text)),
    ]);
    // the manifest last: a folder with a manifest is complete
    await writeFileAtomically(join(partial, WORLD_FILES.manifest), json(manifest));
    // Every file is fsynced; the folder replaces an earlier world only whole (the old one is moved
    // aside, not removed, until the new one is in place), as record folders do.
    await replaceFolder(partial, opts.out);
    return manifest;
  } catch (e) {
    await rm(partial, { recursive: true, force: true });
    throw e;
  }
}
