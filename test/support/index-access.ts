// Checked index reads for tests under `noUncheckedIndexedAccess` (tsconfig.strict-tests.json).
// An out-of-range read is a failed expectation, not an `undefined` that slips into the next
// assertion: `at` throws a one-line error naming the index and the length, and `entry` the key.
// Environment-free (no Node imports), so src/common's tests may use it too.

/** `xs[i]`, or a thrown "index i out of range (length n)" when there is no element there. */
export function at<T>(xs: ArrayLike<T>, i: number): T {
  const x = xs[i];
  if (x === undefined) {
    throw new Error(`index ${i} out of range (length ${xs.length})`);
  }
  return x;
}

/** `at(xs, 0)`: the first element, thrown for when `xs` is empty. */
export function first<T>(xs: ArrayLike<T>): T {
  return at(xs, 0);
}

/** `at(xs, xs.length - 1)`: the last element, thrown for when `xs` is empty. */
export function last<T>(xs: ArrayLike<T>): T {
  return at(xs, xs.length - 1);
}

/** `map.get(key)`, or a thrown "no entry for key k" when the map has none. */
export function entry<K, V>(map: ReadonlyMap<K, V>, key: K): V {
  const v = map.get(key);
  if (v === undefined) {
    throw new Error(`no entry for key ${String(key)}`);
  }
  return v;
}

/** `record[key]`, or a thrown "no field k" when the record has none. */
export function field<V>(record: Readonly<Record<string, V>>, key: string): V {
  const v = record[key];
  if (v === undefined) {
    throw new Error(`no field ${key}`);
  }
  return v;
}

/** `x` when it is there, or a thrown "missing: what" (for a `find`, an `exec` or an optional field). */
export function present<T>(x: T | null | undefined, what: string): T {
  if (x === undefined || x === null) {
    throw new Error(`missing: ${what}`);
  }
  return x;
}
