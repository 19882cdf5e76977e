/**
 * The figures' PDF back-end: an SVG document made by the builders here, drawn as a one-page vector
 * PDF. It is pure code (no Node, no DOM), so `laser figure` and the app's export make the same PDF
 * from the same SVG: one figure, three formats (SVG, PNG from it, PDF from it).
 *
 * It reads the subset of SVG the builders write, not SVG at large: svg / g / a / use with
 * transforms (translate, scale, rotate, matrix), clip paths of rects and paths, rect, line, circle,
 * path (M L H V C S Q T Z, absolute and relative), text and tspan (x, y, dx, dy, size, weight,
 * anchor), image (JPEG, and 8-bit grey or RGB PNG, as data: URIs), fills and strokes with opacity,
 * dashes, caps and joins, vertical or horizontal linear gradients (drawn as 128 bands) and tiled
 * patterns (the hatching of masked cells, drawn as vector tiles). Anything else is an error that
 * names it, so a builder that starts using a new element is caught by the tests.
 *
 * Coordinates: 1 SVG px = 0.75 pt (CSS px are 1/96 in), y down, by one matrix on the page.
 * Text is real text (selectable, searchable). Given font files (`fonts`: TrueType, e.g. Liberation
 * Sans and Mono, which share Helvetica's and Courier's advance widths; the repository ships them,
 * resources/fonts), each font the page uses is embedded as a Type0 font with a CIDFontType2
 * descendant (Identity-H, CIDToGIDMap Identity, a /W array, a ToUnicode CMap), cut down to the
 * glyphs it draws (`subsetGlyphs`, a few KB a face), so every character the face has prints, Greek,
 * arrows and maths included, and copies back as itself (`EmbeddedFont` has the rules: a character
 * the face lacks draws as a look-alike or .notdef and is reported through `warn`). Without them
 * the standard fonts Helvetica and Courier are named, not embedded (each reader supplies its
 * own), WinAnsi-encoded: characters outside WinAnsi are written as '?' (reported too; U+2423 '␣',
 * the builders' visible space, as '_').
 * Shapes are drawn as paths, a closed axis-aligned rectangle as one `re` (`pathOps`). Every stream
 * but the pictures' is deflated (/FlateDecode, zlib at a fixed level by fflate, pure JS, so the
 * same figure gives the same bytes in Node and in the browser): the page's and the groups' drawing,
 * the font files and the ToUnicode CMaps. A PNG's pixels are its own zlib stream as it is, a JPEG
 * its own bytes. The dictionaries (the document information with the figure's provenance, the
 * fonts' names) stay plain text, outside any stream.
 */
import { zlibSync } from 'fflate';
import { monoWidth, textWidth } from './text.ts';
import { readTrueType, subsetGlyphs, type TrueTypeMetrics } from './truetype.ts';
import { parseXml, type XmlElement } from './xml.ts';

export interface PdfInfo {
  title?: string;
  /** What the figure shows and how it was made (model, method, layer, knobs): the numbers that make it reproducible. */
  subject?: string;
  keywords?: string;
  creator?: string;
  /** TrueType files to embed for the sans and mono text (regular and bold); a face left out is named as a standard font instead. */
  fonts?: PdfFonts;
  /** Told, once per font, of the characters it has no glyph for (see `EmbeddedFont`; a standard font: no WinAnsi code), which the PDF draws as .notdef or '?'. */
  warn?: (message: string) => void;
}

/** A TrueType file to embed: each PDF carries it cut down to the glyphs it draws (`subsetTrueType`). */
export interface PdfFontFile {
  ttf: Uint8Array;
}
export type PdfFaces = 'sans' | 'sansBold' | 'mono' | 'monoBold';
export type PdfFonts = Partial<Record<PdfFaces, PdfFontFile>>;

const PT_PER_PX = 0.75;

type Matrix = [number, number, number, number, number, number];
type Rgb = [number, number, number];

interface Style {
  fill: string;
  stroke: string;
  strokeWidth: number;
  fillOpacity: number;
  strokeOpacity: number;
  opacity: number;
  fontSize: number;
  fontWeight: string;
  fontFamily: string;
  textAnchor: string;
  dash: string;
  cap: string;
  join: string;
}

const INITIAL: Style = {
  fill: '#000000',
  stroke: 'none',
  strokeWidth: 1,
  fillOpacity: 1,
  strokeOpacity: 1,
  opacity: 1,
  fontSize: 16,
  fontWeight: 'normal',
  fontFamily: 'sans-serif',
  textAnchor: 'start',
  dash: 'none',
  cap: 'butt',
  join: 'miter',
};

function fail(what: string): never {
  throw new Error(`PDF export: ${what}.`);
}

/** A number as PDF writes it: at most 4 decimals, no exponent, no "-0". */
export function pdfNumber(n: number): string {
  if (!Number.isFinite(n)) fail(`a non-finite number (${n}) in the figure`);
  const r = Math.round(n * 10000) / 10000;
  if (Object.is(r, -0) || r === 0) return '0';
  let s = r.toFixed(4);
  s = s.replace(/\.?0+$/, '');
  return s;
}

const N = pdfNumber;

// ---- colours -----------------------------------------------------------------------------------

const NAMED = new Map<string, Rgb>([
  ['black', [0, 0, 0]],
  ['white', [255, 255, 255]],
  ['red', [255, 0, 0]],
  ['gray', [128, 128, 128]],
  ['grey', [128, 128, 128]],
]);

