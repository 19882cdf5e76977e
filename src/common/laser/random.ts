/**
 * A small seeded random source, so that a VCD negative (and anything else random) is reproducible
 * from the seed in its run record, in any environment. xoshiro128** (Blackman and Vigna) for
 * uniform 32-bit words, seeded from one integer by splitmix32; Box-Muller for standard normals.
 * Not cryptographic, and not bit-compatible with torch.randn: a VCD negative here is the same
 * distribution as VCD's, not the same draw.
 */

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/** splitmix32: spreads one seed over the state words so that nearby seeds give unrelated streams. */
export function splitmix32(seed: number): () => number {
  let a = seed | 0;
  return () => {
    a = (a + 0x9e3779b9) | 0;
    let t = a ^ (a >>> 16);
    t = Math.imul(t, 0x21f0aaad);
    t = t ^ (t >>> 15);
    t = Math.imul(t, 0x735a2d97);
    return (t ^ (t >>> 15)) >>> 0;
  };
}

export interface Rng {
  /** Uniform integer in [0, 2^32). */
  nextUint32(): number;
  /** Uniform in [0, 1), 32 bits of resolution. */
  nextFloat(): number;
  /** Standard normal N(0, 1). */
  nextGaussian(): number;
}

/** xoshiro128** from an explicit state (four 32-bit words, not all zero). */
export function rngFromState(state: readonly [number, number, number, number]): Rng {
  const [a, b, c, d] = state;
  let s0 = a >>> 0;
  let s1 = b >>> 0;
  let s2 = c >>> 0;
  let s3 = d >>> 0;
  if ((s0 | s1 | s2 | s3) === 0) throw new RangeError('xoshiro128** state must not be all zero.');
  let spare: number | null = null;
  const nextUint32 = (): number => {
    const result = Math.imul(rotl(Math.imul(s1, 5), 7), 9) >>> 0;
    const t = s1 << 9;
    s2 ^= s0;
    s3 ^= s1;
    s1 ^= s2;
    s0 ^= s3;
    s2 ^= t;
    s3 = rotl(s3, 11);
    return result;
  };
  const nextFloat = (): number => nextUint32() / 4294967296;
  const nextGaussian = (): number => {
    if (spare !== null) {
      const z = spare;
      spare = null;
      return z;
    }
    // u1 in (0, 1] keeps the logarithm finite.
    const u1 = (nextUint32() + 1) / 4294967296;
    const u2 = nextFloat();
    const r = Math.sqrt(-2 * Math.log(u1));
    spare = r * Math.sin(2 * Math.PI * u2);
    return r * Math.cos(2 * Math.PI * u2);
  };
  return { nextUint32, nextFloat, nextGaussian };
}

/** A generator for a seed (any integer; it is taken modulo 2^32). */
export function createRng(seed: number): Rng {
  if (!Number.isInteger(seed)) throw new RangeError(`Seed must be an integer, got ${seed}.`);
  const sm = splitmix32(seed);
  const state: [number, number, number, number] = [sm(), sm(), sm(), sm()];
  if ((state[0] | state[1] | state[2] | state[3]) === 0) state[0] = 1;
  return rngFromState(state);
}
