/** A world in memory: scenes and their numbered questions for a seed, before anything is written. */
import { sceneRng } from './draw.ts';
import { DEFAULT_COUNTS, generateQuestions, type QuestionCounts } from './questions.ts';
import { DEFAULT_OBJECTS, generateScene } from './scene.ts';
import type { Scene, WorldQuestion } from './types.ts';

export interface World {
  seed: number;
  /** Objects per scene, [min, max]. */
  objects: readonly [number, number];
  scenes: Scene[];
  questions: WorldQuestion[];
}

export function buildWorld(seed: number, count: number, counts: QuestionCounts = DEFAULT_COUNTS, objects: readonly [number, number] = DEFAULT_OBJECTS): World {
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) throw new RangeError(`seed must be an integer in 0..2^32-1, got ${seed}`);
  if (!Number.isInteger(count) || count < 1) throw new RangeError(`count must be a positive integer, got ${count}`);
  if (!Number.isInteger(objects[0]) || !Number.isInteger(objects[1]) || objects[0] < 1 || objects[1] < objects[0] || objects[1] > 12)
    throw new RangeError(`objects per scene must be a range within 1..12, got ${objects.join('-')}`);
  const scenes: Scene[] = [];
  const questions: WorldQuestion[] = [];
  for (let i = 0; i < count; i++) {
    const scene = generateScene(seed, i, objects);
    scenes.push(scene);
    for (const q of generateQuestions(sceneRng(seed, i, 'questions'), scene, counts)) questions.push({ ...q, number: questions.length + 1 });
  }
  return { seed, objects, scenes, questions };
}
