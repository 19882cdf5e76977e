import { describe, expect, it } from 'vitest';
import { decodeImageFile } from './decode.ts';
import { bicubicAxisWeights, resizeBicubicPil, resizeBicubicPilTraced } from './pil-resize.ts';
import { fixtureNames, imagePath, readGolden, sha256Of } from '../../../test/support/preprocess-golden.ts';
import { padImage, rgbImage } from './image.ts';
import { at, field } from '../../../test/support/index-access.ts';

const clip = readGolden('clip_processor');
const qwen = readGolden('qwen2vl_processor');

describe('resizeBicubicPil', () => {
  for (const name of fixtureNames) {
    it(`matches Pillow bit for bit on ${name} (CLIP shortest-edge resize)`, async () => {
      const img = await decodeImageFile(imagePath('clip_processor', name));
      const rec = field(clip.tensors, `${name}.resized_u8`);
      const [h, w] = [at(rec.shape, 0), at(rec.shape, 1)];
      const out = resizeBicubicPil(img, w, h);
      expect(sha256Of(out.data)).toBe(rec.sha256);
    });
    it(`matches Pillow bit for bit on ${name} (LLaVA pad, then 336x336)`, async () => {
      const img = await decodeImageFile(imagePath('clip_processor', name));
      const s = Math.max(img.width, img.height);
      const sq = padImage(img, s, s, (s - img.width) >> 1, (s - img.height) >> 1, [122, 116, 104]);
      const out = resizeBicubicPil(sq, 336, 336);
      expect(sha256Of(out.data)).toBe(field(clip.tensors, `${name}.pad.resized_u8`).sha256);
    });
    it(`matches Pillow bit for bit on ${name} (Qwen2-VL smart_resize size)`, async () => {
      const img = await decodeImageFile(imagePath('qwen2vl_processor', name));
      const rec = field(qwen.tensors, `${name}.resized_u8`);
      const [h, w] = [at(rec.shape, 0), at(rec.shape, 1)];
      expect(sha256Of(resizeBicubicPil(img, w, h).data)).toBe(rec.sha256);
    });
  }

  it('keeps a constant image constant whatever the scale (weights sum to 2^22 within rounding)', () => {
    const sizes: [number, number][] = [
      [500, 336],
      [37, 336],
      [4000, 336],
      [3, 1],
      [1, 7],
    ];
    for (const [inS, outS] of sizes) {
      const ax = bicubicAxisWeights(inS, outS);
      for (let i = 0; i < outS; i++) {
        let s = 0;
        for (let j = 0; j < at(ax.count, i); j++) s += at(ax.weights, i * ax.taps + j);

        // each of at most `taps` weights is rounded by at most 1/2 unit
        expect(Math.abs(s - 2 ** 22)).toBeLessThanOrEqual(ax.taps / 2);
      }
    }
  });
});

describe('resizeBicubicPilTraced', () => {
  it("gives resizeBicubicPil's bytes, from scratch and reusing the trace of an image that differs in a few rectangles", () => {
    let seed = 3;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const int = (n: number) => Math.floor(next() * n);
    for (let t = 0; t < 120; t++) {
      const [w, h, W, H] = [1 + int(160), 1 + int(160), 1 + int(90), 1 + int(90)];
      const a = rgbImage(w, h);
      for (let i = 0; i < a.data.length; i++) a.data[i] = int(256);
      const b = rgbImage(w, h, a.data.slice());
      for (let k = int(4); k > 0; k--) {
        const [x0, y0] = [int(w), int(h)];
        for (let y = y0; y < Math.min(h, y0 + int(30)); y++) for (let x = x0; x < Math.min(w, x0 + int(30)); x++) b.data.set([int(256), 7, 0], (y * w + x) * 3);
      }
      const first = resizeBicubicPilTraced(a, W, H);
      expect(Buffer.from(first.image.data).equals(Buffer.from(resizeBicubicPil(a, W, H).data))).toBe(true);
      const again = resizeBicubicPilTraced(b, W, H, first.trace);
      expect(Buffer.from(again.image.data).equals(Buffer.from(resizeBicubicPil(b, W, H).data)), `${w}x${h} -> ${W}x${H}`).toBe(true);
      // and the trace it returns serves the next one
      if (again.trace !== null) expect(Buffer.from(resizeBicubicPilTraced(a, W, H, again.trace).image.data).equals(Buffer.from(first.image.data))).toBe(true);
    }
  });

  it('does not reuse the trace of another source size or another output size: the plain resize', () => {
    const img = (w: number, h: number, k: number) =>
      rgbImage(
        w,
        h,
        Uint8Array.from({ length: w * h * 3 }, (_, i) => (i * k) % 251),
      );
    const a = img(60, 40, 7);
    const trace = resizeBicubicPilTraced(a, 30, 20).trace;
    expect(trace).not.toBeNull();
    for (const [b, W, H] of [
      [img(61, 40, 7), 30, 20], // a wider source
      [img(60, 41, 7), 30, 20], // a taller one
      [img(60, 40, 11), 31, 20], // same source size, other output width
      [img(60, 40, 11), 30, 19], // other output height
    ] as const) {
      const got = resizeBicubicPilTraced(b, W, H, trace);
      expect(Buffer.from(got.image.data).equals(Buffer.from(resizeBicubicPil(b, W, H).data)), `${b.width}x${b.height} -> ${W}x${H}`).toBe(true);
    }
  });
});