function parseColor(v: string): Rgb | null {
  const s = v.trim().toLowerCase();
  if (s === 'none' || s === 'transparent') return null;
  // #abc is #aabbcc
  const hex = /^#[0-9a-f]{3}$/.test(s) ? s.replace(/[0-9a-f]/g, (digit) => digit + digit) : s;
  if (/^#[0-9a-f]{6}$/.test(hex)) return [parseInt(hex.slice(1, 3), 16), parseInt(hex.slice(3, 5), 16), parseInt(hex.slice(5, 7), 16)];
  const m = /^rgb\(\s*(\d+)\s*,\s*(\d+)\s*,\s*(\d+)\s*\)$/.exec(s);
  if (m) return [Number(m[1]), Number(m[2]), Number(m[3])];
  const named = NAMED.get(s);
  if (named) return named;
  return fail(`the colour "${v}" is not one this back-end reads`);
}

function rgbOp(c: Rgb, op: 'rg' | 'RG'): string {
  return `${N(c[0] / 255)} ${N(c[1] / 255)} ${N(c[2] / 255)} ${op}`;
}

// ---- transforms and paths ----------------------------------------------------------------------

function numbers(s: string): number[] {
  return (s.match(/[-+]?(?:\d*\.\d+|\d+\.?)(?:[eE][-+]?\d+)?/g) ?? []).map(Number);
}

function multiply(a: Matrix, b: Matrix): Matrix {
  // a then b (a applied first), row-vector convention as PDF's cm
  return [
    a[0] * b[0] + a[1] * b[2],
    a[0] * b[1] + a[1] * b[3],
    a[2] * b[0] + a[3] * b[2],
    a[2] * b[1] + a[3] * b[3],
    a[4] * b[0] + a[5] * b[2] + b[4],
    a[4] * b[1] + a[5] * b[3] + b[5],
  ];
}

/** An SVG transform list as one matrix (the rightmost transform applies first). */
export function parseTransform(t: string): Matrix {
  const m: Matrix = [1, 0, 0, 1, 0, 0];
  const re = /(matrix|translate|scale|rotate|skewX|skewY)\s*\(([^)]*)\)/g;
  const parts: Matrix[] = [];
  let hit: RegExpExecArray | null;
  let consumed = '';
  while ((hit = re.exec(t)) !== null) {
    consumed += hit[0];
    const args = hit[2];
    if (args === undefined) fail(`the transform "${t}" is not one this back-end reads`);
    const v = numbers(args);
    switch (hit[1]) {
      case 'matrix': {
        const [a, b, c, d, e, f] = v;
        if (v.length !== 6 || a === undefined || b === undefined || c === undefined || d === undefined || e === undefined || f === undefined) {
          fail(`matrix() needs 6 numbers in "${t}"`);
        }
        parts.push([a, b, c, d, e, f]);
        break;
      }
      case 'translate':
        parts.push([1, 0, 0, 1, v[0] ?? 0, v[1] ?? 0]);
        break;
      case 'scale':
        parts.push([v[0] ?? 1, 0, 0, v[1] ?? v[0] ?? 1, 0, 0]);
        break;
      case 'rotate': {
        const [degrees = 0, cx, cy] = v;
        const a = (degrees * Math.PI) / 180;
        const r: Matrix = [Math.cos(a), Math.sin(a), -Math.sin(a), Math.cos(a), 0, 0];
        if (cx !== undefined && cy !== undefined) parts.push(multiply(multiply([1, 0, 0, 1, -cx, -cy], r), [1, 0, 0, 1, cx, cy]));
        else parts.push(r);
        break;
      }
      case 'skewX':
        parts.push([1, 0, Math.tan(((v[0] ?? 0) * Math.PI) / 180), 1, 0, 0]);
        break;
      case 'skewY':
        parts.push([1, Math.tan(((v[0] ?? 0) * Math.PI) / 180), 0, 1, 0, 0]);
        break;
    }
  }
  if (consumed.replace(/\s|,/g, '') !== t.replace(/\s|,/g, '')) fail(`the transform "${t}" is not one this back-end reads`);
  // transform="A B" maps a point p to A(B(p)): B first
  return parts.reduceRight((acc, part) => multiply(acc, part), m);
}

function apply(m: Matrix, x: number, y: number): [number, number] {
  return [m[0] * x + m[2] * y + m[4], m[1] * x + m[3] * y + m[5]];
}

interface PathOut {
  ops: string[];
  points: [number, number][];
}

/** The x and y of a written `x y m` or `x y l`, null for any other operator. */
function opPoint(op: string | undefined, operator: 'm' | 'l'): [number, number] | null {
  const parts = op?.split(' ');
  if (parts?.length !== 3 || parts[2] !== operator) return null;
  return [Number(parts[0]), Number(parts[1])];
}

/**
 * Path operators with each closed subpath that is an axis-aligned rectangle walked along x first
 * (`x0 y0 m`, `x1 y0 l`, `x1 y1 l`, `x0 y1 l`, `h`: what an SVG `M x y h w v h h -w z` gives, as
 * the heatmaps' cells are written) as `x0 y0 w h re`, which PDF defines as exactly those four
 * points in that order, closed: the same shape, winding and start, in one operator instead of
 * five. The width and height are the differences of the coordinates as written (4 decimals), so
 * the corners are the same numbers. A rectangle walked along y first stays a path (as `re` it
 * would start at another corner).
 */
export function rectangles(ops: readonly string[]): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < ops.length) {
    const p0 = opPoint(ops[i], 'm');
    const p1 = opPoint(ops[i + 1], 'l');
    const p2 = opPoint(ops[i + 2], 'l');
    const p3 = opPoint(ops[i + 3], 'l');
    const next = ops[i + 5];
    const op = ops[i];
    if (
      op !== undefined &&
      p0 &&
      p1 &&
      p2 &&
      p3 &&
      ops[i + 4] === 'h' &&
      (next === undefined || opPoint(next, 'm') !== null) &&
      p1[1] === p0[1] &&
      p2[0] === p1[0] &&
      p3[1] === p2[1] &&
      p3[0] === p0[0]
    ) {
      out.push(`${op.slice(0, -2)} ${N(p1[0] - p0[0])} ${N(p2[1] - p0[1])} re`);
      i += 5;
    } else {
      if (op !== undefined) out.push(op);
      i++;
    }
  }
  return out;
}

/** An SVG path's d as PDF path operators (m, l, c, h; a closed axis-aligned rectangle as re, `rectangles`), with its points for a bounding box. */
export function pathOps(d: string): PathOut {
  const tokens = d.match(/[MmLlHhVvCcSsQqTtZzAa]|[-+]?(?:\d*\.\d+|\d+\.?)(?:[eE][-+]?\d+)?/g) ?? [];
  const ops: string[] = [];
  const points: [number, number][] = [];
  let i = 0;
  let cmd = '';
  let x = 0;
  let y = 0;
  let sx = 0;
  let sy = 0;
  let lastCtrl: [number, number] | null = null;
  let lastQuad: [number, number] | null = null;
  const num = (): number => {
    const t = tokens[i++];
    if (t === undefined || /[A-Za-z]/.test(t)) fail(`the path "${d.slice(0, 40)}" ends in the middle of a command`);
    return Number(t);
  };
  const cubic = (x1: number, y1: number, x2: number, y2: number, x3: number, y3: number) => {
    ops.push(`${N(x1)} ${N(y1)} ${N(x2)} ${N(y2)} ${N(x3)} ${N(y3)} c`);
    points.push([x1, y1], [x2, y2], [x3, y3]);
    lastCtrl = [x2, y2];
    x = x3;
    y = y3;
  };
  while (i < tokens.length) {
    const token = tokens[i];
    if (token !== undefined && /[A-Za-z]/.test(token)) {
      cmd = token;
      i++;
    } else if (cmd === '') fail(`the path "${d.slice(0, 40)}" does not start with a command`);
    const rel = cmd === cmd.toLowerCase();
    const ox = rel ? x : 0;
    const oy = rel ? y : 0;
    const C = cmd.toUpperCase();
    if (C !== 'C' && C !== 'S') lastCtrl = null;
    if (C !== 'Q' && C !== 'T') lastQuad = null;
    switch (C) {
      case 'M':
        x = ox + num();
        y = oy + num();
        sx = x;
        sy = y;
        ops.push(`${N(x)} ${N(y)} m`);
        points.push([x, y]);
        cmd = rel ? 'l' : 'L';
        break;
      case 'L':
        x = ox + num();
        y = oy + num();
        ops.push(`${N(x)} ${N(y)} l`);
        points.push([x, y]);
        break;
      case 'H':
        x = ox + num();
        ops.push(`${N(x)} ${N(y)} l`);
        points.push([x, y]);
        break;
      case 'V':
        y = oy + num();
        ops.push(`${N(x)} ${N(y)} l`);
        points.push([x, y]);
        break;
      case 'C': {
        const [x1, y1, x2, y2, x3, y3] = [num(), num(), num(), num(), num(), num()];
        cubic(ox + x1, oy + y1, ox + x2, oy + y2, ox + x3, oy + y3);
        break;
      }
      case 'S': {
        const [x2, y2, x3, y3] = [num(), num(), num(), num()];
        const prev: [number, number] = lastCtrl ?? [x, y];
        cubic(2 * x - prev[0], 2 * y - prev[1], ox + x2, oy + y2, ox + x3, oy + y3);
        break;
      }
      case 'Q':
      case 'T': {
        const q: [number, number] = C === 'Q' ? [ox + num(), oy + num()] : lastQuad ? [2 * x - lastQuad[0], 2 * y - lastQuad[1]] : [x, y];
        const ex = ox + num();
        const ey = oy + num();
        const [x0, y0] = [x, y];
        cubic(x0 + (2 / 3) * (q[0] - x0), y0 + (2 / 3) * (q[1] - y0), ex + (2 / 3) * (q[0] - ex), ey + (2 / 3) * (q[1] - ey), ex, ey);
        lastQuad = q;
        break;
      }
      case 'Z':
        ops.push('h');
        x = sx;
        y = sy;
        break;
      default:
        fail(`the path command "${cmd}" (arcs) is not one this back-end draws`);
    }
  }
  return { ops: rectangles(ops), points };
}

