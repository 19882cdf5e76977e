/**
 * SVG to PNG with sharp (librsvg, fonts through fontconfig). librsvg reads an SVG's px at 72 dpi,
 * so `density` 72 x scale gives a PNG of exactly scale x the SVG's size; the PNG is tagged with
 * 96 x scale dpi, so that a word processor or LaTeX places it at the same physical size as the SVG
 * (CSS px are 1/96 in).
 *
 * The layout measures text with Helvetica's advance widths (common/figures/text.ts), which Arial
 * and Liberation Sans share. Windows and macOS have Arial; a Linux machine may have neither, and
 * fontconfig's fallback (DejaVu Sans) is 8-12 % wider, so labels would overrun their boxes. Before
 * the first render, where the system uses /etc/fonts/fonts.conf and the user has not chosen a
 * FONTCONFIG_FILE, fontconfig is pointed at a config that includes the system's and adds the
 * Liberation faces shipped in resources/fonts (the same files the PDFs embed).
 */
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { FONT_DIR } from './pdf-fonts.ts';

const SYSTEM_FONTS_CONF = '/etc/fonts/fonts.conf';

function xmlText(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Where native code finds `dir` in a packaged app: files unpacked from app.asar lie in app.asar.unpacked. */
export function unpackedPath(dir: string): string {
  return dir.replace(/([\\/])app\.asar(?=[\\/]|$)/, '$1app.asar.unpacked');
}

/** The fontconfig file that adds `fontDir` to the system's fonts (its cache beside it). */
export function fontconfigWithFonts(systemConf: string, fontDir: string, cacheDir: string): string {
  return [
    '<?xml version="1.0"?>',
    '<!DOCTYPE fontconfig SYSTEM "fonts.dtd">',
    '<fontconfig>',
    `  <include ignore_missing="yes">${xmlText(systemConf)}</include>`,
    `  <dir>${xmlText(fontDir)}</dir>`,
    `  <cachedir>${xmlText(cacheDir)}</cachedir>`,
    '</fontconfig>',
    '',
  ].join('\n');
}

let fontsReady = false;

/** Once per process, before librsvg first asks fontconfig for a face (see the header). */
function useShippedFonts(): void {
  if (fontsReady) return;
  fontsReady = true;
  const fontDir = unpackedPath(FONT_DIR);
  if (process.env.FONTCONFIG_FILE || !existsSync(SYSTEM_FONTS_CONF) || !existsSync(fontDir)) return;
  const dir = join(tmpdir(), `laser-workbench-fontconfig-${process.getuid?.() ?? 'user'}`);
  try {
    mkdirSync(dir, { recursive: true });
    const file = join(dir, 'fonts.conf');
    // written beside and renamed, so another process starting at the same moment never reads half a file
    const partial = `${file}.${process.pid}`;
    writeFileSync(partial, fontconfigWithFonts(SYSTEM_FONTS_CONF, fontDir, join(dir, 'cache')));
    renameSync(partial, file);
    process.env.FONTCONFIG_FILE = file;
  } catch {
    // An unwritable temp folder leaves the system's fonts, as before: text may be set in a wider face.
  }
}

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
  useShippedFonts();
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
