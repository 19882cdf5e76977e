/** A world in memory: scenes and their numbered questions for a seed, before anything is written. */
import { sceneRng } from './draw.ts';
import { DEFAULT_COUNTS, generateQuestions, type QuestionCounts } from './questions.ts';
import { generateScene } from './scene.ts';
import type { Scene, WorldQuestion } from './types.ts';

export interface World {
  seed: number;
  scenes: Scene[];
  questions: WorldQuestion[];
}

export function buildWorld(seed: number, count: number, counts: QuestionCounts = DEFAULT_COUNTS): World {
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) throw new RangeError(`seed must be an integer in 0..2^32-1, got ${seed}`);
  if (!Number.isInteger(count) || count < 1) throw new RangeError(`count must be a positive integer, got ${count}`);
  const scenes: Scene[] = [];
  const questions: WorldQuestion[] = [];
  for (let i = 0; i < count; i++) {
    const scene = generateScene(seed, i);
    scenes.push(scene);
    for (const q of generateQuestions(sceneRng(seed, i, 'questions'), scene, counts)) questions.push({ ...q, number: questions.length + 1 });
  }
  return { seed, scenes, questions };
}
