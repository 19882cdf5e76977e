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

/**
 * Above this k the selection sorts; at or below it, it keeps a sorted buffer of the best k so far,
 * O(n k) instead of O(n log n) and no boxed copy of the values: decoding ranks the whole
 * vocabulary for its top 5 candidates at every step (32,000 logits at LLaVA-1.5).
 */
const SELECT_MAX_K = 64;

/** Indices of the k largest values, largest first; ties to the lower index. */
export function topKIndices(values: ArrayLike<number>, k: number, options: TopKOptions = {}): number[] {
  // As Array.prototype.slice(0, k) reads k: truncated, NaN as 0.
  const limit = Math.max(0, Math.trunc(k) || 0);
  if (limit === 0) return [];
  if (limit > SELECT_MAX_K) return sortedTopK(values, limit, options);
  // The buffer is ordered by key descending, then index ascending (indices arrive ascending, so an
  // equal key goes after those already there), which is the order of the sort below.
  const ids: number[] = [];
  const keys: number[] = [];
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!; // i < values.length
    if (options.positiveOnly && !(v > 0)) continue;
    const kv = key(v);
    if (ids.length === limit) {
      if (!(kv > keys[limit - 1]!)) continue; // the buffer is full, so limit - 1 is in it
      ids.pop();
      keys.pop();
    }
    let j = ids.length;
    while (j > 0 && kv > keys[j - 1]!) j--; // 0 < j <= keys.length
    ids.splice(j, 0, i);
    keys.splice(j, 0, kv);
  }
  return ids;
}

function sortedTopK(values: ArrayLike<number>, limit: number, options: TopKOptions): number[] {
  const ranked: [index: number, key: number][] = [];
  for (const [i, v] of Array.from(values).entries()) {
    if (options.positiveOnly && !(v > 0)) continue;
    ranked.push([i, key(v)]);
  }
  ranked.sort(([a, ka], [b, kb]) => kb - ka || a - b);
  return ranked.slice(0, limit).map(([i]) => i);
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
