import { describe, expect, it } from 'vitest';
import { fromChwFloat32, normalizeTable, toChwFloat32 } from './normalize.ts';

const CLIP = {
  doRescale: true,
  rescaleFactor: 1 / 255,
  doNormalize: true,
  imageMean: [0.48145466, 0.4578275, 0.40821073] as [number, number, number],
  imageStd: [0.26862954, 0.26130258, 0.27577711] as [number, number, number],
};

describe('fromChwFloat32', () => {
  it('gives back every byte that toChwFloat32 normalised, on every channel', () => {
    const w = 256;
    const data = new Uint8Array(3 * w);
    for (let i = 0; i < w; i++) data.set([i, 255 - i, (i * 7) % 256], i * 3);
    const back = fromChwFloat32(toChwFloat32(data, w, 1, normalizeTable(CLIP)), w, 1, CLIP);
    expect(Array.from(back)).toEqual(Array.from(data));
  });

  it('clips values outside the byte range (noised pixels) instead of wrapping them', () => {
    const px = new Float32Array([-10, 10, -10, 10, -10, 10]);
    expect(Array.from(fromChwFloat32(px, 2, 1, CLIP))).toEqual([0, 0, 0, 255, 255, 255]);
  });

  it('refuses too few values for the size', () => {
    expect(() => fromChwFloat32(new Float32Array(5), 2, 1, CLIP)).toThrow(/cannot hold/);
  });
});
