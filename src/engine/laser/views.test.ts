import { describe, expect, it } from 'vitest';
import { cellToImageBox } from '../../common/geometry/transform.ts';
import { rectPixelSpan } from '../../common/laser/index.ts';
import { parseClipProcessorConfig, parseQwen2VLProcessorConfig } from '../preprocess/config.ts';
import { rgbImage } from '../preprocess/image.ts';
import { cellMapping, cropView, fillFor, gridOf, maskView, modelInput, type ViewProcessor } from './views.ts';

const processor = parseClipProcessorConfig({ size: { shortest_edge: 56 }, crop_size: 56 });
const grid = { gh: 4, gw: 4 };
const fixed = (mode: 'pad' | 'crop'): ViewProcessor => ({ kind: 'fixed-grid', config: processor, mode, grid, tokensPerImage: 16 });

function gradient(width: number, height: number) {
  const img = rgbImage(width, height);
  for (let i = 0; i < width * height; i++) img.data.set([i % 251, (i * 7) % 253, (i * 13) % 255], i * 3);
  return img;
}

describe('cellMapping', () => {
  it("pad mode: cells on the letterbox reach outside the image; inside, they round to the geometry module's boxes", () => {
    const t = modelInput(gradient(100, 50), fixed('pad')).transform;
    const m = cellMapping(t);
    // a 100x50 image padded to 100x100 (25 px above and below): the top row of cells is all padding
    expect(m.cellRect(0)).toEqual([0, -25, 25, 0]);
    expect(m.cellRect(15)).toEqual([75, 50, 100, 75]);
    for (let j = 0; j < 16; j++) {
      const clipped = rectPixelSpan(m.cellRect(j), { width: 100, height: 50 });
      const exact = cellToImageBox(t, j % 4, Math.floor(j / 4));
      expect(clipped[2] - clipped[0] <= 0 || clipped[3] - clipped[1] <= 0 ? 'empty' : clipped).toEqual(
        exact[2] <= exact[0] || exact[3] <= exact[1] ? 'empty' : exact,
      );
    }
  });

  it('crop mode: the grid covers the centre square the model saw', () => {
    const t = modelInput(gradient(100, 50), fixed('crop')).transform;
    const m = cellMapping(t);
    expect(m.cellRect(0)).toEqual([25, 0, 37.5, 12.5]);
    expect(m.cellRect(15)).toEqual([62.5, 37.5, 75, 50]);
  });
});

describe('native-resolution views (Qwen2-VL processor)', () => {
  const qwen: ViewProcessor = { kind: 'native-resolution', config: parseQwen2VLProcessorConfig({ min_pixels: 56 * 56, max_pixels: 112 * 112 }) };

  it('each view gets its own merged token grid and count; cells tile the whole image (a plain resize)', () => {
    const wide = modelInput(gradient(200, 100), qwen);
    // smart_resize(100, 200) within 112^2 px: 56 x 140 -> 2 x 5 patches of 28 px
    expect(wide.patches).toEqual({ t: 1, h: 4, w: 10 });
    expect(gridOf(wide)).toEqual({ gh: 2, gw: 5 });
    expect(wide.tokens).toBe(10);
    expect(wide.pixelValues.length).toBe(40 * 1176);
    const m = cellMapping(wide.transform);
    expect(m.cellRect(0)).toEqual([0, 0, 40, 50]);
    expect(m.cellRect(9)).toEqual([160, 50, 200, 100]);
    const crop = modelInput(cropView(gradient(200, 100), [0, 0, 60, 60]), qwen);
    expect(gridOf(crop)).toEqual({ gh: 2, gw: 2 });
    expect(crop.tokens).toBe(4);
  });

  it("refuses a view smaller than one merge window with the processor's own message", () => {
    expect(() => modelInput(gradient(20, 60), qwen)).toThrow(/too small for this model: height:60 or width:20 must be larger than factor:28/);
  });
});

describe('views', () => {
  it('crops and masks on the original image; the mean fill is the encoder mean in pixels', () => {
    const img = gradient(8, 6);
    const crop = cropView(img, [2, 1, 6, 5]);
    expect([crop.width, crop.height]).toEqual([4, 4]);
    expect(Array.from(crop.data.subarray(0, 3))).toEqual(Array.from(img.data.subarray((1 * 8 + 2) * 3, (1 * 8 + 2) * 3 + 3)));
    const mapping = cellMapping(modelInput(img, fixed('crop')).transform);
    const fill = fillFor('mean', mapping, processor);
    expect(fill).toEqual({ kind: 'constant', colour: [0.48145466 * 255, 0.4578275 * 255, 0.40821073 * 255] });
    const masked = maskView(img, [[0, 0, 1, 1]], fill);
    expect(Array.from(masked.data.subarray(0, 3))).toEqual([123, 117, 104]);
    expect(Array.from(masked.data.subarray(3))).toEqual(Array.from(img.data.subarray(3)));
  });
});

describe('a view made like another (mask(I) like I, I- like I+)', () => {
  it('is the input made from scratch, bit for bit, in pad and crop mode, up- and downscaled, for masks anywhere', () => {
    // Sizes that shrink (200x150), grow (30x40) and keep one side (56x90 in crop mode: the width is not resized).
    for (const [w, h] of [
      [200, 150],
      [30, 40],
      [56, 90],
    ] as const) {
      for (const mode of ['pad', 'crop'] as const) {
        const img = gradient(w, h);
        // an input serves as `like` once: each mask below gets an I of its own, so each reuses a resize
        const makeI = () => modelInput(img, fixed(mode), null, true);
        const mapping = cellMapping(makeI().transform);
        const fill = fillFor('mean', mapping, processor);
        for (const rects of [
          [[0, 0, 5, 5]],
          [
            [w / 3, h / 4, w / 2, h / 2],
            [w - 4, h - 9, w, h],
          ],
          [[0, 0, w, h]],
          [],
        ] as [number, number, number, number][][]) {
          const masked = maskView(img, rects, fill);
          const scratch = modelInput(masked, fixed(mode));
          const reused = modelInput(masked, fixed(mode), makeI());
          expect(Buffer.from(reused.image.data).equals(Buffer.from(scratch.image.data)), `${w}x${h} ${mode} ${JSON.stringify(rects)}`).toBe(true);
          expect(Array.from(reused.pixelValues)).toEqual(Array.from(scratch.pixelValues));
          expect(reused.transform).toEqual(scratch.transform);
        }
        // An input of another size is no model for it: made from scratch.
        const other = modelInput(gradient(w + 1, h), fixed(mode), makeI());
        expect(Buffer.from(other.image.data).equals(Buffer.from(modelInput(gradient(w + 1, h), fixed(mode)).image.data))).toBe(true);
      }
    }
  });
});
