/**
 * The benchmark file formats a world is exported to, so that the demo world goes through the same
 * loaders as the real benchmarks:
 * - POPE: one JSONL file per split, lines `{question_id, image, text, label}`;
 * - VQA v2: `questions.json` and `annotations.json` with ten answers per question;
 * - referring expressions (RefCOCO-like): one entry per question with a target, the phrase that
 *   names the target and its box in COCO `[x, y, width, height]`.
 * Image paths are relative to the dataset folder. Pure functions: nothing here writes files.
 */
import type { Box } from '../../common/geometry/box.ts';
import type { Scene, WorldQuestion } from './types.ts';
import { POPE_SPLITS, type PopeSplit } from './vocabulary.ts';

export const IMAGE_DIR = 'images';

export function imagePath(sceneId: string): string {
  return `${IMAGE_DIR}/${sceneId}.png`;
}

export interface PopeLine {
  question_id: number;
  image: string;
  text: string;
  label: 'yes' | 'no';
}

/** One JSONL text per POPE split (each line ends with a newline). */
export function popeFiles(questions: readonly WorldQuestion[]): Record<PopeSplit, string> {
  const out = {} as Record<PopeSplit, string>;
  for (const split of POPE_SPLITS) {
    out[split] = questions
      .filter((q) => q.family === 'existence' && q.popeSplit === split)
      .map(
        (q) => JSON.stringify({ question_id: q.number, image: imagePath(q.sceneId), text: q.text, label: q.answer as 'yes' | 'no' } satisfies PopeLine) + '\n',
      )
      .join('');
  }
  return out;
}

/** VQA's answer_type for each family. */
function answerType(q: WorldQuestion): 'yes/no' | 'number' | 'other' {
  if (q.family === 'existence') return 'yes/no';
  if (q.family === 'glyph' && q.kind === 'digit') return 'number';
  return 'other';
}

export interface VqaFiles {
  questions: {
    info: Record<string, unknown>;
    task_type: string;
    data_type: string;
    data_subtype: string;
    questions: { image_id: number; image: string; question: string; question_id: number }[];
  };
  annotations: {
    info: Record<string, unknown>;
    data_type: string;
    data_subtype: string;
    annotations: {
      question_id: number;
      image_id: number;
      question_type: string;
      answer_type: string;
      multiple_choice_answer: string;
      answers: { answer: string; answer_confidence: 'yes'; answer_id: number }[];
    }[];
  };
}

/** Ten answers per question, as VQA's ten annotators give; here they all agree, as the world has one truth. */
export function vqaFiles(seed: number, scenes: readonly Scene[], questions: readonly WorldQuestion[]): VqaFiles {
  const imageId = new Map(scenes.map((s) => [s.id, s.index]));
  const info = { description: `LASER synthetic world, seed ${seed}` };
  const idOf = (q: WorldQuestion) => {
    const id = imageId.get(q.sceneId);
    if (id === undefined) throw new Error(`question ${q.id} refers to unknown scene ${q.sceneId}`);
    return id;
  };
  return {
    questions: {
      info,
      task_type: 'Open-Ended',
      data_type: 'laser-world',
      data_subtype: `seed${seed}`,
      questions: questions.map((q) => ({ image_id: idOf(q), image: imagePath(q.sceneId), question: q.text, question_id: q.number })),
    },
    annotations: {
      info,
      data_type: 'laser-world',
      data_subtype: `seed${seed}`,
      annotations: questions.map((q) => ({
        question_id: q.number,
        image_id: idOf(q),
        question_type: `${q.family}/${q.kind}`,
        answer_type: answerType(q),
        multiple_choice_answer: q.answer,
        answers: Array.from({ length: 10 }, (_, i) => ({ answer: q.answer, answer_confidence: 'yes' as const, answer_id: i + 1 })),
      })),
    },
  };
}

export interface RefEntry {
  ref_id: number;
  question_id: number;
  image_id: number;
  image: string;
  /** The referring expression ("the small red circle", "the shape left of the blue star"). */
  sentence: string;
  /** COCO [x, y, width, height] in image pixels. */
  bbox: [number, number, number, number];
  category: string;
}

export function cocoBox(b: Box): [number, number, number, number] {
  return [b[0], b[1], b[2] - b[0], b[3] - b[1]];
}

export function refEntries(scenes: readonly Scene[], questions: readonly WorldQuestion[]): RefEntry[] {
  const byId = new Map(scenes.map((s) => [s.id, s]));
  const out: RefEntry[] = [];
  for (const q of questions) {
    const t = q.targets.find((x) => x.role === 'target');
    const scene = byId.get(q.sceneId);
    if (t === undefined || scene === undefined) continue;
    const object = scene.objects[t.objectId];
    if (object === undefined) throw new Error(`question ${q.number}: scene ${scene.id} has no object ${t.objectId}`);
    out.push({
      ref_id: out.length + 1,
      question_id: q.number,
      image_id: scene.index,
      image: imagePath(scene.id),
      sentence: `the ${t.phrase}`,
      bbox: cocoBox(t.box),
      category: object.shape,
    });
  }
  return out;
}
