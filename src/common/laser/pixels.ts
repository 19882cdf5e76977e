/**
 * The few pixel operations LASER needs for its counterfactual image (step 9): fill rectangles, crop.
 * Pure and small so that the property "a mask outside the box leaves the crop unchanged" can be
 * tested on a toy image, and so the engine and the UI draw the same mask.
 *
 * Images are row-major, channels interleaved (HWC). Integer images (Uint8Array, Uint8ClampedArray)
 * get fill values rounded and clamped to 0..255; Float32Array images take them as given.
 *
 * Which pixels a fractional rectangle covers: every pixel it touches (floor of the start, ceil of
 * the end), clipped to the image. Rounding outwards means no sliver of a masked cell survives, and
 * a rectangle that shares no area with an integer box never touches a pixel inside that box.
 */
import { assertImageSize, type Box, type CellMapping, type ImageSize, type Rect } from './grid.ts';

export type PixelData = Uint8Array | Uint8ClampedArray | Float32Array;

export interface PixelImage {
  readonly width: number;
  readonly height: number;
  readonly channels: number;
  readonly data: PixelData;
}

export function pixelImage(width: number, height: number, channels: number, data: PixelData): PixelImage {
  assertImageSize({ width, height });
  if (!Number.isInteger(channels) || channels < 1) throw new RangeError(`channels must be a positive integer, got ${channels}.`);
  if (data.length !== width * height * channels) {
    throw new RangeError(`Pixel data has ${data.length} values; ${width}x${height}x${channels} needs ${width * height * channels}.`);
  }
  return { width, height, channels, data };
}

function blank(data: PixelData, length: number): PixelData {
  if (data instanceof Float32Array) return new Float32Array(length);
  if (data instanceof Uint8ClampedArray) return new Uint8ClampedArray(length);
  return new Uint8Array(length);
}

function toStored(data: PixelData, v: number): number {
  return data instanceof Float32Array ? v : Math.min(255, Math.max(0, Math.round(v)));
}

/** Integer pixel span [x0, y0, x1, y1) a rectangle touches, clipped to the image; may be empty. */
export function rectPixelSpan(rect: Rect, size: ImageSize): Box {
  const x0 = Math.min(size.width, Math.max(0, Math.floor(rect[0])));
  const y0 = Math.min(size.height, Math.max(0, Math.floor(rect[1])));
  const x1 = Math.min(size.width, Math.max(x0, Math.ceil(rect[2])));
  const y1 = Math.min(size.height, Math.max(y0, Math.ceil(rect[3])));
  return [x0, y0, x1, y1];
}

/** The pixels of `box` (integer, inside the image) as a new image. */
export function cropImage(image: PixelImage, box: Box): PixelImage {
  const [x0, y0, x1, y1] = box;
  if (![x0, y0, x1, y1].every(Number.isInteger) || x0 < 0 || y0 < 0 || x1 > image.width || y1 > image.height || x0 >= x1 || y0 >= y1) {
    throw new RangeError(`Crop box [${box.join(', ')}] is not a non-empty integer box inside ${image.width}x${image.height}.`);
  }
  const w = x1 - x0;
  const h = y1 - y0;
  const c = image.channels;
  const out = blank(image.data, w * h * c);
  for (let y = 0; y < h; y++) {
    const src = ((y0 + y) * image.width + x0) * c;
    out.set(image.data.subarray(src, src + w * c), y * w * c);
  }
  return { width: w, height: h, channels: c, data: out };
}

export type FillSpec =
  | { readonly kind: 'constant'; readonly colour: readonly number[] }
  /** Box blur of the original image, mean over a (2r+1)^2 window clipped to the image. */
  | { readonly kind: 'blur'; readonly radius: number };

export type FillKnob = 'mean' | 'gray127' | 'black' | 'blur';

