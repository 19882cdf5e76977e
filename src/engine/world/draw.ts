/** Seeded draws on top of the shared xoshiro128** generator (src/common/laser/random.ts). */
import { createRng, splitmix32, type Rng } from '../../common/laser/random.ts';

export type { Rng } from '../../common/laser/random.ts';

/**
 * The generator of scene `index` under `seed`. Each scene has its own stream, so scene k is the
 * same whatever the count, and `generate --count 10` is a prefix of `--count 1000`. Questions draw
 * from a second stream, so asking more or fewer questions never changes a scene's pixels.
 */
export function sceneRng(seed: number, index: number, stream: 'scene' | 'questions' = 'scene'): Rng {
  const base = splitmix32(stream === 'scene' ? seed : seed ^ 0x5bd1e995)();
  return createRng((base + index) | 0);
}

export function uniform(rng: Rng, lo: number, hi: number): number {
  return lo + (hi - lo) * rng.nextFloat();
}

/** Integer in [lo, hi], both ends included. */
export function intBetween(rng: Rng, lo: number, hi: number): number {
  return lo + Math.floor(rng.nextFloat() * (hi - lo + 1));
}

/** One of `items` (which never holds undefined, so a miss is an empty list). */
export function pick<T extends NonNullable<unknown> | null>(rng: Rng, items: readonly T[]): T {
  const item = items[Math.floor(rng.nextFloat() * items.length)];
  if (item === undefined) throw new Error('pick from an empty list');
  return item;
}

export function pickWeighted<K extends string>(rng: Rng, weights: Record<K, number>): K {
  const keys = Object.keys(weights) as K[];
  const total = keys.reduce((s, k) => s + weights[k], 0);
  let r = rng.nextFloat() * total;
  for (const k of keys) {
    r -= weights[k];
    if (r < 0) return k;
  }
  const last = keys.at(-1);
  if (last === undefined) throw new Error('pickWeighted from no weights');
  return last;
}

/** Fisher-Yates on a copy. */
export function shuffled<T extends NonNullable<unknown> | null>(rng: Rng, items: readonly T[]): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rng.nextFloat() * (i + 1));
    const a = out[i];
    const b = out[j];
    if (a === undefined || b === undefined) throw new Error(`shuffled: index ${i} or ${j} is outside the ${out.length} items`);
    [out[i], out[j]] = [b, a];
  }
  return out;
}
