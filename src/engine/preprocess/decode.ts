/**
 * Any image file sharp can read, as 8-bit RGB the way the Hugging Face processors see it:
 * PIL `Image.open(...).convert("RGB")` after transformers' `load_image` (which applies the EXIF
 * orientation). That means:
 * - alpha is DROPPED, not composited: a fully transparent pixel keeps its stored RGB (FIXTURES.md
 *   §5.1 step 1; `d_640x480_rgba` has bright noise under alpha 0 to catch exactly this);
 * - grey becomes RGB by repeating the channel; palette images take the palette colours;
 * - an embedded ICC profile is ignored, as PIL's convert ignores it (sharp would otherwise
 *   colour-manage into sRGB and move pixels);
 * - multi-frame files (GIF, animated WebP, multi-page TIFF) give their first frame, as PIL does.
 */
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import sharp from 'sharp';
import { WorkbenchError } from '../../common/contract/errors.ts';
import { MAX_IMAGE_PIXELS_ENV, maxImagePixels } from '../library/imageErrors.ts';
import { rgbImage, type RgbImage } from './image.ts';

export { DEFAULT_MAX_IMAGE_PIXELS, maxImagePixels } from '../library/imageErrors.ts';

/** Reads an image file's bytes; a missing, unreadable or folder path is a WorkbenchError naming it. */
export async function readImageFile(path: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new WorkbenchError('not-found', `Image ${path} does not exist.`, 'Check the path, or pick the image again.');
    if (code === 'EISDIR') throw new WorkbenchError('bad-request', `${path} is a folder, not an image.`, 'Pass an image file.');
    if (code === 'EACCES' || code === 'EPERM') {
      throw new WorkbenchError('permission-denied', `Image ${path} cannot be read: permission denied.`, 'Give this user read access to the file.');
    }
    throw e;
  }
}

export async function decodeImageFile(path: string): Promise<RgbImage> {
  return decodeImage(await readImageFile(path), basename(path));
}

/** `name` is only used in error messages (the file name the user knows). */
export async function decodeImage(bytes: Uint8Array, name: string): Promise<RgbImage> {
  if (bytes.length === 0) {
    throw new WorkbenchError('corrupt-image', `${name} is empty (0 bytes).`, 'Pick another file, or copy the image again.');
  }
  const limit = maxImagePixels();
  // The header first: a small file can claim a huge image (a decompression bomb), and the pixel
  // count is known before a single pixel is decoded.
  const meta = await sharp(bytes, { limitInputPixels: false })
    .metadata()
    .catch((e: unknown) => {
      throw classifyDecodeError(e, name, limit);
    });
  if (meta.width && meta.height && meta.width * meta.height > limit) throw tooManyPixels(name, limit, `${meta.width} x ${meta.height}`);
  try {
    const { data, info } = await sharp(bytes, {
      failOn: 'truncated',
      limitInputPixels: limit,
      ignoreIcc: true,
      autoOrient: true,
      pages: 1,
      page: 0,
    })
      .removeAlpha()
      .toColourspace('srgb')
      .raw({ depth: 'uchar' })
      .toBuffer({ resolveWithObject: true });
    if (info.channels !== 3) {
      throw new Error(`decoder produced ${info.channels} channels`);
    }
    return rgbImage(info.width, info.height, new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  } catch (e) {
    throw classifyDecodeError(e, name, limit);
  }
}

function tooManyPixels(name: string, limit: number, size: string | null): WorkbenchError {
  const mp = (n: number) => `${(n / 1e6).toFixed(1)} megapixels`;
  return new WorkbenchError(
    'too-large',
    `${name} ${size ? `is ${size} pixels, more than` : 'has more pixels than'} the limit of ${mp(limit)}.`,
    `Downscale it (the model sees a few hundred pixels a side anyway), or raise the limit in Settings (the image pixel limit) or with ${MAX_IMAGE_PIXELS_ENV}=<pixels>.`,
  );
}

function classifyDecodeError(e: unknown, name: string, limit: number): WorkbenchError {
  const reason = (e instanceof Error ? e.message : String(e)).trim().split('\n')[0] ?? '';
  if (/unsupported image format/i.test(reason)) {
    return new WorkbenchError(
      'unsupported-image',
      `${name} is not an image format the workbench can read (${reason}).`,
      'Use a PNG, JPEG, WebP, GIF, TIFF or AVIF file.',
    );
  }
  if (/pixel limit/i.test(reason)) return tooManyPixels(name, limit, null);
  return new WorkbenchError('corrupt-image', `${name} could not be decoded: ${reason}.`, 'The file is damaged or truncated; re-export or re-download it.');
}
