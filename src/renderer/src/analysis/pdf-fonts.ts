/**
 * The fonts the app's PDF export embeds: the host's (figures.pdfFonts: the files the repository
 * ships in resources/fonts, which `laser figure` embeds too), asked for once per page; each PDF
 * carries only the glyphs it draws. Without them (an error) the PDF names the standard fonts.
 */
import type { Api } from '../../../common/contract/client.ts';
import type { PdfFonts } from '../../../common/figures/index.ts';

let cached: Promise<PdfFonts> | null = null;

function fromBase64(s: string): Uint8Array {
  const bin = atob(s);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

export function pdfFontsFrom(api: Api): Promise<PdfFonts> {
  cached ??= api.call('figures.pdfFonts', {}).then(
    ({ faces }) => {
      const out: PdfFonts = {};
      for (const f of faces) out[f.face] = { ttf: fromBase64(f.ttf) };
      return out;
    },
    () => {
      cached = null;
      return {};
    },
  );
  return cached;
}