// ---- text --------------------------------------------------------------------------------------

/** Unicode to WinAnsiEncoding (the standard fonts' encoding), for what lies outside Latin-1's printable range. */
const WIN_ANSI: Record<number, number> = {
  0x20ac: 0x80,
  0x201a: 0x82,
  0x0192: 0x83,
  0x201e: 0x84,
  0x2026: 0x85,
  0x2020: 0x86,
  0x2021: 0x87,
  0x02c6: 0x88,
  0x2030: 0x89,
  0x0160: 0x8a,
  0x2039: 0x8b,
  0x0152: 0x8c,
  0x017d: 0x8e,
  0x2018: 0x91,
  0x2019: 0x92,
  0x201c: 0x93,
  0x201d: 0x94,
  0x2022: 0x95,
  0x2013: 0x96,
  0x2014: 0x97,
  0x02dc: 0x98,
  0x2122: 0x99,
  0x0161: 0x9a,
  0x203a: 0x9b,
  0x0153: 0x9c,
  0x017e: 0x9e,
  0x0178: 0x9f,
};
const SUBSTITUTE: Record<number, string> = { 0x2423: '_', 0x2212: '-', 0x2009: ' ', 0x202f: ' ', 0x2192: '->', 0x2190: '<-' };

/** `s` in WinAnsiEncoding, byte by byte (a few characters as look-alikes, unmappable ones as '?', added to `missing`). */
function winAnsiBytes(s: string, missing?: Set<number>): number[] {
  const out: number[] = [];
  for (const ch of s) {
    const cp = ch.codePointAt(0) ?? 0x3f;
    const substitute = SUBSTITUTE[cp];
    if (substitute !== undefined) out.push(...winAnsiBytes(substitute, missing));
    else {
      const b = cp >= 0x20 && cp <= 0x7e ? cp : cp >= 0xa0 && cp <= 0xff ? cp : WIN_ANSI[cp];
      if (b === undefined) missing?.add(cp);
      out.push(b ?? 0x3f);
    }
  }
  return out;
}

/** `s` as a PDF literal string in WinAnsiEncoding (unmappable characters as '?', added to `missing`). */
export function winAnsiString(s: string, missing?: Set<number>): string {
  let out = '(';
  for (const b of winAnsiBytes(s, missing)) {
    if (b === 0x28 || b === 0x29 || b === 0x5c) out += '\\' + String.fromCharCode(b);
    else if (b < 0x80) out += String.fromCharCode(b);
    else out += '\\' + b.toString(8).padStart(3, '0');
  }
  return out + ')';
}

function isMono(family: string): boolean {
  return /mono|courier|consolas|menlo/i.test(family);
}

function isBold(weight: string): boolean {
  return weight === 'bold' || Number(weight) >= 600;
}

// ---- the document ------------------------------------------------------------------------------

interface ImageObject {
  name: string;
  dict: string;
  data: Uint8Array;
}

function base64Bytes(b64: string): Uint8Array {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  const clean = b64.replace(/[^A-Za-z0-9+/]/g, '');
  const out = new Uint8Array(Math.floor((clean.length * 3) / 4));
  let o = 0;
  for (let i = 0; i + 1 < clean.length; i += 4) {
    const a = alphabet.indexOf(clean.charAt(i));
    const b = alphabet.indexOf(clean.charAt(i + 1));
    const c = i + 2 < clean.length ? alphabet.indexOf(clean.charAt(i + 2)) : 0;
    const d = i + 3 < clean.length ? alphabet.indexOf(clean.charAt(i + 3)) : 0;
    const n = (a << 18) | (b << 12) | (c << 6) | d;
    if (o < out.length) out[o++] = (n >> 16) & 255;
    if (i + 2 < clean.length && o < out.length) out[o++] = (n >> 8) & 255;
    if (i + 3 < clean.length && o < out.length) out[o++] = n & 255;
  }
  return out.subarray(0, o);
}

/** Byte i of an embedded image, failing with `what` when the image ends before it. */
function byteAt(b: Uint8Array, i: number, what: string): number {
  const v = b[i];
  return v === undefined ? fail(what) : v;
}

/** A JPEG's size and components, from its first start-of-frame marker. */
function jpegInfo(b: Uint8Array): { width: number; height: number; components: number } {
  if (b[0] !== 0xff || b[1] !== 0xd8) fail('an embedded image says it is a JPEG but is not one');
  const cut = 'an embedded JPEG is cut short';
  let i = 2;
  while (i + 9 < b.length) {
    if (b[i] !== 0xff) fail('an embedded JPEG is damaged');
    const marker = byteAt(b, i + 1, cut);
    const len = (byteAt(b, i + 2, cut) << 8) | byteAt(b, i + 3, cut);
    if ((marker >= 0xc0 && marker <= 0xc3) || (marker >= 0xc5 && marker <= 0xc7) || (marker >= 0xc9 && marker <= 0xcb) || (marker >= 0xcd && marker <= 0xcf)) {
      return {
        height: (byteAt(b, i + 5, cut) << 8) | byteAt(b, i + 6, cut),
        width: (byteAt(b, i + 7, cut) << 8) | byteAt(b, i + 8, cut),
        components: byteAt(b, i + 9, cut),
      };
    }
    i += 2 + len;
  }
  return fail('an embedded JPEG has no frame header');
}

/** The big-endian 32-bit word at i of an embedded PNG. */
function u32(b: Uint8Array, i: number): number {
  const cut = 'an embedded PNG is cut short';
  return ((byteAt(b, i, cut) << 24) >>> 0) + (byteAt(b, i + 1, cut) << 16) + (byteAt(b, i + 2, cut) << 8) + byteAt(b, i + 3, cut);
}

