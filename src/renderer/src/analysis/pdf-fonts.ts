/**
 * The fonts the app's PDF export embeds: the host's (figures.pdfFonts, the faces `laser figure`
 * embeds), asked for once per page, deflated here (CompressionStream's 'deflate' is the zlib
 * format PDF's FlateDecode reads). Without them (a host that has none, or an error) the PDF names
 * the standard fonts instead, as before.
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

async function deflate(bytes: Uint8Array): Promise<Uint8Array | undefined> {
  if (typeof CompressionStream === 'undefined') return undefined;
  const stream = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream().pipeThrough(new CompressionStream('deflate'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

export function pdfFontsFrom(api: Api): Promise<PdfFonts> {
  cached ??= api.call('figures.pdfFonts', {}).then(
    async ({ faces }) => {
      const out: PdfFonts = {};
      for (const f of faces) {
        const ttf = fromBase64(f.ttf);
        out[f.face] = { ttf, deflated: await deflate(ttf) };
      }
      return out;
    },
    () => {
      cached = null;
      return {};
    },
  );
  return cached;
}
