/**
 * The images a method shows the model, and how the model's patch grid lies on the original image.
 *
 * Every view (the image I, the crop I+, the masked image mask(I), the masked crop I-) goes through
 * the bundle's own preprocessing (LLaVA: pad-to-square or centre crop onto one fixed grid; Qwen2-VL:
 * smart_resize within min/max pixels, so each view has its own grid and token count), so a view is
 * exactly what the model would see had the user given that picture. The grid-to-pixel
 * mapping comes from the transform of I's preprocessing (common/geometry): boxes and masks are
 * placed on the original image where the model's cells actually looked.
 */
import { gridLineFraction, withGrid, type GridTransform } from '../../common/geometry/transform.ts';
import {
  blurRadiusFor,
  cropImage,
  fillRects,
  fillSpec,
  type Box,
  type CellMapping,
  type FillKnob,
  type FillSpec,
  type Grid,
  type Rect,
} from '../../common/laser/index.ts';
import type { PatchGrid } from '../runtime/model-runtime.ts';
import { preprocessForClip } from '../preprocess/clip.ts';
import type { ClipProcessorConfig, Qwen2VLProcessorConfig } from '../preprocess/config.ts';
import type { RgbImage } from '../preprocess/image.ts';
import { fromChwFloat32 } from '../preprocess/normalize.ts';
import type { ResizeTrace } from '../preprocess/pil-resize.ts';
import { patchesToChw, preprocessForQwen2VL } from '../preprocess/qwen2vl.ts';
import { WorkbenchError } from '../../common/contract/errors.ts';
import { fromPixelImage, toPixelImage } from './image.ts';

/**
 * How a bundle turns a picture into model input: onto one fixed grid (LLaVA's CLIP processor, pad
 * or crop mode) or at the picture's own resolution (Qwen2-VL's processor: the merged token grid
 * follows the resized picture's sides).
 */
export type ViewProcessor =
  | { kind: 'fixed-grid'; config: ClipProcessorConfig; mode: 'pad' | 'crop'; grid: Grid; tokensPerImage: number }
  | { kind: 'native-resolution'; config: Qwen2VLProcessorConfig };

/**
 * `processor` with a run's smart_resize bounds (any-resolution models only). Throws 'bad-request'
 * for bounds on a fixed-grid model, or bounds that are not positive integers with min <= max.
 */
export function withPixelBounds(processor: ViewProcessor, bounds: { minPixels?: number; maxPixels?: number }): ViewProcessor {
  const { minPixels, maxPixels } = bounds;
  if (minPixels === undefined && maxPixels === undefined) return processor;
  if (processor.kind === 'fixed-grid') {
    throw new WorkbenchError(
      'bad-request',
      `minPixels/maxPixels set the resolution of an any-resolution model (Qwen2-VL); this bundle feeds every view on a fixed ${processor.grid.gh}x${processor.grid.gw} grid.`,
      'Leave out --min-pixels/--max-pixels for this model.',
    );
  }
  const min = minPixels ?? processor.config.minPixels;
  const max = maxPixels ?? processor.config.maxPixels;
  for (const [name, v] of [
    ['minPixels', min],
    ['maxPixels', max],
  ] as const) {
    if (!Number.isSafeInteger(v) || v < 1)
      throw new WorkbenchError(
        'bad-request',
        `Option ${name} is ${JSON.stringify(v)}; it must be a positive integer (pixels).`,
        `Use e.g. ${name === 'minPixels' ? 56 * 56 : 28 * 28 * 1280}.`,
      );
  }
  if (min > max) throw new WorkbenchError('bad-request', `minPixels ${min} exceeds maxPixels ${max}.`, 'Give a minimum at most the maximum.');
  return { kind: 'native-resolution', config: { ...processor.config, minPixels: min, maxPixels: max } };
}

export interface ModelInput {
  /** Fixed grid: [1, 3, S, S]; native resolution: patch rows [Np, C*T*p*p]. Normalised. */
  pixelValues: Float32Array;
  /** Original pixels to the model's grid (for Qwen2-VL: the merged token grid). */
  transform: GridTransform;
  /** Native resolution: the view's patch grid (its image_grid_thw row); null on a fixed grid. */
  patches: PatchGrid | null;
  /** Image tokens this view takes in the prompt (CLS included for LLaVA's 'full' strategy). */
  tokens: number;
  /** The pixels the encoder got (after padding, resizing, cropping), before normalisation. */
  image: RgbImage;
}

