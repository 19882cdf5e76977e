/**
 * The shipped demo model goes through exactly the path of a downloaded LLaVA-1.5: our compiler
 * turns resources/models/laser-demo into a bundle, our runtime runs it, and the logits match what
 * the PyTorch model that was trained computed on the same inputs (training/make_fixtures.py).
 * The inputs themselves are rebuilt here with the workbench's tokenizer, chat template and image
 * preprocessing, and must equal what training fed the model.
 *
 * Tolerance: 1e-4 absolute (the figure) on logits up to 11.4: float32 rounding differences
 * between torch's and onnxruntime's kernels over 4 CLIP and 6 LLaMA layers come to 6.9e-6 to 8.2e-6
 * on the three cases (measured), so the margin is over 10x, while a wrong weight, a transposed
 * projection or a shifted rope moves logits by order 1.
 */
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readModelConfig } from '../../src/engine/checkpoint/hf-config.ts';
import { SafetensorsFile } from '../../src/engine/checkpoint/safetensors.ts';
import { compileBundle } from '../../src/engine/compiler/compile.ts';
import { DEFAULT_INSTRUCTION } from '../../src/engine/laser/prompts.ts';
import { preprocessForClip } from '../../src/engine/preprocess/clip.ts';
import { parseClipProcessorConfig } from '../../src/engine/preprocess/config.ts';
import { decodeImageFile } from '../../src/engine/preprocess/decode.ts';
import { cropImage } from '../../src/engine/preprocess/image.ts';
import { runForward } from '../../src/engine/runtime/forward.ts';
import type { ModelRuntime } from '../../src/engine/runtime/model-runtime.ts';
import { openModelRuntime } from '../../src/engine/runtime/open.ts';
import { loadChatTemplate } from '../../src/engine/tokenizer/chat-template.ts';
import { loadTokenizer } from '../../src/engine/tokenizer/load.ts';
import { buildPromptIds } from '../../src/engine/tokenizer/prompt.ts';

const repo = fileURLToPath(new URL('../..', import.meta.url));
const demoDir = join(repo, 'resources/models/laser-demo');
const samplesDir = join(repo, 'resources/samples');
const fixtureDir = fileURLToPath(new URL('./fixtures', import.meta.url));

interface Case {
  file: string;
  image: string;
  question: string;
  crop: [number, number, number, number] | null;
}

interface Stored {
  inputIds: BigInt64Array;
  pixelValues: Float32Array;
  images: number;
  logits: Float32Array;
}

async function readCase(c: Case): Promise<Stored> {
  const f = await SafetensorsFile.open(join(fixtureDir, c.file));
  try {
    return {
      inputIds: await f.readInt64('input_ids'),
      pixelValues: await f.readFloat32('pixel_values'),
      images: f.info('pixel_values').shape[0],
      logits: await f.readFloat32('logits'),
    };
  } finally {
    await f.close();
  }
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
  return d;
}

let cases: Case[];
let root: string;
let rt: ModelRuntime;

beforeAll(async () => {
  cases = (JSON.parse(await readFile(join(fixtureDir, 'cases.json'), 'utf8')) as { cases: Case[] }).cases;
  root = await mkdtemp(join(tmpdir(), 'laser-demo-'));
  await compileBundle(demoDir, join(root, 'bundle'));
  rt = await openModelRuntime(join(root, 'bundle'), { device: 'cpu', threads: 1 });
});

afterAll(async () => {
  await rt?.dispose();
  if (root) await rm(root, { recursive: true, force: true });
});

describe('the shipped demo model', () => {
  it('is a LLaVA checkpoint within the size budget: at most 25 MB, at least 6 decoder layers, pad preprocessing', async () => {
    const config = await readModelConfig(demoDir);
    expect(config.textConfig.numHiddenLayers).toBeGreaterThanOrEqual(6);
    expect((await stat(join(demoDir, 'model.safetensors'))).size).toBeLessThanOrEqual(25e6);
    const manifest = JSON.parse(await readFile(join(root, 'bundle', 'manifest.json'), 'utf8')) as { preprocessing: { mode: string } };
    expect(manifest.preprocessing.mode).toBe('pad');
  });

  it('compiles with our compiler and reproduces the PyTorch logits on every stored input', async () => {
    expect(cases.length).toBeGreaterThanOrEqual(2);
    expect(cases.some((c) => c.crop !== null)).toBe(true);
    for (const c of cases) {
      const s = await readCase(c);
      const out = await runForward(rt, { inputIds: s.inputIds, pixelValues: s.pixelValues, images: s.images });
      expect(maxAbsDiff(out.logits, s.logits), c.file).toBeLessThan(1e-4);
    }
  });

  it('gets the stored prompt ids from its own tokenizer and chat template', async () => {
    const tokenizer = await loadTokenizer(demoDir);
    const template = await loadChatTemplate(demoDir, tokenizer.config);
    expect(template.isFallback).toBe(false);
    for (const c of cases) {
      const s = await readCase(c);
      const ids = buildPromptIds({
        tokenizer,
        template,
        question: c.question,
        instruction: DEFAULT_INSTRUCTION,
        images: s.images,
        imageTokenId: rt.imageTokenId,
        tokensPerImage: rt.imageTokens,
      });
      expect(ids.inputIds, c.file).toEqual(Array.from(s.inputIds, Number));
      expect(ids.inputIds).not.toContain(tokenizer.tokenToId('<unk>'));
    }
  });

  it('gets the stored pixel values from its own decoding, crop and pad preprocessing', async () => {
    const config = parseClipProcessorConfig(JSON.parse(await readFile(join(demoDir, 'preprocessor_config.json'), 'utf8')));
    for (const c of cases) {
      const s = await readCase(c);
      const image = await decodeImageFile(join(samplesDir, c.image));
      const views = [image, ...(c.crop ? [cropImage(image, c.crop[0], c.crop[1], c.crop[2] - c.crop[0], c.crop[3] - c.crop[1])] : [])];
      const ours = new Float32Array(s.pixelValues.length);
      views.forEach((v, k) => ours.set(preprocessForClip(v, config, 'pad').pixelValues, (k * s.pixelValues.length) / views.length));
      expect(maxAbsDiff(ours, s.pixelValues), c.file).toBe(0);
    }
  });
});
