/**
 * `loadWorldDataset(dir)`: a folder written by `laser world generate` → typed samples, one per
 * question, each with its image's absolute path and size, its ten VQA answers, and its target
 * boxes. Everything is checked (zod schemas, every question's scene, every image file present),
 * and a problem is a WorkbenchError naming the file.
 */
import { access, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { z } from 'zod';
import { WorkbenchError } from '../../common/contract/errors.ts';
import { imagePath } from './export.ts';
import { manifestSchema, questionSchema, sceneSchema, WORLD_FILES, WORLD_FORMAT, type WorldManifest } from './manifest.ts';
import type { Scene, WorldQuestion } from './types.ts';
import { jsonSyntaxReason } from '../library/json-errors.ts';

export interface WorldSample extends WorldQuestion {
  /** Absolute path of the scene's PNG. */
  imagePath: string;
  imageWidth: number;
  imageHeight: number;
  /** VQA-style: ten answers (all the same: the world has one truth). */
  answers: string[];
}

export interface WorldDataset {
  dir: string;
  manifest: WorldManifest;
  scenes: Scene[];
  samples: WorldSample[];
}

const hint = 'Generate the folder again with `laser world generate --seed <n> --count <n> --out <dir>`.';

async function readJson(dir: string, file: string): Promise<unknown> {
  const path = join(dir, file);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT')
      throw new WorkbenchError('not-found', `${path}: no such file; ${dir} is not a complete generated world`, hint);
    throw e;
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new WorkbenchError('bad-request', `${path}: not valid JSON (${jsonSyntaxReason(e)})`, hint);
  }
}

function check<S extends z.ZodType>(schema: S, value: unknown, path: string): z.infer<S> {
  const r = schema.safeParse(value);
  if (!r.success) {
    const issue = r.error.issues[0];
    throw new WorkbenchError('bad-request', `${path}: ${issue?.path.join('.') || '(root)'}: ${issue?.message ?? r.error.message}`, hint);
  }
  return r.data;
}

function firstRepeat(ids: readonly (string | number)[], message: (id: string | number) => string): void {
  const seen = new Set<string | number>();
  for (const id of ids) {
    if (seen.has(id)) throw new WorkbenchError('bad-request', message(id), 'Regenerate the world with laser world generate, or give every entry its own id.');
    seen.add(id);
  }
}

export async function loadWorldDataset(dir: string): Promise<WorldDataset> {
  const root = resolve(dir);
  const rawManifest = await readJson(root, WORLD_FILES.manifest);
  if ((rawManifest as { format?: unknown } | null)?.format !== WORLD_FORMAT) {
    throw new WorkbenchError('bad-request', `${join(root, WORLD_FILES.manifest)}: not a generated world (format is not "${WORLD_FORMAT}")`, hint);
  }
  const manifest = check(manifestSchema, rawManifest, join(root, WORLD_FILES.manifest));
  const scenesPath = join(root, manifest.files.scenes);
  const questionsPath = join(root, manifest.files.questions);
  const scenes = check(sceneSchema.array(), ((await readJson(root, manifest.files.scenes)) as { scenes?: unknown })?.scenes, scenesPath) as Scene[];
  const questions = check(
    questionSchema.array(),
    ((await readJson(root, manifest.files.questions)) as { questions?: unknown })?.questions,
    questionsPath,
  ) as WorldQuestion[];
  // A repeated id would count one question twice (or hide one scene behind another): refused, as POPE does.
  firstRepeat(
    scenes.map((s) => s.id),
    (id) => `${scenesPath}: scene id ${id} is listed twice`,
  );
  firstRepeat(
    questions.map((q) => q.id),
    (id) => `${questionsPath}: question id ${id} is listed twice; it would be counted twice`,
  );
  const byId = new Map(scenes.map((s) => [s.id, s]));
  const samples: WorldSample[] = questions.map((q) => {
    const scene = byId.get(q.sceneId);
    if (scene === undefined)
      throw new WorkbenchError('bad-request', `${questionsPath}: question ${q.id} refers to scene ${q.sceneId}, which ${scenesPath} does not list`, hint);
    return {
      ...q,
      imagePath: join(root, imagePath(scene.id)),
      imageWidth: scene.width,
      imageHeight: scene.height,
      answers: Array.from({ length: 10 }, () => q.answer),
    };
  });
  await Promise.all(
    scenes.map((s) =>
      access(join(root, imagePath(s.id))).catch(() => {
        throw new WorkbenchError('not-found', `${join(root, imagePath(s.id))}: image of scene ${s.id} is missing`, hint);
      }),
    ),
  );
  return { dir: root, manifest, scenes, samples };
}