/** A PNG's pixels for PDF: its zlib stream as it is, read with PNG predictors (grey or RGB, 8-bit, not interlaced). */
function pngImage(b: Uint8Array): { width: number; height: number; colors: number; data: Uint8Array } {
  const sig = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  if (sig.some((v, k) => b[k] !== v)) fail('an embedded image says it is a PNG but is not one');
  let i = 8;
  let width = 0;
  let height = 0;
  let colors = 0;
  const idat: Uint8Array[] = [];
  while (i + 8 <= b.length) {
    const len = u32(b, i);
    const type = String.fromCharCode(...b.subarray(i + 4, i + 8));
    const body = b.subarray(i + 8, i + 8 + len);
    if (type === 'IHDR') {
      width = u32(body, 0);
      height = u32(body, 4);
      const depth = body[8];
      const colourType = body[9];
      const interlace = body[12];
      if (depth !== 8 || interlace !== 0 || (colourType !== 0 && colourType !== 2)) {
        fail(
          `an embedded PNG is ${colourType === 6 || colourType === 4 ? 'one with an alpha channel' : colourType === 3 ? 'a palette PNG' : `${depth}-bit${interlace ? ', interlaced' : ''}`}; embed pictures for PDF as JPEG or 8-bit RGB PNG`,
        );
      }
      colors = colourType === 2 ? 3 : 1;
    } else if (type === 'IDAT') idat.push(body);
    else if (type === 'IEND') break;
    i += 12 + len;
  }
  const total = idat.reduce((s, c) => s + c.length, 0);
  const data = new Uint8Array(total);
  let o = 0;
  for (const c of idat) {
    data.set(c, o);
    o += c.length;
  }
  return { width, height, colors, data };
}

function imageObject(href: string, name: string): ImageObject {
  const m = /^data:(image\/(?:jpeg|png));base64,(.*)$/s.exec(href);
  const base64 = m?.[2];
  if (!m || base64 === undefined) fail(`an image is not a base64 JPEG or PNG data: URI (${href.slice(0, 30)}…)`);
  const bytes = base64Bytes(base64);
  if (m[1] === 'image/jpeg') {
    const j = jpegInfo(bytes);
    const cs = j.components === 1 ? '/DeviceGray' : j.components === 4 ? '/DeviceCMYK' : '/DeviceRGB';
    return {
      name,
      data: bytes,
      dict: `<< /Type /XObject /Subtype /Image /Width ${j.width} /Height ${j.height} /ColorSpace ${cs} /BitsPerComponent 8 /Filter /DCTDecode /Length ${bytes.length} >>`,
    };
  }
  const p = pngImage(bytes);
  return {
    name,
    data: p.data,
    dict: `<< /Type /XObject /Subtype /Image /Width ${p.width} /Height ${p.height} /ColorSpace ${p.colors === 3 ? '/DeviceRGB' : '/DeviceGray'} /BitsPerComponent 8 /Filter /FlateDecode /DecodeParms << /Predictor 15 /Colors ${p.colors} /BitsPerComponent 8 /Columns ${p.width} >> /Length ${p.data.length} >>`,
  };
}

const FONTS = { F1: 'Helvetica', F2: 'Helvetica-Bold', F3: 'Courier', F4: 'Courier-Bold' } as const;
const FACES: Record<keyof typeof FONTS, PdfFaces> = { F1: 'sans', F2: 'sansBold', F3: 'mono', F4: 'monoBold' };

/** Look-alikes for characters a face has no glyph for: the glyph drawn, the character kept (ToUnicode). */
const LOOKALIKE = new Map(
  Object.entries(SUBSTITUTE)
    .filter(([, to]) => to.length === 1)
    .map(([cp, to]) => [Number(cp), to.charCodeAt(0)]),
);

/** U+XXXX, and the character itself when it prints. */
function describeChar(cp: number): string {
  const hex = `U+${cp.toString(16).toUpperCase().padStart(4, '0')}`;
  return cp > 0x20 && cp !== 0x7f ? `${String.fromCodePoint(cp)} ${hex}` : hex;
}

/**
 * A face embedded as a CIDFont (Type0, Identity-H): each character the page draws in it gets its
 * own CID, 1, 2, ... in the order first drawn, which is also its glyph id in the subset
 * (CIDToGIDMap Identity), so the ToUnicode CMap maps every CID back to its one character, and
 * copying text gives the characters drawn, whichever glyph drew them. The glyph is the face's
 * own; for a character it lacks, a look-alike (LOOKALIKE: ␣ as _) or else its .notdef glyph (an
 * empty box in Liberation), the character listed in `missing`. Each CID's advance is the
 * character's width in the layout's metrics (`width`, text.ts), which for every glyph the face has
 * is the face's own advance (truetype.test checks them all), so a line ends where the layout
 * measured it.
 */
class EmbeddedFont {
  readonly metrics: TrueTypeMetrics;
  /** The character of CID k + 1. */
  readonly chars: number[] = [];
  /** The font's glyph for CID k (0: .notdef). */
  readonly glyphs: number[] = [0];
  readonly cids = new Map<number, number>();
  readonly missing = new Set<number>();

  constructor(
    readonly file: PdfFontFile,
    readonly width: (cp: number) => number,
  ) {
    this.metrics = readTrueType(file.ttf);
  }

  cid(cp: number): number {
    let cid = this.cids.get(cp);
    if (cid !== undefined) return cid;
    const lookalike = LOOKALIKE.get(cp);
    let glyph = this.metrics.glyph(cp);
    if (glyph === 0 && lookalike !== undefined) glyph = this.metrics.glyph(lookalike);
    if (glyph === 0) this.missing.add(cp);
    this.chars.push(cp);
    cid = this.glyphs.push(glyph) - 1;
    if (cid > 0xffff) fail('a figure draws more than 65535 different characters in one font');
    this.cids.set(cp, cid);
    return cid;
  }

  /** `s` as a hex string of CIDs, two bytes each (Identity-H). */
  hex(s: string): string {
    let out = '<';
    for (const ch of s)
      out += this.cid(ch.codePointAt(0) ?? 0xfffd)
        .toString(16)
        .toUpperCase()
        .padStart(4, '0');
    return out + '>';
  }
}

/** A subset's tag: six capital letters from the glyphs it holds (the same subset, the same tag), as PDF 32000 9.6.4 asks. */
function subsetTag(codes: readonly number[]): string {
  let h = 2166136261;
  for (const c of codes) h = Math.imul(h ^ c, 16777619) >>> 0;
  let tag = '';
  for (let i = 0; i < 6; i++) {
    tag += String.fromCharCode(65 + (h % 26));
    h = Math.floor(h / 26) + Math.imul(i + 1, 7919);
  }
  return tag;
}

/** A code point as ToUnicode writes it: UTF-16BE hex. */
function utf16Hex(cp: number): string {
  const units = cp > 0xffff ? [0xd800 + ((cp - 0x10000) >> 10), 0xdc00 + ((cp - 0x10000) & 0x3ff)] : [cp];
  return units.map((u) => u.toString(16).toUpperCase().padStart(4, '0')).join('');
}

/** The ToUnicode CMap of an embedded font: CID k (two bytes) to its character, 100 to a block as the CMap format allows. */
export function toUnicodeCMap(chars: readonly number[]): string {
  const lines = [
    '/CIDInit /ProcSet findresource begin',
    '12 dict begin',
    'begincmap',
    '/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def',
    '/CMapName /Adobe-Identity-UCS def',
    '/CMapType 2 def',
    '1 begincodespacerange',
    '<0000> <FFFF>',
    'endcodespacerange',
  ];
  for (let i = 0; i < chars.length; i += 100) {
    const block = chars.slice(i, i + 100);
    lines.push(`${block.length} beginbfchar`);
    block.forEach((cp, k) => lines.push(`<${(i + k + 1).toString(16).toUpperCase().padStart(4, '0')}> <${utf16Hex(cp)}>`));
    lines.push('endbfchar');
  }
  lines.push('endcmap', 'CMapName currentdict /CMap defineresource pop', 'end', 'end');
  return lines.join('\n');
}

