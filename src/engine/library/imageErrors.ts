/**
 * What is wrong with a broken image, in words: one reason string for the scan's entry list and the
 * same reason inside a WorkbenchError (with a code the UI can branch on) for thumbnails and details.
 */
import { WorkbenchError } from '../../common/contract/errors.ts';
import { maxImagePixelsCeiling } from '../../common/contract/methods.ts';

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

/**
 * The most pixels an image may have to be decoded (default 100 megapixels, above any camera's
 * photo). The model sees 336 x 336 or so whatever the input, and decoding costs about 3.7 bytes per
 * pixel at once: a 730 KB PNG of 16000 x 16000 took 943 MB and 11.7 s. Larger images are refused
 * from their header, before any pixel is decoded.
 *
 * Where the limit comes from, first found wins: LASER_MAX_IMAGE_PIXELS (for one process: a script,
 * a CLI run), then the user's setting (settings.json `maxImagePixels`, set in the app's Settings;
 * the workbench applies it with setMaxImagePixelsSetting, and sends it along with each run to the
 * inference worker), then the default.
 */
export const DEFAULT_MAX_IMAGE_PIXELS = 100_000_000;
export const MAX_IMAGE_PIXELS_ENV = 'LASER_MAX_IMAGE_PIXELS';
/** The most the setting accepts (sharp's own limit is 2^32 - 1). */
export const MAX_IMAGE_PIXELS_CEILING = maxImagePixelsCeiling;

let setting: number | null = null;

/** Applies (a number) or clears (null) the user's pixel limit for this thread. */
export function setMaxImagePixelsSetting(limit: number | null): void {
  if (limit !== null && (!Number.isSafeInteger(limit) || limit <= 0 || limit > MAX_IMAGE_PIXELS_CEILING)) {
    throw new WorkbenchError(
      'bad-request',
      `The image pixel limit ${limit} must be a whole number from 1 to ${MAX_IMAGE_PIXELS_CEILING}.`,
      `Leave it empty for the default (${DEFAULT_MAX_IMAGE_PIXELS}).`,
    );
  }
  setting = limit;
}

/** The limit in force and where it came from. */
export function imagePixelLimit(env: NodeJS.ProcessEnv = process.env): { value: number; source: 'env' | 'setting' | 'default' } {
  const raw = env[MAX_IMAGE_PIXELS_ENV];
  if (raw !== undefined && raw.trim() !== '') {
    const n = Number(raw.replace(/_/g, ''));
    if (!Number.isSafeInteger(n) || n <= 0) {
      throw new WorkbenchError(
        'bad-request',
        `${MAX_IMAGE_PIXELS_ENV} is ${JSON.stringify(raw)}; it must be a whole number of pixels above 0.`,
        `Unset it for the default (${DEFAULT_MAX_IMAGE_PIXELS}), or give e.g. 200000000.`,
      );
    }
    return { value: n, source: 'env' };
  }
  return setting === null ? { value: DEFAULT_MAX_IMAGE_PIXELS, source: 'default' } : { value: setting, source: 'setting' };
}

export function maxImagePixels(env: NodeJS.ProcessEnv = process.env): number {
  return imagePixelLimit(env).value;
}

const hints: Record<ImageErrorCode, string> = {
  'corrupt-image': 'The file is damaged or incomplete; re-export or re-download it.',
  'unsupported-image': 'Convert it to PNG, JPEG, WebP, GIF or TIFF, or give it the right extension.',
  'too-large': `Downscale the image and open it again, or raise the limit in Settings (or with ${MAX_IMAGE_PIXELS_ENV}=<pixels>; default ${DEFAULT_MAX_IMAGE_PIXELS}).`,
};

export function emptyFile(file: string): ImageError {
  return new ImageError('corrupt-image', file, 'empty file (0 bytes)');
}

export function tooLarge(file: string, width: number, height: number, limit = maxImagePixels()): ImageError {
  return new ImageError('too-large', file, `too large: ${width} x ${height} pixels exceeds the limit of ${limit} pixels`);
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
    return new ImageError('too-large', file, `too large: exceeds the limit of ${maxImagePixels()} pixels`);
  }
  if (/end of (stream|file)|premature end|truncated|unexpected end/i.test(message)) {
    return new ImageError('corrupt-image', file, `truncated: the file ends before the image data does (${message})`);
  }
  return new ImageError('corrupt-image', file, `damaged or truncated image data (${message})`);
}
