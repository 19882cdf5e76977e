import { describe, expect, it } from 'vitest';
import { concatFeatures, sliceFeatures } from './features.ts';
import { imagePrefixLength } from './passes.ts';
import { visualAttention } from './readout.ts';
import type { PromptIds } from '../tokenizer/prompt.ts';

describe('visualAttention', () => {
  it('takes the grid tokens of one batch row out of attn_last [B, L, H, K]', () => {
    const B = 2,
      L = 2,
      H = 3,
      K = 7;
    const attn = Float32Array.from({ length: B * L * H * K }, (_, i) => i);
    const a = visualAttention(attn, { layers: L, heads: H }, 1, K, 2, 4);
    expect([a.layers, a.heads, a.tokens]).toEqual([2, 3, 4]);
    // row 1, layer 1, head 2 starts at ((1 * 2 + 1) * 3 + 2) * 7 = 77; grid tokens are keys 2..5
    expect(Array.from(a.data.subarray((1 * 3 + 2) * 4, (1 * 3 + 2) * 4 + 4))).toEqual([79, 80, 81, 82]);
  });

  it('refuses a grid outside the keys or a row outside the batch', () => {
    const attn = new Float32Array(2 * 2 * 5);
    expect(() => visualAttention(attn, { layers: 2, heads: 2 }, 0, 5, 3, 4)).toThrow(/outside the 5 keys/);
    expect(() => visualAttention(attn, { layers: 2, heads: 2 }, 1, 5, 0, 4)).toThrow(/row 1/);
  });
});

describe('imagePrefixLength', () => {
  const prompt = (ids: number[], run: [number, number]): PromptIds => ({ inputIds: ids, imageRuns: [run], text: '', templateSource: 'chat_template.json' });
  const I = 9;

  it('splits at the end of the image when every prompt shares the ids up to it', () => {
    expect(imagePrefixLength([prompt([1, 5, I, I, 6, 7, 8], [2, 4]), prompt([1, 5, I, I, 6, 8], [2, 4])])).toBe(4);
  });

  it('does not split when the prompts differ before the image ends, or a prompt ends with it', () => {
    expect(imagePrefixLength([prompt([1, 5, I, I, 6], [2, 4]), prompt([1, 4, I, I, 6], [2, 4])])).toBe(0);
    expect(imagePrefixLength([prompt([1, 5, I, I, 6], [2, 4]), prompt([1, 5, I, I], [2, 4])])).toBe(0);
  });
});

describe('image features', () => {
  it('slices and concatenates whole images', () => {
    const f = { data: Float32Array.from({ length: 3 * 2 * 2 }, (_, i) => i), count: 3, tokens: 2, hidden: 2 };
    const one = sliceFeatures(f, 2);
    expect(Array.from(one.data)).toEqual([8, 9, 10, 11]);
    const back = concatFeatures(sliceFeatures(f, 0, 2), one);
    expect(back.count).toBe(3);
    expect(Array.from(back.data)).toEqual(Array.from(f.data));
    expect(() => sliceFeatures(f, 2, 2)).toThrow(/not among the 3/);
  });
});