/**
 * The PDF objects of an embedded face: the Type0 font (with `descendant` and `toUnicode` standing
 * for their refs), its CIDFontType2 descendant (`descriptor`), the descriptor (`file`), the font
 * file (the face cut down to the CIDs' glyphs, `subsetGlyphs`), and the ToUnicode CMap; both
 * fonts named with a subset tag.
 */
function type0Objects(
  font: EmbeddedFont,
  name: string,
): { font: string; descendant: string; descriptor: string; file: { dict: string; data: Uint8Array }; toUnicode: { dict: string; data: Uint8Array } } {
  const m = font.metrics;
  const subset = subsetGlyphs(
    font.file.ttf,
    font.glyphs,
    font.chars.map((cp, k) => [cp, k + 1] as const),
  );
  const tagged = `${subsetTag(font.chars)}+${name}`;
  const widths = [m.advance(0xffff), ...font.chars.map((cp) => Math.round(font.width(cp)))];
  const rows: string[] = [];
  for (let i = 0; i < widths.length; i += 16) rows.push(widths.slice(i, i + 16).join(' '));
  const cmap = latin1(toUnicodeCMap(font.chars));
  // flags: 1 fixed pitch, 4 symbolic (glyphs outside the standard Latin set; the CIDs name them)
  const flags = (m.fixedPitch ? 1 : 0) | 4;
  return {
    font: `<< /Type /Font /Subtype /Type0 /BaseFont /${tagged} /Encoding /Identity-H /DescendantFonts [DESCENDANT] /ToUnicode TOUNICODE >>`,
    descendant: `<< /Type /Font /Subtype /CIDFontType2 /BaseFont /${tagged} /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> /FontDescriptor DESCRIPTOR /DW ${widths[0] ?? 0} /W [0 [${rows.join('\n')}]] /CIDToGIDMap /Identity >>`,
    descriptor: `<< /Type /FontDescriptor /FontName /${tagged} /Flags ${flags} /FontBBox [${m.bbox.join(' ')}] /ItalicAngle ${N(m.italicAngle)} /Ascent ${m.ascent} /Descent ${m.descent} /CapHeight ${m.capHeight} /StemV ${name.includes('Bold') ? 120 : 80} /FontFile2 FILE >>`,
    file: deflated(subset, `/Length1 ${subset.length}`),
    toUnicode: deflated(cmap),
  };
}

const EMBEDDED_NAMES: Record<PdfFaces, string> = {
  sans: 'LiberationSans',
  sansBold: 'LiberationSans-Bold',
  mono: 'LiberationMono',
  monoBold: 'LiberationMono-Bold',
};

class Drawing {
  ops: string[] = [];
  /** Transparency groups: a <g> with opacity is drawn once, then composited at that opacity (overlapping children do not add up). */
  readonly forms: { name: string; ops: string[] }[] = [];
  readonly ids = new Map<string, XmlElement>();
  readonly images = new Map<string, ImageObject>();
  readonly states = new Map<string, string>();
  /** The fonts (F1..F4) embedded as CIDFonts, made when the page first draws in one. */
  readonly embedded = new Map<keyof typeof FONTS, EmbeddedFont>();
  /** The characters a standard font (F1..F4, not embedded) drew as '?'. */
  readonly unmapped = new Map<keyof typeof FONTS, Set<number>>();

  constructor(
    root: XmlElement,
    readonly fonts: PdfFonts = {},
  ) {
    const walk = (e: XmlElement) => {
      if (e.attrs.id) this.ids.set(e.attrs.id, e);
      e.children.forEach(walk);
    };
    walk(root);
  }

  alpha(fill: number, stroke: number): string {
    const key = `${N(fill)} ${N(stroke)}`;
    let name = this.states.get(key);
    if (!name) {
      name = `GS${this.states.size + 1}`;
      this.states.set(key, name);
    }
    return `/${name} gs`;
  }

