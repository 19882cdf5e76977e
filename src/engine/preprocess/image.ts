/**
 * The one in-memory image type of the preprocessing code: 8-bit RGB, rows top to bottom, pixels
 * left to right, channels interleaved (HWC), exactly the layout of PIL's `np.asarray(img)` and of
 * the fixtures' `*_u8` tensors, so a sha256 of `data` compares directly with theirs.
 */
export interface RgbImage {
  width: number;
  height: number;
  /** length width * height * 3 */
  data: Uint8Array;
}

export function rgbImage(width: number, height: number, data?: Uint8Array): RgbImage {
  const n = width * height * 3;
  if (data !== undefined && data.length !== n) {
    throw new Error(`RGB buffer holds ${data.length} bytes, ${width}x${height}x3 needs ${n}`);
  }
  return { width, height, data: data ?? new Uint8Array(n) };
}

/** A copy of the rectangle [left, left+width) x [top, top+height), which must lie inside the image. */
export function cropImage(img: RgbImage, left: number, top: number, width: number, height: number): RgbImage {
  if (left < 0 || top < 0 || left + width > img.width || top + height > img.height) {
    throw new Error(`crop ${width}x${height}+${left}+${top} does not fit in ${img.width}x${img.height}`);
  }
  const out = rgbImage(width, height);
  const rowBytes = width * 3;
  for (let y = 0; y < height; y++) {
    const src = ((top + y) * img.width + left) * 3;
    out.data.set(img.data.subarray(src, src + rowBytes), y * rowBytes);
  }
  return out;
}

/** `img` pasted at (left, top) on a width x height canvas filled with `fill` (PIL Image.new + paste). */
export function padImage(img: RgbImage, width: number, height: number, left: number, top: number, fill: readonly [number, number, number]): RgbImage {
  if (left < 0 || top < 0 || left + img.width > width || top + img.height > height) {
    throw new Error(`${img.width}x${img.height} at (${left}, ${top}) does not fit on a ${width}x${height} canvas`);
  }
  const out = rgbImage(width, height);
  const d = out.data;
  // One pixel of fill, then the filled part doubled by native copies until the canvas is full.
  if (d.length > 0) d.set(fill);
  for (let n = 3; n < d.length; n *= 2) d.copyWithin(n, 0, Math.min(n, d.length - n));
  const rowBytes = img.width * 3;
  for (let y = 0; y < img.height; y++) {
    const src = y * rowBytes;
    d.set(img.data.subarray(src, src + rowBytes), ((top + y) * width + left) * 3);
  }
  return out;
}
