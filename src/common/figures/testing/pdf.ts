/**
 * Reading back the PDFs `svgToPdf` writes, for tests: the objects through the xref table (each
 * entry checked to point at its object), and the text as a reader extracts it, each string shown
 * decoded through its font's ToUnicode CMap (embedded fonts) or as Latin-1 bytes (the standard
 * fonts' WinAnsi, whose printable Latin-1 part is Latin-1). A reader of this writer's output, not
 * of PDF at large: no compressed object streams, no xref streams, no incremental updates; of the
 * filters, FlateDecode (which it inflates) and DCTDecode (a JPEG, left as it is).
 */
import { unzlibSync } from 'fflate';

export interface PdfObject {
  dict: string;
  /** The stream's bytes, exactly /Length of them; null for an object without a stream. */
  stream: Uint8Array | null;
  /** The stream's bytes through its /Filter: inflated where it is FlateDecode (a PNG predictor's rows left as they are), else as they are; null for no stream. */
  data: Uint8Array | null;
}

const latin1 = (b: Uint8Array) => Array.from(b, (c) => String.fromCharCode(c)).join('');

function fail(why: string): never {
  throw new Error(`not a PDF this reader reads: ${why}`);
}

/** Every object of the file by number, found through the xref table; throws where an entry, startxref or a /Length is wrong. */
export function pdfObjects(pdf: Uint8Array): Map<number, PdfObject> {
  const s = latin1(pdf);
  if (!s.startsWith('%PDF-')) fail('no %PDF- header');
  const tail = /startxref\n(\d+)\n%%EOF\s*$/.exec(s);
  if (!tail?.[1]) fail('no startxref before %%EOF');
  const xref = Number(tail[1]);
  const head = /^xref\n0 (\d+)\n/.exec(s.slice(xref));
  if (!head?.[1]) fail(`startxref (${xref}) does not point at an xref table`);
  const count = Number(head[1]);
  const out = new Map<number, PdfObject>();
  for (let k = 1; k < count; k++) {
    const at = xref + head[0].length + 20 * k;
    const entry = s.slice(at, at + 20);
    if (!/^\d{10} \d{5} n \n$/.test(entry)) fail(`xref entry ${k} is "${entry}"`);
    const offset = Number(entry.slice(0, 10));
    const open = `${k} 0 obj\n`;
    if (s.slice(offset, offset + open.length) !== open) fail(`xref entry ${k} (offset ${offset}) does not point at "${k} 0 obj"`);
    const body = offset + open.length;
    const streamAt = s.indexOf('\nstream\n', body);
    const endAt = s.indexOf('\nendobj\n', body);
    if (endAt < 0) fail(`object ${k} has no endobj`);
    if (streamAt >= 0 && streamAt < endAt) {
      const dict = s.slice(body, streamAt);
      const length = Number(/\/Length (\d+)/.exec(dict)?.[1] ?? fail(`stream ${k} has no /Length`));
      const data = streamAt + '\nstream\n'.length;
      if (s.slice(data + length, data + length + '\nendstream\nendobj\n'.length) !== '\nendstream\nendobj\n')
        fail(`stream ${k}'s /Length ${length} is not its length`);
      const stream = pdf.subarray(data, data + length);
      const filter = /\/Filter \/(\w+)/.exec(dict)?.[1];
      if (filter !== undefined && filter !== 'FlateDecode' && filter !== 'DCTDecode') fail(`stream ${k} has the filter ${filter}`);
      let decoded = stream;
      if (filter === 'FlateDecode') {
        try {
          decoded = unzlibSync(stream);
        } catch (e) {
          fail(`stream ${k} does not inflate (${String(e)})`);
        }
      }
      out.set(k, { dict, stream, data: decoded });
    } else out.set(k, { dict: s.slice(body, endAt), stream: null, data: null });
  }
  return out;
}

/**
 * The file as Latin-1 text with each deflated stream but the pictures' written out inflated (as
 * `qpdf --stream-data=uncompress` shows a file), to search the drawing operators, the text and
 * the CMaps as a person reads them. Not a PDF: the offsets and /Lengths are the file's.
 */
export function pdfUncompressed(pdf: Uint8Array): string {
  const s = latin1(pdf);
  const parts = [s.slice(0, s.indexOf('1 0 obj\n'))];
  for (const [k, o] of pdfObjects(pdf)) {
    const shown = /\/Subtype \/Image/.test(o.dict) ? o.stream : o.data;
    parts.push(`${k} 0 obj\n${o.dict}\n${shown === null ? '' : `stream\n${latin1(shown)}\nendstream\n`}endobj\n`);
  }
  return parts.join('') + s.slice(s.lastIndexOf('trailer\n'));
}