  ref(v: string): XmlElement | null {
    const id = (/^url\(#([^)]+)\)$/.exec(v.trim()) ?? /^#(.+)$/.exec(v.trim()))?.[1];
    if (id === undefined) return null;
    const e = this.ids.get(id);
    if (!e) fail(`nothing in the figure has the id "${id}" it refers to`);
    return e;
  }

  style(e: XmlElement, parent: Style): Style {
    const a = e.attrs;
    const s: Style = { ...parent, opacity: parent.opacity };
    if (a.fill !== undefined) s.fill = a.fill;
    if (a.stroke !== undefined) s.stroke = a.stroke;
    if (a['stroke-width'] !== undefined) s.strokeWidth = Number(a['stroke-width']);
    if (a['fill-opacity'] !== undefined) s.fillOpacity = Number(a['fill-opacity']);
    if (a['stroke-opacity'] !== undefined) s.strokeOpacity = Number(a['stroke-opacity']);
    if (a.opacity !== undefined) s.opacity = parent.opacity * Number(a.opacity);
    if (a['font-size'] !== undefined) s.fontSize = Number(a['font-size']);
    if (a['font-weight'] !== undefined) s.fontWeight = a['font-weight'];
    if (a['font-family'] !== undefined) s.fontFamily = a['font-family'];
    if (a['text-anchor'] !== undefined) s.textAnchor = a['text-anchor'];
    if (a['stroke-dasharray'] !== undefined) s.dash = a['stroke-dasharray'];
    if (a['stroke-linecap'] !== undefined) s.cap = a['stroke-linecap'];
    if (a['stroke-linejoin'] !== undefined) s.join = a['stroke-linejoin'];
    return s;
  }

  /** q, the element's transform and clip; the caller closes with Q. */
  open(e: XmlElement): void {
    this.ops.push('q');
    if (e.attrs.transform) this.ops.push(`${parseTransform(e.attrs.transform).map(N).join(' ')} cm`);
    if (e.attrs['clip-path']) {
      const clip = this.ref(e.attrs['clip-path']);
      if (!clip || clip.name !== 'clipPath') fail(`clip-path="${e.attrs['clip-path']}" does not name a clipPath`);
      for (const c of clip.children) {
        if (c.attrs.transform) fail('a transformed shape inside a clipPath is not supported');
        this.ops.push(...this.shape(c).ops);
      }
      this.ops.push('W n');
    }
  }

  draw(e: XmlElement, parent: Style): void {
    switch (e.name) {
      case 'title':
      case 'desc':
      case 'metadata':
      case 'defs':
      case 'clipPath':
      case 'pattern':
      case 'linearGradient':
      case 'stop':
        return;
      case 'svg':
      case 'g':
      case 'a': {
        const s = this.style(e, parent);
        this.open(e);
        const groupAlpha = e.attrs.opacity === undefined ? 1 : Number(e.attrs.opacity);
        if (groupAlpha < 1) {
          const outer = this.ops;
          this.ops = [];
          for (const c of e.children) this.draw(c, { ...s, opacity: parent.opacity });
          const name = `Fm${this.forms.length + 1}`;
          this.forms.push({ name, ops: this.ops });
          this.ops = outer;
          this.ops.push(this.alpha(groupAlpha, groupAlpha), `/${name} Do`);
        } else {
          for (const c of e.children) this.draw(c, s);
        }
        this.ops.push('Q');
        return;
      }
      case 'use': {
        const target = this.ref(e.attrs['xlink:href'] ?? e.attrs.href ?? '');
        if (!target) fail('a <use> without a reference');
        this.open(e);
        const x = Number(e.attrs.x ?? 0);
        const y = Number(e.attrs.y ?? 0);
        if (x !== 0 || y !== 0) this.ops.push(`1 0 0 1 ${N(x)} ${N(y)} cm`);
        this.draw(target, this.style(e, parent));
        this.ops.push('Q');
        return;
      }
      case 'rect':
      case 'circle':
      case 'ellipse':
      case 'path':
      case 'line':
      case 'polyline':
      case 'polygon':
        this.paint(e, this.style(e, parent));
        return;
      case 'text':
        this.text(e, this.style(e, parent));
        return;
      case 'image':
        this.image(e);
        return;
      default:
        fail(`the <${e.name}> element is not one this back-end draws`);
    }
  }

  shape(e: XmlElement): PathOut {
    const a = e.attrs;
    const n = (k: string, d = 0) => (a[k] === undefined ? d : Number(a[k]));
    switch (e.name) {
      case 'rect': {
        const [x, y, w, h] = [n('x'), n('y'), n('width'), n('height')];
        return {
          ops: [`${N(x)} ${N(y)} ${N(w)} ${N(h)} re`],
          points: [
            [x, y],
            [x + w, y + h],
            [x + w, y],
            [x, y + h],
          ],
        };
      }
      case 'circle':
      case 'ellipse': {
        const [cx, cy] = [n('cx'), n('cy')];
        const rx = e.name === 'circle' ? n('r') : n('rx');
        const ry = e.name === 'circle' ? n('r') : n('ry');
        const k = 0.5522847498;
        return pathOps(
          `M${cx + rx} ${cy}C${cx + rx} ${cy + k * ry} ${cx + k * rx} ${cy + ry} ${cx} ${cy + ry}C${cx - k * rx} ${cy + ry} ${cx - rx} ${cy + k * ry} ${cx - rx} ${cy}` +
            `C${cx - rx} ${cy - k * ry} ${cx - k * rx} ${cy - ry} ${cx} ${cy - ry}C${cx + k * rx} ${cy - ry} ${cx + rx} ${cy - k * ry} ${cx + rx} ${cy}Z`,
        );
      }
      case 'line':
        return pathOps(`M${n('x1')} ${n('y1')}L${n('x2')} ${n('y2')}`);
      case 'polyline':
      case 'polygon': {
        const v = numbers(a.points ?? '');
        let d = '';
        for (let i = 0; i + 1 < v.length; i += 2) d += `${i === 0 ? 'M' : 'L'}${v[i]} ${v[i + 1]}`;
        return pathOps(e.name === 'polygon' ? d + 'Z' : d);
      }
      case 'path':
        return pathOps(a.d ?? '');
      default:
        return fail(`<${e.name}> cannot be used as a shape`);
    }
  }

  paint(e: XmlElement, s: Style): void {
    const shape = this.shape(e);
    const fillRef = s.fill.startsWith('url(') ? this.ref(s.fill) : null;
    const fill = fillRef || e.name === 'line' || e.name === 'polyline' ? null : parseColor(s.fill);
    const stroke = parseColor(s.stroke);
    const fa = s.fillOpacity * s.opacity;
    const sa = s.strokeOpacity * s.opacity;
    if (fillRef) this.paintServer(fillRef, shape, fa);
    if (!fill && !stroke) return;
    this.ops.push('q');
    if (fa < 1 || sa < 1) this.ops.push(this.alpha(fa, sa));
    if (fill) this.ops.push(rgbOp(fill, 'rg'));
    if (stroke) {
      this.ops.push(rgbOp(stroke, 'RG'), `${N(s.strokeWidth)} w`);
      if (s.dash !== 'none') this.ops.push(`[${numbers(s.dash).map(N).join(' ')}] 0 d`);
      if (s.cap !== 'butt') this.ops.push(`${s.cap === 'round' ? 1 : 2} J`);
      if (s.join !== 'miter') this.ops.push(`${s.join === 'round' ? 1 : 2} j`);
    }
    this.ops.push(...shape.ops, fill && stroke ? 'B' : fill ? 'f' : 'S', 'Q');
  }

  /** A gradient or a pattern fill, inside the shape. */
  paintServer(server: XmlElement, shape: PathOut, alpha: number): void {
    const xs = shape.points.map((p) => p[0]);
    const ys = shape.points.map((p) => p[1]);
    const [x0, y0, x1, y1] = [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)];
    this.ops.push('q', ...shape.ops, 'W n');
    if (alpha < 1) this.ops.push(this.alpha(alpha, alpha));
    if (server.name === 'linearGradient') this.gradient(server, x0, y0, x1, y1);
    else if (server.name === 'pattern') this.pattern(server, x0, y0, x1, y1);
    else fail(`fill="url(#${server.attrs.id})" names a <${server.name}>, not a gradient or pattern`);
    this.ops.push('Q');
  }

  gradient(g: XmlElement, x0: number, y0: number, x1: number, y1: number): void {
    if ((g.attrs.gradientUnits ?? 'objectBoundingBox') !== 'objectBoundingBox') fail('only gradients in objectBoundingBox units are drawn');
    const gx1 = Number(g.attrs.x1 ?? 0);
    const gy1 = Number(g.attrs.y1 ?? 0);
    const gx2 = Number(g.attrs.x2 ?? 1);
    const gy2 = Number(g.attrs.y2 ?? 0);
    if (gx1 !== gx2 && gy1 !== gy2) fail('only horizontal or vertical gradients are drawn');
    const stops = g.children
      .filter((c) => c.name === 'stop')
      .map((c) => ({
        at: Number(String(c.attrs.offset ?? '0').replace('%', '')) / (String(c.attrs.offset).endsWith('%') ? 100 : 1),
        color: parseColor(c.attrs['stop-color'] ?? '#000') ?? [0, 0, 0],
      }));
    const [first, ...rest] = stops;
    if (first === undefined) return;
    const colorAtT = (t: number): Rgb => {
      if (t <= first.at) return first.color;
      let a = first;
      for (const b of rest) {
        if (t <= b.at) {
          const f = b.at === a.at ? 0 : (t - a.at) / (b.at - a.at);
          const mix = (c: 0 | 1 | 2) => a.color[c] + f * (b.color[c] - a.color[c]);
          return [mix(0), mix(1), mix(2)];
        }
        a = b;
      }
      return a.color;
    };
    const bands = 128;
    const vertical = gx1 === gx2;
    for (let k = 0; k < bands; k++) {
      const t0 = k / bands;
      const t1 = (k + 1) / bands;
      const color = colorAtT((t0 + t1) / 2);
      // position along the gradient vector, in the box's units
      const from = vertical ? gy1 + t0 * (gy2 - gy1) : gx1 + t0 * (gx2 - gx1);
      const to = vertical ? gy1 + t1 * (gy2 - gy1) : gx1 + t1 * (gx2 - gx1);
      const lo = Math.min(from, to);
      const hi = Math.max(from, to);
      // bands overlap by a hair so no seams show between them
      const pad = 0.02;
      if (vertical) this.ops.push(rgbOp(color, 'rg'), `${N(x0)} ${N(y0 + lo * (y1 - y0) - pad)} ${N(x1 - x0)} ${N((hi - lo) * (y1 - y0) + 2 * pad)} re f`);
      else this.ops.push(rgbOp(color, 'rg'), `${N(x0 + lo * (x1 - x0) - pad)} ${N(y0)} ${N((hi - lo) * (x1 - x0) + 2 * pad)} ${N(y1 - y0)} re f`);
    }
  }

  pattern(p: XmlElement, x0: number, y0: number, x1: number, y1: number): void {
    if ((p.attrs.patternUnits ?? 'objectBoundingBox') !== 'userSpaceOnUse') fail('only patterns in userSpaceOnUse units are drawn');
    const w = Number(p.attrs.width);
    const h = Number(p.attrs.height);
    if (!(w > 0 && h > 0)) fail('a pattern without a tile size');
    const m = p.attrs.patternTransform ? parseTransform(p.attrs.patternTransform) : ([1, 0, 0, 1, 0, 0] as Matrix);
    // the shape's box in the pattern's own space, to know which tiles cover it
    const det = m[0] * m[3] - m[1] * m[2];
    const inv: Matrix = [m[3] / det, -m[1] / det, -m[2] / det, m[0] / det, (m[2] * m[5] - m[3] * m[4]) / det, (m[1] * m[4] - m[0] * m[5]) / det];
    const corners = [apply(inv, x0, y0), apply(inv, x1, y0), apply(inv, x0, y1), apply(inv, x1, y1)];
    const px0 = Math.floor(Math.min(...corners.map((c) => c[0])) / w);
    const px1 = Math.ceil(Math.max(...corners.map((c) => c[0])) / w);
    const py0 = Math.floor(Math.min(...corners.map((c) => c[1])) / h);
    const py1 = Math.ceil(Math.max(...corners.map((c) => c[1])) / h);
    if ((px1 - px0) * (py1 - py0) > 200_000) fail('a pattern would need too many tiles');
    this.ops.push(`${m.map(N).join(' ')} cm`);
    for (let j = py0; j < py1; j++) {
      for (let i = px0; i < px1; i++) {
        this.ops.push('q', `1 0 0 1 ${N(i * w)} ${N(j * h)} cm`);
        for (const c of p.children) this.draw(c, INITIAL);
        this.ops.push('Q');
      }
    }
  }

  text(e: XmlElement, s: Style): void {
    // runs: the element's own text, then each tspan, each at its own position
    interface Run {
      text: string;
      style: Style;
      x: number | null;
      y: number | null;
      dx: number;
      dy: number;
    }
    const first = (v: string | undefined) => (v === undefined ? null : (numbers(v)[0] ?? null));
    const runs: Run[] = [];
    const own = e.text.replace(/\s+/g, ' ').trim();
    if (own.trim() !== '') runs.push({ text: own, style: s, x: null, y: null, dx: 0, dy: 0 });
    for (const c of e.children) {
      if (c.name !== 'tspan') fail(`a <${c.name}> inside <text>`);
      if (c.children.length > 0) fail('nested tspans are not drawn');
      runs.push({
        text: c.text.replace(/\s+/g, ' ').trim(),
        style: this.style(c, s),
        x: first(c.attrs.x),
        y: first(c.attrs.y),
        dx: first(c.attrs.dx) ?? 0,
        dy: first(c.attrs.dy) ?? 0,
      });
    }
    if (runs.length === 0) return;
    const width = (r: Run) => (isMono(r.style.fontFamily) ? monoWidth : textWidth)(r.text, r.style.fontSize, isBold(r.style.fontWeight) ? 'bold' : 'normal');
    let x = first(e.attrs.x) ?? 0;
    let y = first(e.attrs.y) ?? 0;
    x += first(e.attrs.dx) ?? 0;
    y += first(e.attrs.dy) ?? 0;
    // the anchor shifts the whole line (runs placed absolutely restart it; the builders do not mix both)
    const total = runs.reduce((sum, r) => sum + r.dx + width(r), 0);
    const shift = s.textAnchor === 'middle' ? -total / 2 : s.textAnchor === 'end' ? -total : 0;
    x += shift;
    this.open(e);
    this.ops.push('BT');
    for (const r of runs) {
      if (r.x !== null) x = r.x + shift;
      if (r.y !== null) y = r.y;
      x += r.dx;
      y += r.dy;
      const fill = parseColor(r.style.fill);
      if (fill) {
        const mono = isMono(r.style.fontFamily);
        const bold = isBold(r.style.fontWeight);
        const font: keyof typeof FONTS = mono ? (bold ? 'F4' : 'F3') : bold ? 'F2' : 'F1';
        const alpha = r.style.fillOpacity * r.style.opacity;
        this.ops.push(
          this.alpha(alpha, 1),
          rgbOp(fill, 'rg'),
          `/${font} ${N(r.style.fontSize)} Tf`,
          `1 0 0 -1 ${N(x)} ${N(y)} Tm`,
          `${this.encode(font, mono, bold, r.text)} Tj`,
        );
      }
      x += width(r);
    }
    this.ops.push('ET', 'Q');
  }

  /** `text` as a string operand for font `font`: CIDs when its face is embedded, else WinAnsi bytes. */
  encode(font: keyof typeof FONTS, mono: boolean, bold: boolean, text: string): string {
    let embedded = this.embedded.get(font);
    const file = this.fonts[FACES[font]];
    if (!embedded && file) {
      embedded = new EmbeddedFont(file, (cp) => (mono ? monoWidth : textWidth)(String.fromCodePoint(cp), 1000, bold ? 'bold' : 'normal'));
      this.embedded.set(font, embedded);
    }
    if (embedded) return embedded.hex(text);
    const unmapped = this.unmapped.get(font) ?? new Set<number>();
    this.unmapped.set(font, unmapped);
    return winAnsiString(text, unmapped);
  }

  image(e: XmlElement): void {
    const href = e.attrs['xlink:href'] ?? e.attrs.href ?? '';
    let img = this.images.get(href);
    if (!img) {
      img = imageObject(href, `Im${this.images.size + 1}`);
      this.images.set(href, img);
    }
    const n = (k: string) => Number(e.attrs[k] ?? 0);
    this.open(e);
    this.ops.push(`${N(n('width'))} 0 0 ${N(-n('height'))} ${N(n('x'))} ${N(n('y') + n('height'))} cm`, `/${img.name} Do`, 'Q');
  }
}

/** The compression level of every deflated stream: fixed, so that the same figure gives the same bytes (9: the smallest files; a figure's streams deflate in tens of ms). */
const FLATE_LEVEL = 9;

/** A stream object of `data` deflated (zlib, /FlateDecode), its dictionary with `entries` (e.g. a font file's /Length1, its length before) and the /Length after. */
function deflated(data: Uint8Array, entries = ''): { dict: string; data: Uint8Array } {
  const z = zlibSync(data, { level: FLATE_LEVEL });
  return { dict: `<< ${entries ? entries + ' ' : ''}/Filter /FlateDecode /Length ${z.length} >>`, data: z };
}

function latin1(s: string): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i) & 0xff;
  return out;
}

