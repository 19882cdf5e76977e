/**
 * Puts image features into a prompt's embedding rows, as LLaVA's `masked_scatter` does: the prompt
 * already holds one image-token id per image feature (the expanded form), image k fills the k-th
 * run of image tokens, and row j of its features goes to the j-th token of that run.
 */
import { WorkbenchError } from '../../common/contract/errors.ts';

/**
 * Projected image features: `count` images of `tokens` rows of `hidden` floats, row-major. Images of
 * any-resolution models (Qwen2-VL) each have their own size: then `perImage` lists each image's
 * token count (`tokens` is their sum / count only when equal) and `grids` each one's patch grid.
 */
export interface ImageFeatures {
  data: Float32Array;
  count: number;
  tokens: number;
  hidden: number;
  perImage?: readonly number[];
  grids?: readonly { t: number; h: number; w: number }[];
}

/** Token count of each image of `f`. */
export function tokensOfEach(f: ImageFeatures): number[] {
  return f.perImage ? [...f.perImage] : Array<number>(f.count).fill(f.tokens);
}

export interface TokenRun {
  start: number;
  length: number;
}

/** Maximal runs of `tokenId` in `ids`, in order. */
export function tokenRuns(ids: ArrayLike<bigint>, tokenId: number): TokenRun[] {
  const target = BigInt(tokenId);
  const runs: TokenRun[] = [];
  for (let i = 0; i < ids.length; i++) {
    if (ids[i] !== target) continue;
    const start = i;
    while (i + 1 < ids.length && ids[i + 1] === target) i++;
    runs.push({ start, length: i - start + 1 });
  }
  return runs;
}

/**
 * Overwrites the image-token rows of `embeds` ([S, hidden], one prompt) with `features`. Throws a
 * WorkbenchError when the placeholders and the features do not match one to one.
 */
export function scatterImageFeatures(embeds: Float32Array, ids: ArrayLike<bigint>, imageTokenId: number, features: ImageFeatures | null): void {
  const runs = tokenRuns(ids, imageTokenId);
  const placeholders = runs.reduce((n, r) => n + r.length, 0);
  const count = features?.count ?? 0;
  const each = features ? tokensOfEach(features) : [];
  const total = each.reduce((a, b) => a + b, 0);
  if (placeholders !== total) {
    const have =
      features === null
        ? 'no image features'
        : features.perImage
          ? `${count} image(s) of ${each.join(', ')} = ${total} image features`
          : `${count} image(s) x ${features.tokens} = ${total} image features`;
    throw new WorkbenchError(
      'bad-request',
      `The prompt has ${placeholders} image placeholder tokens (id ${imageTokenId}, in ${runs.length} run(s)) but there are ${have}.`,
      "Expand each image into exactly one image token per feature (the model's image_seq_length per image), and pass one image per run.",
    );
  }
  if (features === null || placeholders === 0) return;
  const hidden = features.hidden;
  if (embeds.length !== ids.length * hidden) {
    throw new Error(`scatterImageFeatures: embeds hold ${embeds.length} floats, expected ${ids.length} x ${hidden}`);
  }
  if (features.data.length !== total * hidden) {
    throw new Error(`scatterImageFeatures: features hold ${features.data.length} floats, expected ${total} x ${hidden}`);
  }
  let row = 0;
  for (const run of runs) {
    if (features.perImage) {
      // Any-resolution images sit in runs of their own (vision_start / vision_end around each).
      const image = each.findIndex((_, k) => each.slice(0, k).reduce((a, b) => a + b, 0) === row);
      if (image < 0 || each[image] !== run.length) {
        throw new WorkbenchError(
          'bad-request',
          `An image placeholder run at position ${run.start} has ${run.length} tokens, but the image it belongs to has ${image < 0 ? 'none' : each[image]}.`,
          'Expand each image into exactly its own number of image tokens.',
        );
      }
    } else if (run.length % features.tokens !== 0) {
      throw new WorkbenchError(
        'bad-request',
        `An image placeholder run at position ${run.start} has ${run.length} tokens, which is not a whole number of images of ${features.tokens} tokens.`,
        'Each image must be expanded into exactly its image_seq_length placeholder tokens.',
      );
    }
    embeds.set(features.data.subarray(row * hidden, (row + run.length) * hidden), run.start * hidden);
    row += run.length;
  }
}
