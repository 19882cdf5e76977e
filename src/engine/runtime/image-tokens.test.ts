import { describe, expect, it } from 'vitest';
import { WorkbenchError } from '../../common/contract/errors.ts';
import { scatterImageFeatures, tokenRuns, type ImageFeatures } from './image-tokens.ts';

const IMG = 9;
const ids = (xs: number[]): BigInt64Array => BigInt64Array.from(xs.map(BigInt));

/** hidden 2; each feature row j of image k is [100k + j, -(100k + j)]. */
function features(count: number, tokens: number): ImageFeatures {
  const data = new Float32Array(count * tokens * 2);
  for (let k = 0; k < count; k++)
    for (let j = 0; j < tokens; j++) {
      data[(k * tokens + j) * 2] = 100 * k + j;
      data[(k * tokens + j) * 2 + 1] = -(100 * k + j);
    }
  return { data, count, tokens, hidden: 2 };
}

describe('tokenRuns', () => {
  it('finds maximal runs in order', () => {
    expect(tokenRuns(ids([1, 9, 9, 3, 9, 4, 9, 9, 9]), IMG)).toEqual([
      { start: 1, length: 2 },
      { start: 4, length: 1 },
      { start: 6, length: 3 },
    ]);
  });
});

describe('scatterImageFeatures', () => {
  it('fills the k-th run with image k, row j to the j-th token, and leaves text rows alone', () => {
    const prompt = ids([1, 9, 9, 5, 9, 9, 6]);
    const embeds = new Float32Array(prompt.length * 2).fill(7);
    scatterImageFeatures(embeds, prompt, IMG, features(2, 2));
    expect(Array.from(embeds)).toEqual([7, 7, 0, -0, 1, -1, 7, 7, 100, -100, 101, -101, 7, 7]);
  });

  it('says how many placeholders and features there are when they differ', () => {
    const prompt = ids([1, 9, 9, 9, 5]);
    const embeds = new Float32Array(prompt.length * 2);
    expect(() => scatterImageFeatures(embeds, prompt, IMG, features(1, 2))).toThrow(
      /3 image placeholder tokens \(id 9, in 1 run\(s\)\) but there are 1 image\(s\) x 2 = 2 image features/,
    );
    expect(() => scatterImageFeatures(embeds, prompt, IMG, null)).toThrow(/3 image placeholder tokens .* but there are no image features/);
  });

  it('rejects features without placeholders', () => {
    const prompt = ids([1, 5]);
    expect(() => scatterImageFeatures(new Float32Array(4), prompt, IMG, features(1, 2))).toThrow(WorkbenchError);
  });

  it('rejects a run that splits an image', () => {
    const prompt = ids([9, 5, 9, 9, 9]);
    expect(() => scatterImageFeatures(new Float32Array(10), prompt, IMG, features(2, 2))).toThrow(/position 0 has 1 tokens/);
  });

  it('accepts a prompt without images and without features', () => {
    const embeds = new Float32Array([1, 2, 3, 4]);
    scatterImageFeatures(embeds, ids([1, 5]), IMG, null);
    expect(Array.from(embeds)).toEqual([1, 2, 3, 4]);
  });
});
