/**
 * The record's image, embedded in a figure as a data: URI so that the SVG stands alone (it can be
 * mailed, put in a paper's repository, opened years later). It is decoded exactly as the model saw
 * it (EXIF orientation applied, alpha dropped, ICC profile ignored: preprocess/decode.ts), checked
 * against the record's hash and size, and downscaled to what the figure can show, as JPEG.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import sharp from 'sharp';
import { WorkbenchError } from '../../common/contract/errors.ts';
import type { ImageRef } from '../../common/figures/index.ts';
import { decodeImage } from '../preprocess/decode.ts';

export interface RecordImage {
  path: string;
  hash: string;
  width: number;
  height: number;
}

export interface DecodedImage {
  width: number;
  height: number;
  /** 8-bit RGB, row-major. */
  data: Uint8Array;
}

/** Reads the image a record names, refusing one whose bytes or size differ from what was recorded. */
export async function readRecordImage(image: RecordImage, override?: string): Promise<DecodedImage> {
  const path = override ?? image.path;
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'EISDIR') {
      throw new WorkbenchError(
        'not-found',
        `The record's image ${path} is not there any more.`,
        'Pass the image with --image <path> (the same file; its hash is checked).',
      );
    }
    if (code === 'EACCES' || code === 'EPERM')
      throw new WorkbenchError('permission-denied', `The record's image ${path} cannot be read: permission denied.`, 'Give this user read access to the file.');
    throw e;
  }
  const hash = createHash('sha256').update(bytes).digest('hex');
  if (hash !== image.hash) {
    throw new WorkbenchError(
      'bad-request',
      `${path} is not the image this record was made from (sha256 ${hash.slice(0, 12)}…, the record says ${image.hash.slice(0, 12)}…).`,
      'Pass the original file with --image <path>, or run the method again on this image.',
    );
  }
  const rgb = await decodeImage(bytes, basename(path));
  if (rgb.width !== image.width || rgb.height !== image.height) {
    throw new WorkbenchError(
      'bad-request',
      `${path} decodes to ${rgb.width}x${rgb.height}, but the record says ${image.width}x${image.height}.`,
      'Run the method again to write a fresh record.',
    );
  }
  return { width: rgb.width, height: rgb.height, data: rgb.data };
}

export interface EmbedOptions {
  /** Longest side of the embedded copy in pixels (never larger than the original). */
  maxSide: number;
  grayscale?: boolean;
  /** JPEG quality; default 85 (no visible artefacts under a heatmap, a fraction of PNG's size). */
  quality?: number;
}

/** A downscaled JPEG copy as a data: URI, with the original's size (figures place cells in original pixels). */
export async function embedImage(img: DecodedImage, o: EmbedOptions): Promise<ImageRef> {
  const long = Math.max(img.width, img.height);
  const f = Math.min(1, o.maxSide / long);
  const w = Math.max(1, Math.round(img.width * f));
  const h = Math.max(1, Math.round(img.height * f));
  let pipeline = sharp(img.data, { raw: { width: img.width, height: img.height, channels: 3 } }).resize(w, h, { kernel: 'lanczos3', fit: 'fill' });
  if (o.grayscale) pipeline = pipeline.grayscale();
  const jpeg = await pipeline.jpeg({ quality: o.quality ?? 85, mozjpeg: true, chromaSubsampling: o.grayscale ? '4:4:4' : '4:2:0' }).toBuffer();
  return { href: `data:image/jpeg;base64,${jpeg.toString('base64')}`, width: img.width, height: img.height };
}
