/**
 * The images a method shows the model, and how the model's patch grid lies on the original image.
 *
 * Every view (the image I, the crop I+, the masked image mask(I), the masked crop I-) goes through
 * the bundle's own preprocessing (pad-to-square or centre crop, as recorded in its manifest), so a
 * view is exactly what the model would see had the user given that picture. The grid-to-pixel
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
import { preprocessForClip } from '../preprocess/clip.ts';
import type { ClipProcessorConfig } from '../preprocess/config.ts';
import type { RgbImage } from '../preprocess/image.ts';
import { fromPixelImage, toPixelImage } from './image.ts';

export interface ModelInput {
  /** [1, 3, S, S], normalised. */
  pixelValues: Float32Array;
  /** Original pixels to the model's grid. */
  transform: GridTransform;
  /** The pixels the encoder got (after padding, resizing, cropping), before normalisation. */
  image: RgbImage;
}

export function modelInput(img: RgbImage, processor: ClipProcessorConfig, mode: 'pad' | 'crop', grid: Grid): ModelInput {
  const p = preprocessForClip(img, processor, mode);
  return { pixelValues: p.pixelValues, transform: withGrid(p.transform, grid.gw, grid.gh), image: p.inputImage };
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
export function fillFor(fill: FillKnob, mapping: CellMapping, processor: ClipProcessorConfig): FillSpec {
  return fillSpec(fill, 3, processor.imageMean.map((m) => 255 * m), blurRadiusFor(mapping));
}

export function cropView(img: RgbImage, box: Box): RgbImage {
  return fromPixelImage(cropImage(toPixelImage(img), box));
}

export function maskView(img: RgbImage, rects: readonly Rect[], fill: FillSpec): RgbImage {
  return fromPixelImage(fillRects(toPixelImage(img), rects, fill));
}
