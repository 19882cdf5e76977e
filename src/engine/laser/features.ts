/** Image features of several views, combined or taken apart without running the vision tower again. */
import { tokensOfEach, type ImageFeatures } from '../runtime/image-tokens.ts';

/** Images [from, from + count) of `f` (ragged features keep each image's own token count and grid). */
export function sliceFeatures(f: ImageFeatures, from: number, count = 1): ImageFeatures {
  if (!Number.isInteger(from) || !Number.isInteger(count) || from < 0 || count < 0 || from + count > f.count) {
    throw new RangeError(`Images ${from}..${from + count - 1} are not among the ${f.count} encoded.`);
  }
  if (f.perImage === undefined) {
    const per = f.tokens * f.hidden;
    return { data: f.data.subarray(from * per, (from + count) * per), count, tokens: f.tokens, hidden: f.hidden };
  }
  const each = tokensOfEach(f);
  const start = each.slice(0, from).reduce((a, b) => a + b, 0);
  const perImage = each.slice(from, from + count);
  const rows = perImage.reduce((a, b) => a + b, 0);
  return ragged(f.data.subarray(start * f.hidden, (start + rows) * f.hidden), f.hidden, perImage, f.grids?.slice(from, from + count));
}

function ragged(data: Float32Array, hidden: number, perImage: number[], grids: ImageFeatures['grids']): ImageFeatures {
  const equal = perImage.every((n) => n === perImage[0]);
  return { data, count: perImage.length, tokens: equal ? (perImage[0] ?? 0) : 0, hidden, perImage, ...(grids ? { grids } : {}) };
}

/** The images of each argument, in order, as one set of features. */
export function concatFeatures(...parts: ImageFeatures[]): ImageFeatures {
  const [first] = parts;
  if (first === undefined) throw new RangeError('concatFeatures needs at least one part.');
  const { tokens, hidden } = first;
  if (parts.some((p) => p.hidden !== hidden)) throw new RangeError('Image features of different widths cannot be combined.');
  const isRagged = parts.some((p) => p.perImage !== undefined);
  if (!isRagged && parts.some((p) => p.tokens !== tokens)) throw new RangeError('Image features of different shapes cannot be combined.');
  if (isRagged && parts.some((p) => p.perImage === undefined)) throw new RangeError('Fixed-grid and any-resolution image features cannot be combined.');
  const data = new Float32Array(parts.reduce((n, p) => n + p.data.length, 0));
  let offset = 0;
  for (const p of parts) {
    data.set(p.data, offset);
    offset += p.data.length;
  }
  if (!isRagged) return { data, count: parts.reduce((n, p) => n + p.count, 0), tokens, hidden };
  const grids = parts.every((p) => p.grids !== undefined) ? parts.flatMap((p) => [...p.grids!]) : undefined;
  return ragged(data, hidden, parts.flatMap(tokensOfEach), grids);
}
