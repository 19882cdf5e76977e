/**
 * The dataset folder a world is written to, and the zod schemas its loader checks:
 *
 *   manifest.json          what this is (format, seed, counts, file names, statistics)
 *   scenes.json            every scene with every object's box
 *   questions.json         every question: family, answer, target boxes, size class
 *   images/<scene>.png     the scenes
 *   pope/<split>.jsonl     POPE-style existence questions, one file per split
 *   vqa/questions.json, vqa/annotations.json   VQA v2-style, all families, ten answers each
 *   refs.json              referring expressions with their boxes
 */
import { z } from 'zod';
import { COLOURS, DIGITS, LETTERS, POPE_SPLITS, QUESTION_FAMILIES, RELATIONS, SHAPES, SIZE_CLASSES } from './vocabulary.ts';

export const WORLD_FORMAT = 'laser-world';
export const WORLD_FORMAT_VERSION = 1;
/** Bumped whenever the same seed would give different scenes or questions. */
export const GENERATOR_VERSION = 1;

export const WORLD_FILES = {
  manifest: 'manifest.json',
  scenes: 'scenes.json',
  questions: 'questions.json',
  images: 'images',
  pope: { random: 'pope/random.jsonl', popular: 'pope/popular.jsonl', adversarial: 'pope/adversarial.jsonl' },
  vqaQuestions: 'vqa/questions.json',
  vqaAnnotations: 'vqa/annotations.json',
  refs: 'refs.json',
} as const;

const box = z.tuple([z.number().int(), z.number().int(), z.number().int(), z.number().int()]);
const sizeClass = z.enum(SIZE_CLASSES);

const objectSchema = z.object({
  id: z.number().int().nonnegative(),
  shape: z.enum(SHAPES),
  colour: z.enum(COLOURS),
  box,
  cx: z.number(),
  cy: z.number(),
  side: z.number().positive(),
  glyph: z.enum([...LETTERS, ...DIGITS]).nullable(),
  sizeClass,
});

const clutterSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('dot'), x: z.number(), y: z.number(), r: z.number(), grey: z.string() }),
  z.object({ kind: z.literal('line'), points: z.array(z.tuple([z.number(), z.number()])), width: z.number(), grey: z.string() }),
]);

export const sceneSchema = z.object({
  id: z.string().regex(/^[A-Za-z0-9_-]+$/),
  seed: z.number().int(),
  index: z.number().int().nonnegative(),
  width: z.number().int().positive(),
  height: z.number().int().positive(),
  background: z.string(),
  objects: z.array(objectSchema),
  clutter: z.array(clutterSchema),
});

export const questionSchema = z.object({
  id: z.string().min(1),
  number: z.number().int().positive(),
  sceneId: z.string(),
  family: z.enum(QUESTION_FAMILIES),
  kind: z.string(),
  text: z.string().min(1),
  answer: z.string().min(1),
  targets: z.array(z.object({ role: z.enum(['target', 'anchor']), objectId: z.number().int().nonnegative(), box, phrase: z.string() })),
  sizeClass: sizeClass.nullable(),
  popeSplit: z.enum(POPE_SPLITS).optional(),
  relation: z.enum(RELATIONS).optional(),
});

const countsSchema = z.object({ attribute: z.number().int(), existence: z.number().int(), relation: z.number().int(), glyph: z.number().int() });

export const manifestSchema = z.object({
  format: z.literal(WORLD_FORMAT),
  formatVersion: z.literal(WORLD_FORMAT_VERSION),
  generatorVersion: z.number().int(),
  seed: z.number().int(),
  count: z.number().int().positive(),
  objects: z.tuple([z.number().int().positive(), z.number().int().positive()]),
  questionCounts: countsSchema,
  files: z.object({
    scenes: z.string(),
    questions: z.string(),
    images: z.string(),
    pope: z.object({ random: z.string(), popular: z.string(), adversarial: z.string() }),
    vqaQuestions: z.string(),
    vqaAnnotations: z.string(),
    refs: z.string(),
  }),
  stats: z.object({
    scenes: z.number().int(),
    questions: z.number().int(),
    byFamily: z.record(z.string(), z.number().int()),
    bySize: z.record(z.string(), z.number().int()),
  }),
});

export type WorldManifest = z.infer<typeof manifestSchema>;
