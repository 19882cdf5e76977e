/**
 * The fuzz corpus as code: seeded generators of bad inputs (nothing stored as files). Each writes
 * one case into a folder and says how to feed it to `laser`. `npm test` runs a bounded sample;
 * `npm run fuzz` runs many more seeds (FUZZ_RUNS).
 */
import { cp, mkdir, readFile, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export const RUNS = Number(process.env.FUZZ_RUNS ?? '') || 0;

/** A small seeded generator (mulberry32), so a failing case can be replayed from its seed. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function bytes(r: () => number, n: number): Buffer {
  return Buffer.from(Array.from({ length: n }, () => Math.floor(r() * 256)));
}

export const TINY_CHECKPOINT = join(import.meta.dirname, '../fixtures/hf-golden/llava15_tiny/checkpoint');
export const GOOD_IMAGE = join(import.meta.dirname, '../fixtures/hf-golden/clip_processor/images/a_500x375.png');

export interface Case {
  name: string;
  /** The `laser` arguments that feed the case. */
  args: string[];
}

/** An image file that is not one: random bytes, a PNG signature over garbage, or a PNG cut short. */
export async function corruptImage(dir: string, seed: number, bundle: string): Promise<Case> {
  const r = rng(seed);
  const kind = seed % 3;
  const good = await readFile(GOOD_IMAGE);
  const data =
    kind === 0
      ? bytes(r, 1 + Math.floor(r() * 4096))
      : kind === 1
        ? Buffer.concat([good.subarray(0, 8), bytes(r, 64 + Math.floor(r() * 2048))])
        : good.subarray(0, 33 + Math.floor(r() * (good.length - 200)));
  const file = join(dir, `corrupt-${seed}.png`);
  await mkdir(dir, { recursive: true });
  await writeFile(file, data);
  return {
    name: `corrupt image (${['random bytes', 'PNG signature over garbage', 'truncated PNG'][kind]}, seed ${seed})`,
    args: ['ask', bundle, file, 'What is the colour of the cat?'],
  };
}

/** The tiny checkpoint with its safetensors file cut at a random point (header or data). */
export async function truncatedSafetensors(dir: string, seed: number): Promise<Case> {
  const r = rng(seed);
  const ckpt = join(dir, `trunc-${seed}`);
  await cp(TINY_CHECKPOINT, ckpt, { recursive: true });
  const file = join(ckpt, 'model.safetensors');
  const size = (await readFile(file)).length;
  const keep = seed % 2 === 0 ? Math.floor(r() * 4096) : Math.floor(r() * (size - 1));
  await truncate(file, keep);
  return { name: `truncated safetensors (${keep} of ${size} bytes, seed ${seed})`, args: ['compile', ckpt, join(dir, `trunc-${seed}-bundle`)] };
}

/** The tiny checkpoint whose config names an architecture the registry does not have. */
export async function unknownArchitecture(dir: string, seed: number): Promise<Case> {
  const r = rng(seed);
  const ckpt = join(dir, `arch-${seed}`);
  await cp(TINY_CHECKPOINT, ckpt, { recursive: true });
  const config = JSON.parse(await readFile(join(ckpt, 'config.json'), 'utf8')) as Record<string, unknown>;
  const names = ['whisper', 'bert', 'llava_next', 'idefics2', 'paligemma', ''];
  config.model_type = seed < names.length ? names[seed] : bytes(r, 8).toString('hex');
  await writeFile(join(ckpt, 'config.json'), JSON.stringify(config));
  return { name: `unknown architecture (model_type ${JSON.stringify(config.model_type)})`, args: ['compile', ckpt, join(dir, `arch-${seed}-bundle`)] };
}

/** A folder that does not exist, given to each command that reads one. */
export async function missingFolder(dir: string, seed: number, bundle: string): Promise<Case> {
  const missing = join(dir, `missing-${seed}`, 'nowhere');
  const uses: string[][] = [
    ['compile', missing, join(dir, `m-${seed}`)],
    ['scan', missing],
    ['ask', missing, GOOD_IMAGE, 'What?'],
    ['figure', missing],
    ['eval', '--data', missing, '--format', 'pope', '--bundle', bundle],
    ['world', 'evaluate', '--data', missing, '--methods', 'vanilla', '--bundle', bundle, '--out', join(dir, `w-${seed}.json`)],
  ];
  const args = uses[seed % uses.length];
  await mkdir(dir, { recursive: true });
  return { name: `missing folder (laser ${args[0]}${args[0] === 'world' ? ' evaluate' : ''})`, args };
}

/** A question given without its image (and an image given with an empty question). */
export async function questionWithoutImage(_dir: string, seed: number, bundle: string): Promise<Case> {
  const uses: string[][] = [
    ['ask', bundle, 'What is the colour of the cat?'],
    ['run', 'What is the colour of the cat?', '--bundle', bundle, '--out', join(_dir, `q-${seed}`)],
    ['ask', bundle, GOOD_IMAGE, '   '],
  ];
  const args = uses[seed % uses.length];
  return { name: `question without an image (laser ${args[0]}, form ${seed % uses.length})`, args };
}
