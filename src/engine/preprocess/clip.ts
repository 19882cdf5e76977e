/**
 * CLIPImageProcessor as llava-hf/llava-1.5-* configures it ('crop'), and the original LLaVA-1.5
 * 'pad' path (expand2square onto the mean colour, then the same processor). FIXTURES.md §5.2.
 * The two are different model inputs: llava-hf crops, LLaVA-1.5 was trained with pad.
 */
import { composeTransform, type InputTransform, type PreprocessStep } from '../../common/geometry/transform.ts';
import { WorkbenchError } from '../../common/contract/errors.ts';
import type { ClipProcessorConfig, Rgb } from './config.ts';
import { cropImage, padImage, type RgbImage } from './image.ts';
import { normalizeTable, toChwFloat32 } from './normalize.ts';
import { resizeBicubicPilTraced, type ResizeTrace } from './pil-resize.ts';

export type ClipMode = 'crop' | 'pad';

export interface ClipPreprocessed {
  /** [1, 3, H, W], channels first */
  pixelValues: Float32Array;
  shape: [1, 3, number, number];
  /** original pixels to model-input pixels; add the patch grid with withGrid() */
  transform: InputTransform;
  /** the uint8 picture that was normalised, i.e. what the model saw (for overlays) */
  inputImage: RgbImage;
  /** What the resize computed (null when it was a copy or only one axis changed), for `like` in a later call. */
  resizeTrace: ResizeTrace | null;
}

/** transformers get_resize_output_image_size for {"shortest_edge": s}: the long edge is int(s * long / short). */
export function shortestEdgeSize(width: number, height: number, shortestEdge: number): { width: number; height: number } {
  const short = Math.min(width, height);
  const long = Math.max(width, height);
  const newLong = Math.trunc((shortestEdge * long) / short);
  return width <= height ? { width: shortestEdge, height: newLong } : { width: newLong, height: shortestEdge };
}

/** LLaVA's expand2square background: tuple(int(x * 255) for x in image_mean), truncated, not rounded. */
export function padColour(config: ClipProcessorConfig): Rgb {
  return [Math.trunc(config.imageMean[0] * 255), Math.trunc(config.imageMean[1] * 255), Math.trunc(config.imageMean[2] * 255)];
}

/**
 * `like`: the resize trace of an earlier call on an image of the same size that differs from this
 * one in a few places (LASER's mask(I) after I): the resize then recomputes only the outputs those
 * places reach (resizeBicubicPilTraced), with the same result bit for bit.
 */
export function preprocessForClip(image: RgbImage, config: ClipProcessorConfig, mode: ClipMode, like: ResizeTrace | null = null): ClipPreprocessed {
  const steps: PreprocessStep[] = [];
  let resizeTrace: ResizeTrace | null = null;
  let img = image;
  if (mode === 'pad' && img.width !== img.height) {
    // expand2square: paste at ((S - w) // 2, (S - h) // 2); a square image is returned unchanged
    const s = Math.max(img.width, img.height);
    const fill = padColour(config);
    const left = (s - img.width) >> 1;
    const top = (s - img.height) >> 1;
    img = padImage(img, s, s, left, top, fill);
    steps.push({ kind: 'pad', left, top, width: s, height: s, fill });
  }
  if (config.doResize) {
    const target = 'shortestEdge' in config.size ? shortestEdgeSize(img.width, img.height, config.size.shortestEdge) : config.size;
    const resized = resizeBicubicPilTraced(img, target.width, target.height, like);
    img = resized.image;
    resizeTrace = resized.trace;
    steps.push({ kind: 'resize', width: target.width, height: target.height });
  }
  if (config.doCenterCrop) {
    const { width, height } = config.cropSize;
    if (width > img.width || height > img.height) {
      // transformers would zero-pad here; no LLaVA checkpoint does this, so refuse rather than guess
      throw new WorkbenchError(
        'invalid-bundle',
        `preprocessor_config.json: crop_size ${width}x${height} is larger than the resized image ${img.width}x${img.height}.`,
        'Use a checkpoint whose crop_size is at most its resize size (LLaVA: both 336).',
      );
    }
    const left = Math.floor((img.width - width) / 2);
    const top = Math.floor((img.height - height) / 2);
    img = cropImage(img, left, top, width, height);
    steps.push({ kind: 'crop', left, top, width, height });
  }
  const pixelValues = toChwFloat32(img.data, img.width, img.height, normalizeTable(config));
  const transform = composeTransform(mode, image.width, image.height, steps);
  return { pixelValues, shape: [1, 3, img.height, img.width], transform, inputImage: img, resizeTrace };
}
