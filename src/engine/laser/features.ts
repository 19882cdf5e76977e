/** Image features of several views, combined or taken apart without running the vision tower again. */
import type { ImageFeatures } from '../runtime/image-tokens.ts';

/** Images [from, from + count) of `f`. */
export function sliceFeatures(f: ImageFeatures, from: number, count = 1): ImageFeatures {
  if (!Number.isInteger(from) || !Number.isInteger(count) || from < 0 || count < 0 || from + count > f.count) {
    throw new RangeError(`Images ${from}..${from + count - 1} are not among the ${f.count} encoded.`);
  }
  const per = f.tokens * f.hidden;
  return { data: f.data.subarray(from * per, (from + count) * per), count, tokens: f.tokens, hidden: f.hidden };
}

/** The images of each argument, in order, as one set of features. */
export function concatFeatures(...parts: ImageFeatures[]): ImageFeatures {
  if (parts.length === 0) throw new RangeError('concatFeatures needs at least one part.');
  const { tokens, hidden } = parts[0];
  if (parts.some((p) => p.tokens !== tokens || p.hidden !== hidden)) throw new RangeError('Image features of different shapes cannot be combined.');
  const data = new Float32Array(parts.reduce((n, p) => n + p.data.length, 0));
  let offset = 0;
  for (const p of parts) {
    data.set(p.data, offset);
    offset += p.data.length;
  }
  return { data, count: parts.reduce((n, p) => n + p.count, 0), tokens, hidden };
}
