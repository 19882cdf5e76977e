/**
 * What is wrong with a broken image, in words: one reason string for the scan's entry list and the
 * same reason inside a WorkbenchError (with a code the UI can branch on) for thumbnails and details.
 */
import { WorkbenchError } from '../../common/contract/errors.ts';

export type ImageErrorCode = 'corrupt-image' | 'unsupported-image' | 'too-large';

export class ImageError extends WorkbenchError {
  /** The reason alone, without the file name: what a scan entry's `error` says. */
  readonly reason: string;
  declare readonly code: ImageErrorCode;

  constructor(code: ImageErrorCode, file: string, reason: string) {
    super(code, `Cannot read the image ${file}: ${reason}.`, hints[code]);
    this.name = 'ImageError';
    this.reason = reason;
  }
}

const hints: Record<ImageErrorCode, string> = {
  'corrupt-image': 'The file is damaged or incomplete; re-export or re-download it.',
  'unsupported-image': 'Convert it to PNG, JPEG, WebP, GIF or TIFF, or give it the right extension.',
  'too-large': 'Downscale the image (for example to at most 16000 x 16000 pixels) and open it again.',
};

/** sharp's default `limitInputPixels` (0x3FFF squared): larger images are refused, not decoded. */
export const pixelLimit = 268_402_689;

export function emptyFile(file: string): ImageError {
  return new ImageError('corrupt-image', file, 'empty file (0 bytes)');
}

export function tooLarge(file: string, width: number, height: number): ImageError {
  return new ImageError('too-large', file, `too large: ${width} x ${height} pixels exceeds the limit of ${pixelLimit} pixels`);
}

export function unsupportedFormat(file: string, format: string): ImageError {
  return new ImageError('unsupported-image', file, `unsupported format "${format}" (the workbench reads PNG, JPEG, WebP, GIF and TIFF)`);
}

/** Turns an error thrown by sharp into an ImageError with a reason a person can act on. */
export function fromSharpError(file: string, e: unknown): ImageError {
  const message = e instanceof Error ? e.message : String(e);
  if (/unsupported image format/i.test(message)) {
    return new ImageError('unsupported-image', file, 'not an image: the content is not PNG, JPEG, WebP, GIF or TIFF data');
  }
  if (/exceeds pixel limit/i.test(message)) {
    return new ImageError('too-large', file, `too large: exceeds the limit of ${pixelLimit} pixels`);
  }
  if (/end of (stream|file)|premature end|truncated|unexpected end/i.test(message)) {
    return new ImageError('corrupt-image', file, `truncated: the file ends before the image data does (${message})`);
  }
  return new ImageError('corrupt-image', file, `damaged or truncated image data (${message})`);
}
