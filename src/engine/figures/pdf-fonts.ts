/**
 * The font files PDFs embed: Liberation Sans and Mono 2.1.5 (regular and bold, SIL OFL 1.1),
 * shipped in the repository (resources/fonts, with their licence and where they came from), so a
 * PDF has its fonts on any machine. They share Helvetica's and Courier's advance widths, so the
 * figures' layout holds. `laser figure` embeds them, and the app's export gets the same files from
 * its host (figures.pdfFonts). Each PDF carries only the glyphs it draws (common/figures
 * subsetGlyphs). Read once per process.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { PdfFaces, PdfFonts } from '../../common/figures/pdf.ts';
import { WorkbenchError } from '../../common/contract/errors.ts';
import { packageRoot } from '../library/package-root.ts';

export const FONT_FILES: Record<PdfFaces, string> = {
  sans: 'LiberationSans-Regular.ttf',
  sansBold: 'LiberationSans-Bold.ttf',
  mono: 'LiberationMono-Regular.ttf',
  monoBold: 'LiberationMono-Bold.ttf',
};

/** Where the repository keeps them. */
export const FONT_DIR = join(packageRoot(), 'resources', 'fonts');

let loaded: Promise<PdfFonts> | null = null;

async function load(dir: string): Promise<PdfFonts> {
  const out: PdfFonts = {};
  for (const [face, file] of Object.entries(FONT_FILES) as [PdfFaces, string][]) {
    try {
      out[face] = { ttf: new Uint8Array(await readFile(join(dir, file))) };
    } catch {
      throw new WorkbenchError(
        'not-found',
        `The font file ${join(dir, file)} that PDFs embed is missing.`,
        'It ships with the repository (resources/fonts): restore it from git, or reinstall.',
      );
    }
  }
  return out;
}

/** The four faces from `dir` (default FONT_DIR, cached); a missing file is an error that names it. */
export function pdfFonts(dir: string = FONT_DIR): Promise<PdfFonts> {
  if (dir !== FONT_DIR) return load(dir);
  loaded ??= load(dir).catch((e: unknown) => {
    loaded = null;
    throw e;
  });
  return loaded;
}
