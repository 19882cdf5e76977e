import { describe, expect, it } from 'vitest';
import { cellToImageBox } from '../../common/geometry/transform.ts';
import { rectPixelSpan } from '../../common/laser/index.ts';
import { parseClipProcessorConfig } from '../preprocess/config.ts';
import { rgbImage } from '../preprocess/image.ts';
import { cellMapping, cropView, fillFor, maskView, modelInput } from './views.ts';

const processor = parseClipProcessorConfig({ size: { shortest_edge: 56 }, crop_size: 56 });
const grid = { gh: 4, gw: 4 };

function gradient(width: number, height: number) {
  const img = rgbImage(width, height);
  for (let i = 0; i < width * height; i++) img.data.set([i % 251, (i * 7) % 253, (i * 13) % 255], i * 3);
  return img;
}

describe('cellMapping', () => {
  it('pad mode: cells on the letterbox reach outside the image; inside, they round to the geometry module\'s boxes', () => {
    const t = modelInput(gradient(100, 50), processor, 'pad', grid).transform;
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
    const t = modelInput(gradient(100, 50), processor, 'crop', grid).transform;
    const m = cellMapping(t);
    expect(m.cellRect(0)).toEqual([25, 0, 37.5, 12.5]);
    expect(m.cellRect(15)).toEqual([62.5, 37.5, 75, 50]);
  });
});

describe('views', () => {
  it('crops and masks on the original image; the mean fill is the encoder mean in pixels', () => {
    const img = gradient(8, 6);
    const crop = cropView(img, [2, 1, 6, 5]);
    expect([crop.width, crop.height]).toEqual([4, 4]);
    expect(Array.from(crop.data.subarray(0, 3))).toEqual(Array.from(img.data.subarray((1 * 8 + 2) * 3, (1 * 8 + 2) * 3 + 3)));
    const mapping = cellMapping(modelInput(img, processor, 'crop', grid).transform);
    const fill = fillFor('mean', mapping, processor);
    expect(fill).toEqual({ kind: 'constant', colour: [0.48145466 * 255, 0.4578275 * 255, 0.40821073 * 255] });
    const masked = maskView(img, [[0, 0, 1, 1]], fill);
    expect(Array.from(masked.data.subarray(0, 3))).toEqual([123, 117, 104]);
    expect(Array.from(masked.data.subarray(3))).toEqual(Array.from(img.data.subarray(3)));
  });
});
