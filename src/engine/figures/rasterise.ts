/**
 * SVG to PNG with sharp (librsvg, fonts through fontconfig). librsvg reads an SVG's px at 72 dpi,
 * so `density` 72 x scale gives a PNG of exactly scale x the SVG's size; the PNG is tagged with
 * 96 x scale dpi, so that a word processor or LaTeX places it at the same physical size as the SVG
 * (CSS px are 1/96 in).
 */
import sharp from 'sharp';

/** The width and height attributes of an SVG document's root, in px. */
export function svgSize(svg: string): { width: number; height: number } {
  const root = /<svg\b[^>]*>/.exec(svg)?.[0];
  const w = root && /\swidth="([\d.]+)"/.exec(root);
  const h = root && /\sheight="([\d.]+)"/.exec(root);
  if (!w || !h) throw new Error('The SVG has no width and height in px on its root element.');
  return { width: Number(w[1]), height: Number(h[1]) };
}

export async function svgToPng(svg: string, scale: number): Promise<Buffer> {
  if (!(scale > 0 && scale <= 8)) throw new RangeError(`PNG scale must be in (0, 8], got ${scale}.`);
  const { width, height } = svgSize(svg);
  const png = await sharp(Buffer.from(svg), { density: 72 * scale, limitInputPixels: false })
    .png({ compressionLevel: 9, adaptiveFiltering: true })
    .withMetadata({ density: 96 * scale })
    .toBuffer({ resolveWithObject: true });
  const want = { width: Math.round(width * scale), height: Math.round(height * scale) };
  if (Math.abs(png.info.width - want.width) > 1 || Math.abs(png.info.height - want.height) > 1) {
    throw new Error(`librsvg rendered ${png.info.width}x${png.info.height}, not ${want.width}x${want.height}.`);
  }
  return png.data;
}
