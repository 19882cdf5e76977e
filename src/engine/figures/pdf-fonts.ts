/**
 * The font files `laser figure` embeds in its PDFs: Liberation Sans and Mono (regular and bold),
 * which share Helvetica's and Courier's advance widths, so the figures' layout holds; the same
 * faces librsvg draws the PNGs with (through fontconfig). Found where Linux distributions install
 * them (CI installs fonts-liberation); a face that is not found is named as a standard PDF font
 * instead, unembedded. Each file is read and deflated once per process.
 */
import { readFile } from 'node:fs/promises';
import { deflateSync } from 'node:zlib';
import type { PdfFaces, PdfFonts } from '../../common/figures/pdf.ts';

const FILES: Record<PdfFaces, string> = {
  sans: 'LiberationSans-Regular.ttf',
  sansBold: 'LiberationSans-Bold.ttf',
  mono: 'LiberationMono-Regular.ttf',
  monoBold: 'LiberationMono-Bold.ttf',
};

/** Debian / Ubuntu (fonts-liberation, fonts-liberation2), Fedora, Arch, Homebrew. */
export const FONT_DIRS = [
  '/usr/share/fonts/truetype/liberation',
  '/usr/share/fonts/truetype/liberation2',
  '/usr/share/fonts/liberation-sans',
  '/usr/share/fonts/liberation-mono',
  '/usr/share/fonts/liberation',
  '/usr/share/fonts/TTF',
  '/opt/homebrew/share/fonts',
  '/usr/local/share/fonts',
];

let loaded: Promise<PdfFonts> | null = null;

async function findFace(file: string, dirs: readonly string[]) {
  for (const dir of dirs) {
    try {
      const ttf = new Uint8Array(await readFile(`${dir}/${file}`));
      return { ttf, deflated: new Uint8Array(deflateSync(ttf, { level: 9 })) };
    } catch {
      // not there: the next folder
    }
  }
  return null;
}

/** The faces found in `dirs` (default FONT_DIRS); cached for the default folders. */
export function pdfFonts(dirs: readonly string[] = FONT_DIRS): Promise<PdfFonts> {
  const load = async () => {
    const out: PdfFonts = {};
    for (const [face, file] of Object.entries(FILES) as [PdfFaces, string][]) {
      const f = await findFace(file, dirs);
      if (f) out[face] = f;
    }
    return out;
  };
  if (dirs !== FONT_DIRS) return load();
  loaded ??= load();
  return loaded;
}
