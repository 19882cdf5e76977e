/**
 * The statistics of `laser report` (pure): a percentile bootstrap interval for a mean, the same for
 * the mean paired difference of two methods on the same samples, and McNemar's exact test for two
 * methods' right/wrong on the same samples.
 *
 * The bootstrap draws indices with the seeded xoshiro128** of common/laser/random.ts, so a report
 * is reproducible: the same values and seed give the same interval. The interval is the
 * percentile one: the (1 - level)/2 and (1 + level)/2 quantiles of the resampled means, each by
 * linear interpolation between order statistics (numpy's default "linear" method).
 */
import { createRng } from '../../common/laser/random.ts';

export interface BootstrapOptions {
  /** Resamples (default 2000). */
  resamples?: number;
  /** Seed of the index draws (default 0). */
  seed?: number;
  /** Coverage (default 0.95). */
  level?: number;
}

export interface Interval {
  estimate: number;
  low: number;
  high: number;
  n: number;
}

const mean = (xs: readonly number[]): number => {
  let s = 0;
  for (const x of xs) s += x;
  return s / xs.length;
};

/** The q-quantile of sorted values, linear between order statistics. */
export function quantile(sorted: ArrayLike<number>, q: number): number {
  if (sorted.length === 0) throw new RangeError('quantile of no values');
  const h = (sorted.length - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.min(sorted.length - 1, lo + 1);
  const a = sorted[lo];
  const b = sorted[hi];
  if (a === undefined || b === undefined) throw new RangeError(`quantile ${q} is not between 0 and 1`);
  return a + (h - lo) * (b - a);
}

/** Means of `resamples` resamples (with replacement) of the values, sorted. */
export function bootstrapMeans(values: readonly number[], o: BootstrapOptions = {}): Float64Array {
  const v = Float64Array.from(values);
  const n = v.length;
  const resamples = o.resamples ?? 2000;
  const rng = createRng(o.seed ?? 0);
  const out = new Float64Array(resamples);
  for (let r = 0; r < resamples; r++) {
    let s = 0;
    for (let k = 0; k < n; k++) s += v[rng.nextUint32() % n]!; // an index modulo v's own length
    out[r] = s / n;
  }
  return out.sort();
}

/** The mean with its percentile bootstrap interval; null for no values. */
export function bootstrapMeanCI(values: readonly number[], o: BootstrapOptions = {}): Interval | null {
  if (values.length === 0) return null;
  const level = o.level ?? 0.95;
  const means = bootstrapMeans(values, o);
  return { estimate: mean(values), low: quantile(means, (1 - level) / 2), high: quantile(means, (1 + level) / 2), n: values.length };
}

/** Mean of b - a over paired samples, with the bootstrap interval of the pairs (resampled together). */
export function pairedDifferenceCI(a: readonly number[], b: readonly number[], o: BootstrapOptions = {}): Interval | null {
  const unpaired = () => new RangeError(`paired values: ${a.length} and ${b.length}`);
  if (a.length !== b.length) throw unpaired();
  const differences = b.map((x, k) => {
    const y = a[k];
    if (y === undefined) throw unpaired();
    return x - y;
  });
  return bootstrapMeanCI(differences, o);
}

export interface McNemar {
  /** a right, b wrong. */
  onlyA: number;
  /** a wrong, b right. */
  onlyB: number;
  /** Two-sided exact p: 2 x P(X <= min) for X ~ Binomial(onlyA + onlyB, 1/2), at most 1. */
  p: number;
}

/** log of n choose k. */
function logChoose(n: number, k: number): number {
  let s = 0;
  for (let j = 1; j <= k; j++) s += Math.log(n - k + j) - Math.log(j);
  return s;
}

/** McNemar's exact (binomial) test on the discordant pairs. */
export function mcnemarExact(onlyA: number, onlyB: number): McNemar {
  const n = onlyA + onlyB;
  if (n === 0) return { onlyA, onlyB, p: 1 };
  const m = Math.min(onlyA, onlyB);
  let tail = 0;
  for (let k = 0; k <= m; k++) tail += Math.exp(logChoose(n, k) - n * Math.LN2);
  return { onlyA, onlyB, p: Math.min(1, 2 * tail) };
}

/** McNemar on two methods' 0/1 scores of the same samples. */
export function mcnemarOfScores(a: readonly number[], b: readonly number[]): McNemar {
  let onlyA = 0;
  let onlyB = 0;
  a.forEach((x, k) => {
    if (x === 1 && b[k] === 0) onlyA++;
    if (x === 0 && b[k] === 1) onlyB++;
  });
  return mcnemarExact(onlyA, onlyB);
}
