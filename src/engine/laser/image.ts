/**
 * The sample's image: read once, hashed (the record and the cache name the image by its content,
 * so a renamed copy hits the same cache entry and an edited file does not), and decoded the way the
 * Hugging Face processors decode it. Conversions to and from the pure pixel type of common/laser.
 */
import { createHash } from 'node:crypto';
import { basename } from 'node:path';
import type { PixelImage } from '../../common/laser/index.ts';
import { decodeImage, readImageFile } from '../preprocess/decode.ts';
import { rgbImage, type RgbImage } from '../preprocess/image.ts';

export interface SampleImage {
  path: string;
  /** sha256 of the file's bytes, hex. */
  hash: string;
  rgb: RgbImage;
}

/** Reads and hashes the file; throws 'not-found' / 'permission-denied' naming it. */
export async function readImageBytes(path: string): Promise<{ bytes: Buffer; hash: string }> {
  const bytes = await readImageFile(path);
  return { bytes, hash: createHash('sha256').update(bytes).digest('hex') };
}

/** Reads, hashes and decodes (throws 'corrupt-image' / 'unsupported-image' naming the file). */
export async function loadSampleImage(path: string): Promise<SampleImage> {
  const { bytes, hash } = await readImageBytes(path);
  return { path, hash, rgb: await decodeImage(bytes, basename(path)) };
}

export function toPixelImage(img: RgbImage): PixelImage {
  return { width: img.width, height: img.height, channels: 3, data: img.data };
}

export function fromPixelImage(img: PixelImage): RgbImage {
  if (img.channels !== 3 || !(img.data instanceof Uint8Array || img.data instanceof Uint8ClampedArray)) {
    throw new Error(`Expected an 8-bit RGB image, got ${img.channels} channels of ${img.data.constructor.name}.`);
  }
  const data = img.data instanceof Uint8Array ? img.data : new Uint8Array(img.data.buffer, img.data.byteOffset, img.data.byteLength);
  return rgbImage(img.width, img.height, data);
}