/** A ToUnicode CMap's bfchar and bfrange entries: code (as its hex digits' number) → text. */
export function toUnicodeEntries(cmap: string): Map<number, string> {
  const out = new Map<number, string>();
  const utf16 = (hex: string) => {
    const units: number[] = [];
    for (let i = 0; i < hex.length; i += 4) units.push(parseInt(hex.slice(i, i + 4), 16));
    return String.fromCharCode(...units);
  };
  for (const block of cmap.matchAll(/beginbfchar\n([\s\S]*?)endbfchar/g))
    for (const m of (block[1] ?? '').matchAll(/<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>/g)) out.set(parseInt(m[1] ?? '', 16), utf16(m[2] ?? ''));
  for (const block of cmap.matchAll(/beginbfrange\n([\s\S]*?)endbfrange/g))
    for (const m of (block[1] ?? '').matchAll(/<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>/g)) {
      const first = parseInt(m[1] ?? '', 16);
      const start = parseInt(m[3] ?? '', 16);
      for (let c = first; c <= parseInt(m[2] ?? '', 16); c++) out.set(c, String.fromCodePoint(start + c - first));
    }
  return out;
}

/** The objects a dictionary's `/Key << /Name N 0 R ... >>` entry names, by name. */
function namedRefs(dict: string, key: string): Map<string, number> {
  const inner = new RegExp(`/${key} << ([^>]*) >>`).exec(dict)?.[1] ?? '';
  return new Map([...inner.matchAll(/\/(\S+) (\d+) 0 R/g)].map((m) => [m[1] ?? '', Number(m[2])]));
}

/** A literal string's bytes, its escapes undone. */
function literalBytes(s: string): number[] {
  const out: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const c = s.charAt(i);
    if (c !== '\\') out.push(s.charCodeAt(i));
    else {
      const octal = /^[0-7]{1,3}/.exec(s.slice(i + 1))?.[0];
      if (octal) {
        out.push(parseInt(octal, 8));
        i += octal.length;
      } else out.push(s.charCodeAt(++i));
    }
  }
  return out;
}

export interface PdfFontInfo {
  /** The font dictionary (a Type0 font's, for an embedded face). */
  dict: string;
  /** Its descendant CIDFont's dictionary, for a Type0 font. */
  descendant: string | null;
  /** Its ToUnicode CMap's entries, empty if it has none. */
  toUnicode: Map<number, string>;
  /** The embedded font file (FontFile2), inflated, if any. */
  file: Uint8Array | null;
}

/** The page's fonts by resource name (F1..F4). */
export function pdfFonts(pdf: Uint8Array): Map<string, PdfFontInfo> {
  const objects = pdfObjects(pdf);
  const get = (n: number) => objects.get(n) ?? fail(`object ${n} is referred to but not in the file`);
  const ref = (dict: string, key: string) => {
    const n = new RegExp(`/${key} (\\d+) 0 R`).exec(dict)?.[1];
    return n === undefined ? null : Number(n);
  };
  const page = [...objects.values()].find((o) => o.dict.includes('/Type /Page '));
  if (!page) fail('no page');
  const resources = get(ref(page.dict, 'Resources') ?? fail('the page has no /Resources'));
  const out = new Map<string, PdfFontInfo>();
  for (const [name, n] of namedRefs(resources.dict, 'Font')) {
    const dict = get(n).dict;
    const d = /\/DescendantFonts \[(\d+) 0 R\]/.exec(dict)?.[1];
    const descendant = d === undefined ? null : get(Number(d)).dict;
    const cmapRef = ref(dict, 'ToUnicode');
    const cmap = cmapRef === null ? null : get(cmapRef).data;
    const descriptorRef = ref(descendant ?? dict, 'FontDescriptor');
    const fileRef = descriptorRef === null ? null : ref(get(descriptorRef).dict, 'FontFile2');
    out.set(name, { dict, descendant, toUnicode: cmap ? toUnicodeEntries(latin1(cmap)) : new Map(), file: fileRef === null ? null : get(fileRef).data });
  }
  return out;
}

/**
 * The text of each Tj on the page and in its forms, in drawing order, as a reader extracts it:
 * an embedded font's two-byte codes through its ToUnicode CMap (a code it lacks as U+FFFD), a
 * standard font's bytes as Latin-1.
 */
export function pdfTexts(pdf: Uint8Array): string[] {
  const objects = pdfObjects(pdf);
  const fonts = pdfFonts(pdf);
  const contents = [...objects.values()].filter(
    (o) => o.stream !== null && (/\/Type \/XObject \/Subtype \/Form/.test(o.dict) || !/\/Type|\/Length1|\/Subtype/.test(o.dict)),
  );
  const out: string[] = [];
  for (const c of contents) {
    const ops = latin1(c.data ?? new Uint8Array());
    if (ops.startsWith('/CIDInit')) continue; // a CMap, not content
    let font: PdfFontInfo | undefined;
    for (const m of ops.matchAll(/\/(F\d+) [\d.]+ Tf|<([0-9A-Fa-f]*)> Tj|\(((?:\\.|[^\\)])*)\) Tj/g)) {
      if (m[1] !== undefined) font = fonts.get(m[1]);
      else if (m[2] !== undefined) {
        if (!font) fail('a hex string drawn before any font is set');
        let text = '';
        for (let i = 0; i < m[2].length; i += 4) text += font.toUnicode.get(parseInt(m[2].slice(i, i + 4), 16)) ?? '\ufffd';
        out.push(text);
      } else out.push(String.fromCharCode(...literalBytes(m[3] ?? '')));
    }
  }
  return out;
}
