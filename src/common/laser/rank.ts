/**
 * Deterministic top-k selection. Every "top-k" in LASER (heads of a layer, cells of the map) goes
 * through here so that ties break the same way everywhere: larger value first, then lower index.
 * NaN ranks below every number so one bad value cannot be chosen over real ones.
 */

export interface TopKOptions {
  /** Keep only strictly positive values (cells with no mass carry no evidence). */
  positiveOnly?: boolean;
}

function key(v: number): number {
  return Number.isNaN(v) ? -Infinity : v;
}

/** Indices of the k largest values, largest first; ties to the lower index. */
export function topKIndices(values: ArrayLike<number>, k: number, options: TopKOptions = {}): number[] {
  const ranked: [index: number, key: number][] = [];
  for (const [i, v] of Array.from(values).entries()) {
    if (options.positiveOnly && !(v > 0)) continue;
    ranked.push([i, key(v)]);
  }
  ranked.sort(([a, ka], [b, kb]) => kb - ka || a - b);
  return ranked.slice(0, Math.max(0, k)).map(([i]) => i);
}

/** Index of the largest value; ties to the lower index; -1 for an empty input. */
export function argmax(values: ArrayLike<number>): number {
  let best = -1;
  let bestKey = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = key(values[i]!);
    if (best === -1 || v > bestKey) {
      best = i;
      bestKey = v;
    }
  }
  return best;
}
