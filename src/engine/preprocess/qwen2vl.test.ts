import { describe, expect, it } from 'vitest';
import { WorkbenchError } from '../../common/contract/errors.ts';
import { cellToImageBox, withGrid } from '../../common/geometry/transform.ts';
import { parseQwen2VLProcessorConfig } from './config.ts';
import { decodeImageFile } from './decode.ts';
import { rgbImage } from './image.ts';
import { normalizeTable, toChwFloat32 } from './normalize.ts';
import { patchesToChw, preprocessForQwen2VL, roundHalfEven, smartResize } from './qwen2vl.ts';
import { fixtureNames, imagePath, readGolden, readPreprocessorConfig, sha256Of } from '../../../test/support/preprocess-golden.ts';
import { field } from '../../../test/support/index-access.ts';

const golden = readGolden('qwen2vl_processor');
const config = parseQwen2VLProcessorConfig(readPreprocessorConfig('qwen2vl_processor'));

interface ImageRecord {
  image_grid_thw: [number, number, number];
  num_image_tokens: number;
  pixel_values: { first8: number[] };
}
interface SmartResizeCase {
  hw: [number, number];
  min_pixels: number;
  max_pixels: number;
  resized_hw: [number, number] | string;
}

describe('smartResize', () => {
  it('rounds half to even like Python round()', () => {
    expect([0.5, 1.5, 2.5, 3.5, -0.5, 2.4999, 2.5001].map(roundHalfEven)).toEqual([0, 2, 2, 4, 0, 2, 3]);
  });

  for (const c of golden.smart_resize_cases as SmartResizeCase[]) {
    it(`${c.hw.join('x')} under max_pixels ${c.max_pixels} gives ${String(c.resized_hw)}`, () => {
      const run = () => smartResize(c.hw[0], c.hw[1], 28, c.min_pixels, c.max_pixels);
      if (typeof c.resized_hw === 'string') {
        let err: unknown;
        try {
          run();
        } catch (e) {
          err = e;
        }
        expect(err).toBeInstanceOf(WorkbenchError);
        expect((err as WorkbenchError).code).toBe('unsupported-image');
        // the message carries Python's own wording, numbers included
        expect((err as WorkbenchError).message).toContain(c.resized_hw.replace(/^ValueError: /, ''));
      } else {
        const s = run();
        expect([s.height, s.width]).toEqual(c.resized_hw);
      }
    });
  }
});

describe('preprocessForQwen2VL', () => {
  for (const name of fixtureNames) {
    const rec = golden.images[name] as unknown as ImageRecord;
    it(`reproduces Qwen2VLImageProcessor pixel_values and image_grid_thw bit for bit on ${name}`, async () => {
      const out = preprocessForQwen2VL(await decodeImageFile(imagePath('qwen2vl_processor', name)), config);
      expect(sha256Of(out.inputImage.data)).toBe(field(golden.tensors, `${name}.resized_u8`).sha256);
      expect(out.shape).toEqual(field(golden.tensors, `${name}.pixel_values`).shape);
      expect(Array.from(out.pixelValues.subarray(0, 8))).toEqual(rec.pixel_values.first8);
      expect(sha256Of(out.pixelValues)).toBe(field(golden.tensors, `${name}.pixel_values`).sha256);
      expect(out.gridThw).toEqual(rec.image_grid_thw);
      expect(sha256Of(BigInt64Array.from(out.gridThw.map(BigInt)))).toBe(field(golden.tensors, `${name}.image_grid_thw`).sha256);
      expect(out.numImageTokens).toBe(rec.num_image_tokens);
    });
  }

  it('maps merged tokens back to the original picture', async () => {
    const img = await decodeImageFile(imagePath('qwen2vl_processor', 'a_500x375'));
    const out = preprocessForQwen2VL(img, config);
    const t = withGrid(out.transform, out.gridThw[2] / 2, out.gridThw[1] / 2);
    expect([t.gridWidth, t.gridHeight, t.gridWidth * t.gridHeight]).toEqual([18, 13, out.numImageTokens]);
    // 504/500 horizontally, 364/375 vertically: cell (0, 0) is x 0..27.8, y 0..28.8
    expect(cellToImageBox(t, 0, 0)).toEqual([0, 0, 28, 29]);
    expect(cellToImageBox(t, 17, 12)).toEqual([472, 346, 500, 375]);
  });
});

describe('patchesToChw', () => {
  it('undoes the patch flattening: the CHW image of the resized input, non-square, two merge windows a side or more', () => {
    const config = parseQwen2VLProcessorConfig({ min_pixels: 28 * 28, max_pixels: 112 * 112 });
    const img = rgbImage(150, 90);
    for (let i = 0; i < img.data.length; i++) img.data[i] = (i * 37) % 256;
    const p = preprocessForQwen2VL(img, config);
    const [t, h, w] = p.gridThw;
    const chw = patchesToChw(p.pixelValues, { t, h, w }, config);
    expect(chw).toEqual(toChwFloat32(p.inputImage.data, p.inputImage.width, p.inputImage.height, normalizeTable(config)));
    expect(() => patchesToChw(p.pixelValues.subarray(1), { t, h, w }, config)).toThrow(/cannot hold/);
  });
});
