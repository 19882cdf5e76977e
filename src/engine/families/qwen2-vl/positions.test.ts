import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SafetensorsFile } from '../../checkpoint/safetensors.ts';
import { imageTokenCount, patchLayout, ropeIndex } from './positions.ts';

const fixture = join(import.meta.dirname, '../../../../test/fixtures/hf-golden/qwen2vl_tiny');
let golden: SafetensorsFile;
beforeAll(async () => {
  golden = await SafetensorsFile.open(join(fixture, 'golden.safetensors'));
});
afterAll(() => golden?.close());

describe('ropeIndex (get_rope_index)', () => {
  it('reproduces qwen2vl_tiny position_ids and rope_deltas exactly', async () => {
    const ids = Array.from(await golden.readInt64('input_ids'), Number);
    const want = Array.from(await golden.readInt64('position_ids'), Number);
    const L = ids.length;
    const got = ropeIndex(ids, 292, [{ t: 1, h: 4, w: 4 }], 2);
    expect(got.axes.flat()).toEqual(want);
    expect(got.next - L).toBe(Number((await golden.readInt64('rope_deltas'))[0]));
  });

  it('positions the decoded tokens at cache index + rope delta (generated_position_ids)', async () => {
    const ids = Array.from(await golden.readInt64('input_ids'), Number);
    const all = Array.from(await golden.readInt64('generated_position_ids'), Number); // [3, 1, L+5]
    const { next } = ropeIndex(ids, 292, [{ t: 1, h: 4, w: 4 }], 2);
    const delta = next - ids.length;
    for (let k = 0; k < 5; k++) for (let a = 0; a < 3; a++) expect(all[a * (ids.length + 5) + ids.length + k]).toBe(ids.length + k + delta);
  });

  it('handles two images of different sizes with text between and after, and continues from a start', () => {
    const P = 9;
    // text, [2x3 merged] image, text, [1x2 merged] image, text
    const prompt = [1, 5, ...Array<number>(6).fill(P), 7, 6, ...Array<number>(2).fill(P), 8];
    const r = ropeIndex(
      prompt,
      P,
      [
        { t: 1, h: 4, w: 6 },
        { t: 1, h: 2, w: 4 },
      ],
      2,
    );
    expect(r.axes[0]).toEqual([0, 1, 2, 2, 2, 2, 2, 2, 5, 6, 7, 7, 9]);
    expect(r.axes[1]).toEqual([0, 1, 2, 2, 2, 3, 3, 3, 5, 6, 7, 7, 9]);
    expect(r.axes[2]).toEqual([0, 1, 2, 3, 4, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(r.next).toBe(10);
    const shifted = ropeIndex(
      prompt,
      P,
      [
        { t: 1, h: 4, w: 6 },
        { t: 1, h: 2, w: 4 },
      ],
      2,
      100,
    );
    expect(shifted.axes[2]).toEqual(r.axes[2].map((x) => x + 100));
  });

  it('refuses runs that do not match the grids', () => {
    expect(() => ropeIndex([1, 9, 9, 2], 9, [{ t: 1, h: 4, w: 4 }], 2)).toThrow(/shorter than its grid's 4 tokens/);
    expect(() => ropeIndex([1, 9, 2], 9, [], 2)).toThrow(/has no image grid/);
    expect(() => ropeIndex([1, 2], 9, [{ t: 1, h: 2, w: 2 }], 2)).toThrow(/1 image grids given for 0/);
  });
});

describe('patchLayout', () => {
  it('lists patches in 2x2 merge-window order with their (row, column) and frame', () => {
    const { hw, frame } = patchLayout(
      [
        { t: 1, h: 2, w: 4 },
        { t: 1, h: 2, w: 2 },
      ],
      2,
    );
    expect(hw).toEqual([0, 0, 0, 1, 1, 0, 1, 1, 0, 2, 0, 3, 1, 2, 1, 3, 0, 0, 0, 1, 1, 0, 1, 1]);
    expect(frame).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1]);
    expect(imageTokenCount({ t: 1, h: 26, w: 36 }, 2)).toBe(234);
  });
});
