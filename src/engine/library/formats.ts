/**
 * Which files count as images: those whose extension names a format this build of sharp can read.
 *
 * BMP is listed only when sharp can read it. The prebuilt sharp binaries (the ones npm installs)
 * ship libvips without ImageMagick, and libvips has no BMP loader of its own, so with them
 * `sharp.format.magick.input.file` is false and .bmp files are not listed at all rather than listed
 * as broken: there is nothing the user could do about them inside the workbench.
 */
import sharp from 'sharp';

export type ImageFormat = 'png' | 'jpeg' | 'webp' | 'gif' | 'tiff' | 'bmp';

const byExtension: Record<string, ImageFormat> = {
  png: 'png',
  jpg: 'jpeg',
  jpeg: 'jpeg',
  webp: 'webp',
  gif: 'gif',
  tif: 'tiff',
  tiff: 'tiff',
  bmp: 'bmp',
};

const contentTypes: Record<ImageFormat, string> = {
  png: 'image/png',
  jpeg: 'image/jpeg',
  webp: 'image/webp',
  gif: 'image/gif',
  tiff: 'image/tiff',
  bmp: 'image/bmp',
};

/** Whether this sharp build reads BMP (only through ImageMagick; see the module comment). */
export const canReadBmp: boolean = sharp.format.magick?.input.file === true;

/** The formats files are listed for, as sharp's metadata names them. */
export const readableFormats: ReadonlySet<string> = new Set((['png', 'jpeg', 'webp', 'gif', 'tiff'] as string[]).concat(canReadBmp ? ['bmp', 'magick'] : []));

/** The image format a file name's extension claims, if it is one we list. Takes raw name bytes. */
export function formatOfName(name: Buffer | string): ImageFormat | null {
  const s = typeof name === 'string' ? name : name.toString('latin1');
  const dot = s.lastIndexOf('.');
  if (dot <= 0 || dot === s.length - 1) return null;
  const format = byExtension[s.slice(dot + 1).toLowerCase()];
  if (format === undefined || (format === 'bmp' && !canReadBmp)) return null;
  return format;
}

export function contentTypeOf(format: ImageFormat): string {
  return contentTypes[format];
}

/** The extensions that are listed, for messages. */
export function listedExtensions(): string[] {
  return Object.keys(byExtension).filter((e) => e !== 'bmp' || canReadBmp);
}
