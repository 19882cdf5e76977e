/** The synthetic grounding world: generate a dataset folder from a seed, and load one. See README.md. */
export { generateWorld, worldManifest, type GenerateWorldOptions } from './generate.ts';
export { loadWorldDataset, type WorldDataset, type WorldSample } from './dataset.ts';
export { buildWorld, type World } from './world.ts';
export { generateScene, sceneId, CANVAS_SIZES } from './scene.ts';
export { generateQuestions, DEFAULT_COUNTS, type QuestionCounts } from './questions.ts';
export { renderScenePng, sceneSvg } from './render.ts';
export { popeFiles, vqaFiles, refEntries, cocoBox, imagePath, type PopeLine, type VqaFiles, type RefEntry } from './export.ts';
export { WORLD_FILES, WORLD_FORMAT, WORLD_FORMAT_VERSION, GENERATOR_VERSION, type WorldManifest } from './manifest.ts';
export type { Scene, WorldObject, WorldQuestion, QuestionTarget, Clutter } from './types.ts';
export * from './vocabulary.ts';
