/**
 * Qwen2VLImageProcessor (transformers 4.45): smart_resize to multiples of patch * merge, Pillow
 * bicubic, rescale + normalise, then the patch rows the vision tower reads (FIXTURES.md §2.5, §5.3).
 */
import { composeTransform, type InputTransform, type PreprocessStep } from '../../common/geometry/transform.ts';
import { WorkbenchError } from '../../common/contract/errors.ts';
import type { Qwen2VLProcessorConfig } from './config.ts';
import type { RgbImage } from './image.ts';
import { normalizeTable, toChwFloat32 } from './normalize.ts';
import { resizeBicubicPil } from './pil-resize.ts';

/** Python's round(): to nearest, ties to even (42/28 = 1.5 -> 2 but 70/28 = 2.5 -> 2). */
export function roundHalfEven(x: number): number {
  const f = Math.floor(x);
  const d = x - f;
  if (d < 0.5) return f;
  if (d > 0.5) return f + 1;
  return f % 2 === 0 ? f : f + 1;
}

/**
 * transformers' smart_resize: both sides multiples of `factor`, the pixel count within
 * [minPixels, maxPixels], the aspect ratio nearly kept. Throws 'unsupported-image' where Python
 * raises ValueError, with the same wording inside the message.
 */
export function smartResize(height: number, width: number, factor: number, minPixels: number, maxPixels: number): { height: number; width: number } {
  if (height < factor || width < factor) {
    throw new WorkbenchError(
      'unsupported-image',
      `The image is too small for this model: height:${height} or width:${width} must be larger than factor:${factor}.`,
      `Use an image at least ${factor} pixels on each side.`,
    );
  }
  const ratio = Math.max(height, width) / Math.min(height, width);
  if (ratio > 200) {
    throw new WorkbenchError(
      'unsupported-image',
      `The image is too elongated for this model: absolute aspect ratio must be smaller than 200, got ${ratio}.`,
      'Crop the image to an aspect ratio below 200:1.',
    );
  }
  let h = roundHalfEven(height / factor) * factor;
  let w = roundHalfEven(width / factor) * factor;
  if (h * w > maxPixels) {
    const beta = Math.sqrt((height * width) / maxPixels);
    h = Math.floor(height / beta / factor) * factor;
    w = Math.floor(width / beta / factor) * factor;
  } else if (h * w < minPixels) {
    const beta = Math.sqrt(minPixels / (height * width));
    h = Math.ceil((height * beta) / factor) * factor;
    w = Math.ceil((width * beta) / factor) * factor;
  }
  return { height: h, width: w };
}

export interface Qwen2VLPreprocessed {
  /** [gridT * gridH * gridW, 3 * temporalPatchSize * patchSize^2], rows in 2x2 merge-window order */
  pixelValues: Float32Array;
  shape: [number, number];
  /** (t, h, w) in patches: one row of image_grid_thw */
  gridThw: [number, number, number];
  /** image tokens after the 2x2 merge: t * h * w / merge^2 */
  numImageTokens: number;
  /** original pixels to model-input pixels; the merged token grid is (w / merge) x (h / merge) */
  transform: InputTransform;
  inputImage: RgbImage;
}

export function preprocessForQwen2VL(image: RgbImage, config: Qwen2VLProcessorConfig): Qwen2VLPreprocessed {
  const { patchSize: p, mergeSize: m, temporalPatchSize: tp } = config;
  const steps: PreprocessStep[] = [];
  let img = image;
  if (config.doResize) {
    const size = smartResize(image.height, image.width, p * m, config.minPixels, config.maxPixels);
    img = resizeBicubicPil(image, size.width, size.height);
    steps.push({ kind: 'resize', width: size.width, height: size.height });
  }
  if (img.width % (p * m) !== 0 || img.height % (p * m) !== 0) {
    throw new WorkbenchError(
      'unsupported-image',
      `A ${img.width}x${img.height} input cannot be cut into ${p * m}-pixel merge windows.`,
      'Enable do_resize in preprocessor_config.json, or resize the image to multiples of 28 pixels.',
    );
  }
  const chw = toChwFloat32(img.data, img.width, img.height, normalizeTable(config));
  const gh = img.height / p;
  const gw = img.width / p;
  const rowLen = 3 * tp * p * p;
  const out = new Float32Array(gh * gw * rowLen);
  const plane = img.width * img.height;
  let o = 0;
  // a still image is one temporal group whose tp frames are the same picture
  for (let wr = 0; wr < gh / m; wr++) {
    for (let wc = 0; wc < gw / m; wc++) {
      for (let r2 = 0; r2 < m; r2++) {
        for (let c2 = 0; c2 < m; c2++) {
          const y0 = (wr * m + r2) * p;
          const x0 = (wc * m + c2) * p;
          for (let c = 0; c < 3; c++) {
            for (let t = 0; t < tp; t++) {
              for (let py = 0; py < p; py++) {
                const src = c * plane + (y0 + py) * img.width + x0;
                out.set(chw.subarray(src, src + p), o);
                o += p;
              }
            }
          }
        }
      }
    }
  }
  return {
    pixelValues: out,
    shape: [gh * gw, rowLen],
    gridThw: [1, gh, gw],
    numImageTokens: (gh * gw) / (m * m),
    transform: composeTransform('resize', image.width, image.height, steps),
    inputImage: img,
  };
}

/**
 * The inverse of the patch flattening above: patch rows [t*h*w, 3*T*p*p] (merge-window order) of a
 * still image back to a CHW float image of (h*p) x (w*p), from its first frame (a still image's T
 * frames are equal). To show what the encoder got, e.g. VCD's noised pixels.
 */
export function patchesToChw(
  rows: Float32Array,
  grid: { t: number; h: number; w: number },
  config: Pick<Qwen2VLProcessorConfig, 'patchSize' | 'mergeSize' | 'temporalPatchSize'>,
): Float32Array {
  const { patchSize: p, mergeSize: m, temporalPatchSize: tp } = config;
  const width = grid.w * p;
  const height = grid.h * p;
  const rowLen = 3 * tp * p * p;
  if (rows.length < grid.h * grid.w * rowLen) throw new RangeError(`${rows.length} values cannot hold ${grid.h} x ${grid.w} patches of ${rowLen}.`);
  const plane = width * height;
  const out = new Float32Array(3 * plane);
  let r = 0;
  for (let wr = 0; wr < grid.h / m; wr++) {
    for (let wc = 0; wc < grid.w / m; wc++) {
      for (let r2 = 0; r2 < m; r2++) {
        for (let c2 = 0; c2 < m; c2++, r++) {
          const y0 = (wr * m + r2) * p;
          const x0 = (wc * m + c2) * p;
          for (let c = 0; c < 3; c++) {
            const base = r * rowLen + c * tp * p * p;
            for (let py = 0; py < p; py++) out.set(rows.subarray(base + py * p, base + py * p + p), c * plane + (y0 + py) * width + x0);
          }
        }
      }
    }
  }
  return out;
}