/**
 * What a fixed-grid input's resize computed, kept only for an input made with `reusable` (I of a
 * LASER run, I+) and taken out when the one input made `like` it uses it, so that no run holds the
 * padded pictures longer than it needs them. The trace shares memory with the input's image and the
 * picture it was made from: neither is written in place before it is used (masking copies).
 */
const resizeTraces = new WeakMap<ModelInput, ResizeTrace>();

/**
 * `img` as the model sees it. `like`: an input made from an image of the same size that `img`
 * differs from in a few places (mask(I) from I, I- from I+), whose resize is then reused wherever
 * those places do not reach: the same input bit for bit, made faster (fixed-grid models). An input
 * serves as `like` once, and only one made `reusable`: the input an image made like it will follow.
 */
export function modelInput(img: RgbImage, processor: ViewProcessor, like: ModelInput | null = null, reusable = false): ModelInput {
  if (processor.kind === 'fixed-grid') {
    const trace = like === null ? null : (resizeTraces.get(like) ?? null);
    if (like !== null) resizeTraces.delete(like);
    const p = preprocessForClip(img, processor.config, processor.mode, trace);
    const { grid } = processor;
    const input = {
      pixelValues: p.pixelValues,
      transform: withGrid(p.transform, grid.gw, grid.gh),
      patches: null,
      tokens: processor.tokensPerImage,
      image: p.inputImage,
    };
    if (p.resizeTrace !== null && reusable) resizeTraces.set(input, p.resizeTrace);
    return input;
  }
  const p = preprocessForQwen2VL(img, processor.config);
  const [t, h, w] = p.gridThw;
  const m = processor.config.mergeSize;
  return { pixelValues: p.pixelValues, transform: withGrid(p.transform, w / m, h / m), patches: { t, h, w }, tokens: p.numImageTokens, image: p.inputImage };
}

/** Normalised values laid out as `input`'s pixel values (e.g. VCD's noised copy) as the encoder's 8-bit RGB image. */
export function inputPixels(input: ModelInput, values: Float32Array, processor: ViewProcessor): Uint8Array {
  const { width, height } = input.image;
  const chw = processor.kind === 'native-resolution' && input.patches !== null ? patchesToChw(values, input.patches, processor.config) : values;
  return fromChwFloat32(chw, width, height, processor.config);
}

/** The view's token grid (rows x columns of image tokens the map lies on). */
export function gridOf(input: ModelInput): Grid {
  return { gh: input.transform.gridHeight, gw: input.transform.gridWidth };
}

/**
 * Where grid line k falls in original-image pixels, unrounded. common/geometry computes the line as
 * an exact fraction; dividing once here makes a line on a whole or half pixel come out exactly (25,
 * not 24.999999999999996), so a mask rounded outwards never grows by a pixel through float noise.
 */
function gridEdge(t: GridTransform, axis: 'x' | 'y', k: number): number {
  const { num, den } = gridLineFraction(t, axis, k);
  return num / den;
}

/**
 * Cell j's rectangle in original-image pixels, unclipped and fractional: a cell on the padding of a
 * pad-to-square input reaches outside the image, which is what common/laser's box and mask rules
 * expect (they clip themselves). Built from the transform alone, so a record that stores the
 * transform can rebuild it without the model.
 */
export function cellMapping(t: GridTransform): CellMapping {
  const grid = { gh: t.gridHeight, gw: t.gridWidth };
  return {
    grid,
    cellRect(index: number): Rect {
      const c = index % grid.gw;
      const r = Math.floor(index / grid.gw);
      return [gridEdge(t, 'x', c), gridEdge(t, 'y', r), gridEdge(t, 'x', c + 1), gridEdge(t, 'y', r + 1)];
    },
  };
}

/** Knob `fill` for this model: 'mean' is the encoder's normalisation mean in 0..255 pixel units. */
export function fillFor(fill: FillKnob, mapping: CellMapping, processor: { imageMean: readonly number[] }): FillSpec {
  return fillSpec(
    fill,
    3,
    processor.imageMean.map((m) => 255 * m),
    blurRadiusFor(mapping),
  );
}

export function cropView(img: RgbImage, box: Box): RgbImage {
  return fromPixelImage(cropImage(toPixelImage(img), box));
}

export function maskView(img: RgbImage, rects: readonly Rect[], fill: FillSpec): RgbImage {
  return fromPixelImage(fillRects(toPixelImage(img), rects, fill));
}
