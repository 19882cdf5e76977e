import { describe, expect, it } from 'vitest';
import { cellToImageBox, withGrid } from '../../common/geometry/transform.ts';
import { shortestEdgeSize, padColour, preprocessForClip } from './clip.ts';
import { parseClipProcessorConfig } from './config.ts';
import { decodeImageFile } from './decode.ts';
import { fixtureNames, imagePath, readGolden, readPreprocessorConfig, sha256Of } from '../../../test/support/preprocess-golden.ts';
import { field } from '../../../test/support/index-access.ts';

const golden = readGolden('clip_processor');
const config = parseClipProcessorConfig(readPreprocessorConfig('clip_processor'));

interface ImageRecord {
  crop_top_left: [number, number];
  pixel_values: { first8: number[] };
  pad: { square_side: number; paste_xy: [number, number] };
}

describe('preprocessForClip', () => {
  for (const name of fixtureNames) {
    const rec = golden.images[name] as unknown as ImageRecord;
    it(`crop mode reproduces llava-hf pixel_values bit for bit on ${name}`, async () => {
      const out = preprocessForClip(await decodeImageFile(imagePath('clip_processor', name)), config, 'crop');
      expect(out.shape).toEqual(field(golden.tensors, `${name}.pixel_values`).shape);
      expect(Array.from(out.pixelValues.subarray(0, 8))).toEqual(rec.pixel_values.first8);
      expect(sha256Of(out.pixelValues)).toBe(field(golden.tensors, `${name}.pixel_values`).sha256);
      const crop = out.transform.steps.find((s) => s.kind === 'crop');
      expect([crop?.top, crop?.left]).toEqual(rec.crop_top_left);
    });
    it(`pad mode reproduces LLaVA-1.5 expand2square pixel_values bit for bit on ${name}`, async () => {
      const img = await decodeImageFile(imagePath('clip_processor', name));
      const out = preprocessForClip(img, config, 'pad');
      expect(sha256Of(out.pixelValues)).toBe(field(golden.tensors, `${name}.pad.pixel_values`).sha256);
      expect(sha256Of(out.inputImage.data)).toBe(field(golden.tensors, `${name}.pad.resized_u8`).sha256);
      const pad = out.transform.steps.find((s) => s.kind === 'pad');
      if (img.width === img.height) expect(pad).toBeUndefined();
      else expect([pad?.width, pad?.left, pad?.top]).toEqual([rec.pad.square_side, ...rec.pad.paste_xy]);
    });
  }

  it('truncates the long edge as transformers does (shortest_edge_cases)', () => {
    for (const c of golden.shortest_edge_cases as { hw: [number, number]; resized_hw: [number, number] }[]) {
      const s = shortestEdgeSize(c.hw[1], c.hw[0], 336);
      expect([s.height, s.width]).toEqual(c.resized_hw);
    }
  });

  it('pads with the truncated mean colour (122, 116, 104), not the rounded one', () => {
    expect(padColour(config)).toEqual(golden.pad_color);
  });

  it('describes the input so that grid cells map back to the original picture', async () => {
    const img = await decodeImageFile(imagePath('clip_processor', 'a_500x375'));
    const crop = withGrid(preprocessForClip(img, config, 'crop').transform, 24, 24);
    expect(crop).toMatchObject({ mode: 'crop', imageWidth: 500, imageHeight: 375, inputWidth: 336, inputHeight: 336, offsetX: -56 });
    expect(cellToImageBox(crop, 0, 0)).toEqual([63, 0, 78, 16]);
    const pad = withGrid(preprocessForClip(img, config, 'pad').transform, 24, 24);
    expect(pad).toMatchObject({ mode: 'pad', inputWidth: 336, inputHeight: 336, scaleX: 0.672 });
    expect(cellToImageBox(pad, 12, 12)).toEqual([250, 188, 271, 209]);
  });

  it('refuses a crop larger than the resized picture instead of guessing the padding', async () => {
    const img = await decodeImageFile(imagePath('clip_processor', 'c_37x91'));
    const odd = parseClipProcessorConfig({ ...(readPreprocessorConfig('clip_processor') as object), crop_size: { height: 400, width: 400 } });
    expect(() => preprocessForClip(img, odd, 'crop')).toThrow(/crop_size 400x400 is larger than the resized image 336x826/);
  });
});
