import { describe, expect, it } from 'vitest';
import { parseClipProcessorConfig, parseQwen2VLProcessorConfig } from './config.ts';
import { readPreprocessorConfig } from '../../../test/support/preprocess-golden.ts';

describe('preprocessor_config.json', () => {
  it('reads the llava-hf CLIP config', () => {
    const c = parseClipProcessorConfig(readPreprocessorConfig('clip_processor'));
    expect(c).toMatchObject({ size: { shortestEdge: 336 }, cropSize: { height: 336, width: 336 }, doCenterCrop: true, rescaleFactor: 1 / 255 });
    expect(c.imageMean).toEqual([0.48145466, 0.4578275, 0.40821073]);
  });

  it('accepts the older int forms of size and crop_size', () => {
    const c = parseClipProcessorConfig({ size: 224, crop_size: 224 });
    expect(c).toMatchObject({ size: { shortestEdge: 224 }, cropSize: { height: 224, width: 224 } });
  });

  it('reads Qwen2-VL pixel bounds from the top level or from "size"', () => {
    expect(parseQwen2VLProcessorConfig(readPreprocessorConfig('qwen2vl_processor'))).toMatchObject({
      minPixels: 3136,
      maxPixels: 1003520,
      patchSize: 14,
      mergeSize: 2,
    });
    expect(parseQwen2VLProcessorConfig({ size: { shortest_edge: 3136, longest_edge: 12845056 } })).toMatchObject({ minPixels: 3136, maxPixels: 12845056 });
    expect(parseQwen2VLProcessorConfig({})).toMatchObject({ minPixels: 3136, maxPixels: 1003520, temporalPatchSize: 2 });
  });

  it('refuses what it cannot reproduce exactly, naming the file', () => {
    expect(() => parseClipProcessorConfig({ resample: 2 }, 'bundle/preprocessor_config.json')).toThrow(
      /bundle\/preprocessor_config.json: "resample": 2 is not bicubic/,
    );
    expect(() => parseClipProcessorConfig({ size: { longest_edge: 3 } })).toThrow(/neither "shortest_edge" nor "height" and "width"/);
    expect(() => parseClipProcessorConfig({ image_std: [1, 0, 1] })).toThrow(/must not contain 0/);
    expect(() => parseQwen2VLProcessorConfig({ min_pixels: 10, max_pixels: 5 })).toThrow(/exceeds/);
    expect(() => parseQwen2VLProcessorConfig([])).toThrow(/must be an object/);
  });
});