/**
 * The fill for knob `fill`. `encoderMean` is the vision encoder's normalisation mean in the image's
 * units (CLIP on 0..255 pixels: 255 * [0.48145466, 0.4578275, 0.40821073]); filled pixels then become
 * 0 after normalisation. `blurRadius` is used by 'blur' only (see `blurRadiusFor`).
 */
export function fillSpec(fill: FillKnob, channels: number, encoderMean: readonly number[], blurRadius: number): FillSpec {
  switch (fill) {
    case 'mean':
      if (encoderMean.length !== channels) throw new RangeError(`The encoder mean has ${encoderMean.length} channels; the image has ${channels}.`);
      return { kind: 'constant', colour: [...encoderMean] };
    case 'gray127':
      return { kind: 'constant', colour: new Array<number>(channels).fill(127) };
    case 'black':
      return { kind: 'constant', colour: new Array<number>(channels).fill(0) };
    case 'blur':
      return { kind: 'blur', radius: blurRadius };
  }
}

/**
 * Blur radius for fill = 'blur': the larger side of a cell, rounded up. A window three cells wide
 * smears anything cell-sized into its neighbours, which is what masking a cell is meant to do,
 * while keeping the image's colours (unlike a constant).
 */
export function blurRadiusFor(mapping: CellMapping): number {
  const r = mapping.cellRect(0);
  return Math.max(1, Math.ceil(Math.max(r[2] - r[0], r[3] - r[1])));
}

function boxBlurReader(image: PixelImage, radius: number): (x: number, y: number, ch: number) => number {
  const { width: W, height: H, channels: C, data } = image;
  // Summed-area table per channel, (W+1) x (H+1), so each blurred pixel costs O(1).
  const sat = new Float64Array((W + 1) * (H + 1) * C);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      for (let ch = 0; ch < C; ch++) {
        const i = ((y + 1) * (W + 1) + (x + 1)) * C + ch;
        sat[i] = data[(y * W + x) * C + ch]! + sat[i - C]! + sat[i - (W + 1) * C]! - sat[i - (W + 2) * C]!;
      }
    }
  }
  const at = (x: number, y: number, ch: number): number => sat[(y * (W + 1) + x) * C + ch]!;
  return (x, y, ch) => {
    const xa = Math.max(0, x - radius);
    const ya = Math.max(0, y - radius);
    const xb = Math.min(W, x + radius + 1);
    const yb = Math.min(H, y + radius + 1);
    const sum = at(xb, yb, ch) - at(xa, yb, ch) - at(xb, ya, ch) + at(xa, ya, ch);
    return sum / ((xb - xa) * (yb - ya));
  };
}

/** A copy of the image with the pixels each rectangle touches replaced by the fill. */
export function fillRects(image: PixelImage, rects: readonly Rect[], fill: FillSpec): PixelImage {
  const { width: W, channels: C } = image;
  const out = blank(image.data, image.data.length);
  out.set(image.data);
  if (fill.kind === 'constant' && fill.colour.length !== C) {
    throw new RangeError(`Fill colour has ${fill.colour.length} channels; the image has ${C}.`);
  }
  if (fill.kind === 'blur' && (!Number.isInteger(fill.radius) || fill.radius < 0)) {
    throw new RangeError(`Blur radius must be a non-negative integer, got ${fill.radius}.`);
  }
  const valueAt =
    fill.kind === 'blur'
      ? boxBlurReader(image, fill.radius)
      : (_x: number, _y: number, ch: number): number => {
          const v = fill.colour[ch];
          if (v === undefined) throw new RangeError(`Fill colour has no channel ${ch}; the image has ${C}.`);
          return v;
        };
  for (const rect of rects) {
    const [x0, y0, x1, y1] = rectPixelSpan(rect, image);
    for (let y = y0; y < y1; y++) {
      for (let x = x0; x < x1; x++) {
        for (let ch = 0; ch < C; ch++) {
          out[(y * W + x) * C + ch] = toStored(out, valueAt(x, y, ch));
        }
      }
    }
  }
  return { width: image.width, height: image.height, channels: C, data: out };
}
