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
import { rgbImage, type RgbImage } from './image.ts';

/** sharp's own default limit (0x3FFF squared); stated here so the 'too-large' message can name it. */
export const MAX_INPUT_PIXELS = 0x3fff * 0x3fff;

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
  try {
    const { data, info } = await sharp(bytes, {
      failOn: 'truncated',
      limitInputPixels: MAX_INPUT_PIXELS,
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
    throw classifyDecodeError(e, name);
  }
}

function classifyDecodeError(e: unknown, name: string): WorkbenchError {
  const reason = (e instanceof Error ? e.message : String(e)).trim().split('\n')[0];
  if (/unsupported image format/i.test(reason)) {
    return new WorkbenchError(
      'unsupported-image',
      `${name} is not an image format the workbench can read (${reason}).`,
      'Use a PNG, JPEG, WebP, GIF, TIFF or AVIF file.',
    );
  }
  if (/pixel limit/i.test(reason)) {
    return new WorkbenchError(
      'too-large',
      `${name} has more than ${MAX_INPUT_PIXELS.toLocaleString('en-US')} pixels.`,
      'Downscale the image before opening it.',
    );
  }
  return new WorkbenchError(
    'corrupt-image',
    `${name} could not be decoded: ${reason}.`,
    'The file is damaged or truncated; re-export or re-download it.',
  );
}
