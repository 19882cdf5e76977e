// The analysis e2e's inputs: the llava15_tiny golden checkpoint (4 layers of 4 heads, a 4x4 grid on
// 56 px inputs) with the LASER tests' word-level tokenizer written beside it, the same checkpoint
// compiled into a bundle by `laser compile` (so one model registers as a bundle and one compiles in
// the app), and a folder of pictures to ask about, with one PNG cut off halfway.
import { Buffer } from 'node:buffer';
import { copyFile, cp, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { generateWorld } from '../../src/engine/world/generate.ts';
import { loadWorldDataset } from '../../src/engine/world/dataset.ts';
import { TINY_CHECKPOINT, writeTinyQwenLaserCheckpoint, writeWordTokenizer } from '../laser/support/tiny-laser-bundle.ts';
import { runLaser } from './laser-cli.ts';

const TINY_FILES = ['config.json', 'generation_config.json', 'model.safetensors'];

/** What makeAnalysisFixtures wrote: the models to register, the pictures to ask about, and what the steps expect of them. */
export interface AnalysisFixtures {
  checkpoint: string;
  world: string;
  worldImage: { rel: string; questions: { question: string; answer: string; box: [number, number, number, number] | null }[] };
  bundle: string;
  movingBundle: string;
  cropBundle: string;
  qwenBundle: string;
  qwenGrid: [number, number];
  images: string;
  goodImage: { name: string; width: number; height: number };
  brokenImage: string;
  question: string;
  layers: number;
  heads: number;
  grid: [number, number];
}

/** A scene with a few objects, so the maps have something to point at. */
function scene(width: number, height: number, n: number): Buffer {
  return Buffer.from(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">` +
      `<rect width="100%" height="100%" fill="${n % 2 ? '#2b6cb0' : '#2f855a'}"/>` +
      `<rect x="0" y="${Math.round(height * 0.7)}" width="${width}" height="${Math.round(height * 0.3)}" fill="#744210"/>` +
      `<circle cx="${Math.round(width * 0.72)}" cy="${Math.round(height * 0.3)}" r="${Math.round(height * 0.14)}" fill="#f6e05e"/>` +
      `<rect x="${Math.round(width * 0.18)}" y="${Math.round(height * 0.42)}" width="${Math.round(width * 0.22)}" height="${Math.round(height * 0.3)}" fill="#c53030" stroke="#fff" stroke-width="3"/>` +
      `</svg>`,
  );
}

export async function makeAnalysisFixtures(base: string, repoRoot: string): Promise<AnalysisFixtures> {
  const checkpoint = join(base, 'models', 'tiny-checkpoint');
  await mkdir(checkpoint, { recursive: true });
  for (const f of TINY_FILES) await copyFile(join(TINY_CHECKPOINT, f), join(checkpoint, f));
  await writeWordTokenizer(checkpoint, { vocabSize: 300, imageTokenId: 296 });

  const bundle = join(base, 'models', 'tiny-bundle');
  await runLaser(['compile', checkpoint, bundle], repoRoot);
  // The same model as llava-hf's processor feeds it: a centre crop, so part of a wide picture goes unseen.
  const cropBundle = join(base, 'models', 'tiny-crop-bundle');
  await runLaser(['compile', checkpoint, cropBundle, '--image-mode', 'crop'], repoRoot);
  // An any-resolution model (qwen2vl_tiny with a tokenizer): each view on its own grid.
  const qwenCheckpoint = join(base, 'models', 'tiny-qwen-checkpoint');
  await writeTinyQwenLaserCheckpoint(qwenCheckpoint);
  const qwenBundle = join(base, 'models', 'tiny-qwen-bundle');
  await runLaser(['compile', qwenCheckpoint, qwenBundle], repoRoot);
  // A second copy, registered and then moved away, so the list has a model it cannot use.
  const movingBundle = join(base, 'models', 'moving-bundle');
  await cp(bundle, movingBundle, { recursive: true });

  const images = join(base, 'images');
  await mkdir(images, { recursive: true });
  await sharp(scene(640, 420, 0))
    .png()
    .toFile(join(images, 'scene-0.png'));
  await sharp(scene(480, 640, 1))
    .jpeg({ quality: 90 })
    .toFile(join(images, 'scene-1.jpg'));
  const whole = await sharp(scene(400, 300, 2))
    .png({ compressionLevel: 0 })
    .toBuffer();
  await writeFile(join(images, 'truncated.png'), whole.subarray(0, Math.floor(whole.length / 2)));

  // A generated world (as the bundled samples are): its images come with questions and their truth.
  const world = join(base, 'world');
  await generateWorld({ seed: 7, count: 2, out: world });
  const worldSamples = (await loadWorldDataset(world)).samples;
  const firstScene = worldSamples[0].sceneId;
  const worldImage = {
    rel: `images/${firstScene}.png`,
    questions: worldSamples
      .filter((s) => s.sceneId === firstScene)
      .map((s) => ({ question: s.text, answer: s.answer, box: s.targets.find((t) => t.role === 'target')?.box ?? null })),
  };

  return {
    checkpoint,
    world,
    worldImage,
    bundle,
    movingBundle,
    cropBundle,
    qwenBundle,
    // scene-0 (640 x 420) smart-resized within 112 x 112 px: 112 x 84, a 3 x 4 grid of merged tokens
    qwenGrid: [3, 4],
    images,
    goodImage: { name: 'scene-0.png', width: 640, height: 420 },
    brokenImage: 'truncated.png',
    // Words of the tiny tokenizer's vocabulary (test/laser/support/tiny-laser-bundle.ts WORDS).
    question: 'what is the colour of the cat ?',
    layers: 4,
    heads: 4,
    grid: [4, 4],
  };
}