/** A text string for the document information dictionary: PDFDocEncoding's ASCII part as is, anything else as UTF-16BE. */
export function infoString(s: string): string {
  if (/^[\x20-\x7e]*$/.test(s)) return `(${s.replace(/[()\\]/g, (c) => '\\' + c)})`;
  let hex = 'FEFF';
  for (let i = 0; i < s.length; i++) hex += s.charCodeAt(i).toString(16).padStart(4, '0').toUpperCase();
  return `<${hex}>`;
}

/** The figure `svg` as a one-page vector PDF (see the header). */
export function svgToPdf(svg: string, info: PdfInfo = {}): Uint8Array<ArrayBuffer> {
  const root = parseXml(svg);
  if (root.name !== 'svg') fail('the document is not an SVG');
  const width = Number(root.attrs.width);
  const height = Number(root.attrs.height);
  if (!(width > 0 && height > 0)) fail('the SVG declares no width and height in px');
  const d = new Drawing(root, info.fonts);
  d.ops.push(`${N(PT_PER_PX)} 0 0 ${N(-PT_PER_PX)} 0 ${N(height * PT_PER_PX)} cm`);
  const vb = root.attrs.viewBox ? numbers(root.attrs.viewBox) : [];
  const [vx, vy, vw, vh] = vb;
  if (
    vb.length === 4 &&
    vx !== undefined &&
    vy !== undefined &&
    vw !== undefined &&
    vh !== undefined &&
    (vw !== width || vh !== height || vx !== 0 || vy !== 0)
  )
    d.ops.push(`${N(width / vw)} 0 0 ${N(height / vh)} ${N((-vx * width) / vw)} ${N((-vy * height) / vh)} cm`);
  const base = d.style(root, INITIAL);
  for (const c of root.children) d.draw(c, base);
  const content = latin1(d.ops.join('\n'));

  const objects: (string | { dict: string; data: Uint8Array })[] = [];
  const add = (o: string | { dict: string; data: Uint8Array }) => objects.push(o) - 0;
  // 1 catalog, 2 pages, 3 page, 4 content, then fonts, states, images, info
  add('<< /Type /Catalog /Pages 2 0 R >>');
  add('<< /Type /Pages /Kids [3 0 R] /Count 1 >>');
  add('PAGE');
  add(deflated(content));
  const used = (name: string) => d.ops.some((op) => op.includes(`/${name} `)) || d.forms.some((f) => f.ops.some((op) => op.includes(`/${name} `)));
  // only the fonts the page draws with are listed (a reader lists every font in the resources)
  const fontRefs = (Object.entries(FONTS) as [keyof typeof FONTS, string][])
    .filter(([name]) => used(name))
    .map(([name, base]) => {
      const embedded = d.embedded.get(name);
      if (!embedded) {
        const unmapped = [...(d.unmapped.get(name) ?? [])];
        if (unmapped.length > 0) info.warn?.(`${base} (a standard font, not embedded) has no code for ${unmapped.map(describeChar).join(', ')}: drawn as '?'`);
        return `/${name} ${add(`<< /Type /Font /Subtype /Type1 /BaseFont /${base} /Encoding /WinAnsiEncoding >>`)} 0 R`;
      }
      const face = EMBEDDED_NAMES[FACES[name]];
      if (embedded.missing.size > 0)
        info.warn?.(
          `${face} has no glyph for ${[...embedded.missing].map(describeChar).join(', ')}: drawn as its .notdef glyph (an empty box); copied text still gives the characters`,
        );
      const o = type0Objects(embedded, face);
      const file = add(o.file);
      const descriptor = add(o.descriptor.replace('FILE', `${file} 0 R`));
      const descendant = add(o.descendant.replace('DESCRIPTOR', `${descriptor} 0 R`));
      const toUnicode = add(o.toUnicode);
      return `/${name} ${add(o.font.replace('DESCENDANT', `${descendant} 0 R`).replace('TOUNICODE', `${toUnicode} 0 R`))} 0 R`;
    });
  const stateRefs = [...d.states.entries()].map(([key, name]) => {
    const [ca, CA] = key.split(' ');
    return `/${name} ${add(`<< /Type /ExtGState /ca ${ca} /CA ${CA} >>`)} 0 R`;
  });
  const imageRefs = [...d.images.values()].map((img) => `/${img.name} ${add({ dict: img.dict, data: img.data })} 0 R`);
  // forms share the page's resources, so they are written after the page's dictionary is known
  const resourcesRef = add('RESOURCES');
  const formRefs = d.forms.map((f) => {
    const body = latin1(f.ops.join('\n'));
    const big = N(1e6);
    return `/${f.name} ${add(deflated(body, `/Type /XObject /Subtype /Form /BBox [-${big} -${big} ${big} ${big}] /Group << /S /Transparency >> /Resources ${resourcesRef} 0 R`))} 0 R`;
  });
  const xobjects = [...imageRefs, ...formRefs];
  objects[resourcesRef - 1] =
    `<< ${fontRefs.length ? `/Font << ${fontRefs.join(' ')} >>` : ''}${stateRefs.length ? ` /ExtGState << ${stateRefs.join(' ')} >>` : ''}${xobjects.length ? ` /XObject << ${xobjects.join(' ')} >>` : ''} >>`;
  const title = info.title ?? root.children.find((c) => c.name === 'title')?.text ?? '';
  const infoEntries = [
    title ? `/Title ${infoString(title)}` : '',
    info.subject ? `/Subject ${infoString(info.subject)}` : '',
    info.keywords ? `/Keywords ${infoString(info.keywords)}` : '',
    `/Creator ${infoString(info.creator ?? 'LASER Workbench')}`,
    `/Producer ${infoString('LASER Workbench figures (svgToPdf)')}`,
  ].filter((s) => s !== '');
  const infoRef = add(`<< ${infoEntries.join(' ')} >>`);
  objects[2] = `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 ${N(width * PT_PER_PX)} ${N(height * PT_PER_PX)}] /Contents 4 0 R /Resources ${resourcesRef} 0 R >>`;

  const chunks: Uint8Array[] = [];
  let offset = 0;
  const push = (b: Uint8Array) => {
    chunks.push(b);
    offset += b.length;
  };
  // a binary comment line, so transfer tools treat the file as binary
  push(latin1('%PDF-1.4\n%\xe2\xe3\xcf\xd3\n'));
  const offsets: number[] = [];
  objects.forEach((o, k) => {
    offsets.push(offset);
    if (typeof o === 'string') push(latin1(`${k + 1} 0 obj\n${o}\nendobj\n`));
    else {
      push(latin1(`${k + 1} 0 obj\n${o.dict}\nstream\n`));
      push(o.data);
      push(latin1('\nendstream\nendobj\n'));
    }
  });
  const xref = offset;
  let table = `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const o of offsets) table += `${String(o).padStart(10, '0')} 00000 n \n`;
  push(latin1(`${table}trailer\n<< /Size ${objects.length + 1} /Root 1 0 R /Info ${infoRef} 0 R >>\nstartxref\n${xref}\n%%EOF\n`));
  const out = new Uint8Array(offset);
  let o = 0;
  for (const c of chunks) {
    out.set(c, o);
    o += c.length;
  }
  return out;
}
