// The analysis e2e's inputs: the llava15_tiny golden checkpoint (4 layers of 4 heads, a 4x4 grid on
// 56 px inputs) with the LASER tests' word-level tokenizer written beside it, the same checkpoint
// compiled into a bundle by `laser compile` (so one model registers as a bundle and one compiles in
// the app), and a folder of pictures to ask about, with one PNG cut off halfway.
import { spawn } from 'node:child_process';
import { copyFile, cp, mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Buffer } from 'node:buffer';
import sharp from 'sharp';
import { register } from 'tsx/esm/api';

const TINY_FILES = ['config.json', 'generation_config.json', 'model.safetensors'];

function run(command, args, cwd) {
  return new Promise((resolve, reject) => {
    // `laser compile` registers its bundle in a data folder: one of the fixtures' own (not the app's
    // under test, nor the real home's, whose earlier stores it would move in).
    const home = join(tmpdir(), 'laser-e2e-cli-home');
    const env = {
      ...process.env,
      HOME: home,
      LASER_DATA_DIR: join(home, 'data'),
      XDG_DATA_HOME: join(home, 'xdg-data'),
      XDG_CACHE_HOME: join(home, 'xdg-cache'),
      XDG_CONFIG_HOME: join(home, 'xdg-config'),
    };
    delete env.LASER_CACHE_DIR;
    const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (c) => (output += c));
    child.stderr.on('data', (c) => (output += c));
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve(output) : reject(new Error(`${args.join(' ')} exited ${code}:\n${output}`))));
  });
}

/** A scene with a few objects, so the maps have something to point at. */
function scene(width, height, n) {
  return Buffer.from(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">` +
      `<rect width="100%" height="100%" fill="${n % 2 ? '#2b6cb0' : '#2f855a'}"/>` +
      `<rect x="0" y="${Math.round(height * 0.7)}" width="${width}" height="${Math.round(height * 0.3)}" fill="#744210"/>` +
      `<circle cx="${Math.round(width * 0.72)}" cy="${Math.round(height * 0.3)}" r="${Math.round(height * 0.14)}" fill="#f6e05e"/>` +
      `<rect x="${Math.round(width * 0.18)}" y="${Math.round(height * 0.42)}" width="${Math.round(width * 0.22)}" height="${Math.round(height * 0.3)}" fill="#c53030" stroke="#fff" stroke-width="3"/>` +
      `</svg>`,
  );
}

export async function makeAnalysisFixtures(base, repoRoot) {
  const unregister = register();
  try {
    const { TINY_CHECKPOINT, writeWordTokenizer, writeTinyQwenLaserCheckpoint } = await import('../laser/support/tiny-laser-bundle.ts');
    const { generateWorld } = await import('../../src/engine/world/generate.ts');
    const { loadWorldDataset } = await import('../../src/engine/world/dataset.ts');
    const checkpoint = join(base, 'models', 'tiny-checkpoint');
    await mkdir(checkpoint, { recursive: true });
    for (const f of TINY_FILES) await copyFile(join(TINY_CHECKPOINT, f), join(checkpoint, f));
    await writeWordTokenizer(checkpoint, { vocabSize: 300, imageTokenId: 296 });

    const bundle = join(base, 'models', 'tiny-bundle');
    await run(process.execPath, ['bin/laser.js', 'compile', checkpoint, bundle], repoRoot);
    // The same model as llava-hf's processor feeds it: a centre crop, so part of a wide picture goes unseen.
    const cropBundle = join(base, 'models', 'tiny-crop-bundle');
    await run(process.execPath, ['bin/laser.js', 'compile', checkpoint, cropBundle, '--image-mode', 'crop'], repoRoot);
    // An any-resolution model (qwen2vl_tiny with a tokenizer): each view on its own grid.
    const qwenCheckpoint = join(base, 'models', 'tiny-qwen-checkpoint');
    await writeTinyQwenLaserCheckpoint(qwenCheckpoint);
    const qwenBundle = join(base, 'models', 'tiny-qwen-bundle');
    await run(process.execPath, ['bin/laser.js', 'compile', qwenCheckpoint, qwenBundle], repoRoot);
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
  } finally {
    await unregister();
  }
}
