/**
 * What a PDF needs to embed a TrueType font as a simple (8-bit) font: its metrics, read from the
 * font file's own tables (head, hhea, hmtx, cmap, OS/2, post), and the font cut down to the glyphs
 * a figure uses (`subsetTrueType`). Pure code over the bytes; the subset goes into the PDF
 * (FontFile2), so readers draw the figure's text with the very glyphs it was laid out for, and the
 * text stays text (selectable, searchable).
 */

export interface TrueTypeMetrics {
  unitsPerEm: number;
  /** [xMin, yMin, xMax, yMax] in 1/1000 em, as a PDF FontBBox. */
  bbox: [number, number, number, number];
  ascent: number;
  descent: number;
  capHeight: number;
  italicAngle: number;
  fixedPitch: boolean;
  /** Advance width in 1/1000 em of the glyph a Unicode code point maps to (the .notdef glyph's when unmapped). */
  advance(codePoint: number): number;
  /** The glyph a Unicode code point maps to (0, .notdef, when unmapped). */
  glyph(codePoint: number): number;
}

function fail(why: string): never {
  throw new Error(`Not a usable TrueType font: ${why}.`);
}

export function readTrueType(bytes: Uint8Array): TrueTypeMetrics {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < 12) fail('the file is too short');
  const version = v.getUint32(0);
  if (version !== 0x00010000 && version !== 0x74727565) fail('no TrueType outlines (a CFF or collection file)');
  const tables = new Map<string, { offset: number; length: number }>();
  const n = v.getUint16(4);
  for (let i = 0; i < n; i++) {
    const at = 12 + 16 * i;
    if (at + 16 > bytes.length) fail('its table directory is cut off');
    const tag = String.fromCharCode(...bytes.subarray(at, at + 4));
    tables.set(tag, { offset: v.getUint32(at + 8), length: v.getUint32(at + 12) });
  }
  const table = (tag: string) => {
    const t = tables.get(tag);
    if (!t || t.offset + t.length > bytes.length) fail(`it has no ${tag} table`);
    return t.offset;
  };
  const head = table('head');
  const unitsPerEm = v.getUint16(head + 18);
  if (unitsPerEm < 16) fail(`unitsPerEm is ${unitsPerEm}`);
  const em = (x: number) => Math.round((x * 1000) / unitsPerEm);
  const bbox: [number, number, number, number] = [em(v.getInt16(head + 36)), em(v.getInt16(head + 38)), em(v.getInt16(head + 40)), em(v.getInt16(head + 42))];
  const hhea = table('hhea');
  const numberOfHMetrics = v.getUint16(hhea + 34);
  const hmtx = table('hmtx');
  const advanceOf = (glyph: number) => v.getUint16(hmtx + 4 * Math.min(glyph, numberOfHMetrics - 1));

  // cmap: the Windows Unicode BMP subtable (3, 1), format 4
  const cmap = table('cmap');
  let sub = -1;
  for (let i = 0; i < v.getUint16(cmap + 2); i++) {
    const rec = cmap + 4 + 8 * i;
    if (v.getUint16(rec) === 3 && v.getUint16(rec + 2) === 1) sub = cmap + v.getUint32(rec + 4);
  }
  if (sub < 0 || v.getUint16(sub) !== 4) fail('it has no Windows Unicode (3, 1) format 4 cmap');
  const segs = v.getUint16(sub + 6) / 2;
  const ends = sub + 14;
  const starts = ends + 2 * segs + 2;
  const deltas = starts + 2 * segs;
  const ranges = deltas + 2 * segs;
  const glyphOf = (c: number): number => {
    for (let s = 0; s < segs; s++) {
      if (c > v.getUint16(ends + 2 * s)) continue;
      const start = v.getUint16(starts + 2 * s);
      if (c < start) return 0;
      const delta = v.getUint16(deltas + 2 * s);
      const ro = v.getUint16(ranges + 2 * s);
      if (ro === 0) return (c + delta) & 0xffff;
      const g = v.getUint16(ranges + 2 * s + ro + 2 * (c - start));
      return g === 0 ? 0 : (g + delta) & 0xffff;
    }
    return 0;
  };

  const os2 = tables.has('OS/2') ? table('OS/2') : null;
  const capHeight = os2 !== null && v.getUint16(os2) >= 2 ? em(v.getInt16(os2 + 88)) : Math.round(bbox[3] * 0.7);
  const post = tables.has('post') ? table('post') : null;
  return {
    unitsPerEm,
    bbox,
    ascent: em(v.getInt16(hhea + 4)),
    descent: em(v.getInt16(hhea + 6)),
    capHeight,
    italicAngle: post === null ? 0 : v.getInt32(post + 4) / 65536,
    fixedPitch: post === null ? false : v.getUint32(post + 12) !== 0,
    advance: (c) => em(advanceOf(glyphOf(c))),
    glyph: glyphOf,
  };
}

// ---- subsetting ---------------------------------------------------------------------------------

/** The font's tables by tag, checked to lie inside the file. */
function tableDirectory(bytes: Uint8Array): Map<string, Uint8Array> {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < 12) fail('the file is too short');
  const out = new Map<string, Uint8Array>();
  for (let i = 0; i < v.getUint16(4); i++) {
    const at = 12 + 16 * i;
    if (at + 16 > bytes.length) fail('its table directory is cut off');
    const tag = String.fromCharCode(...bytes.subarray(at, at + 4));
    const offset = v.getUint32(at + 8);
    const length = v.getUint32(at + 12);
    if (offset + length > bytes.length) fail(`its ${tag} table is cut off`);
    out.set(tag, bytes.subarray(offset, offset + length));
  }
  return out;
}

const view = (b: Uint8Array) => new DataView(b.buffer, b.byteOffset, b.byteLength);

/** The glyphs a composite glyph is built from (none for a simple glyph). */
function components(glyph: Uint8Array): number[] {
  if (glyph.length < 10) return [];
  const v = view(glyph);
  if (v.getInt16(0) >= 0) return [];
  const out: number[] = [];
  let at = 10;
  for (;;) {
    if (at + 4 > glyph.length) fail('a composite glyph is cut off');
    const flags = v.getUint16(at);
    out.push(v.getUint16(at + 2));
    at += 4 + (flags & 0x0001 ? 4 : 2) + (flags & 0x0008 ? 2 : flags & 0x0040 ? 4 : flags & 0x0080 ? 8 : 0);
    if (!(flags & 0x0020)) return out;
  }
}

/** A format 4 (3, 1) cmap of the given code point → glyph pairs, one segment each, sorted. */
function cmapFormat4(pairs: [number, number][]): Uint8Array {
  const segs = [...pairs.filter(([c]) => c < 0xffff).sort((a, b) => a[0] - b[0]), [0xffff, 0] as [number, number]];
  const n = segs.length;
  const length = 16 + 8 * n;
  const out = new Uint8Array(12 + length);
  const v = view(out);
  v.setUint16(2, 1); // one subtable
  v.setUint16(4, 3);
  v.setUint16(6, 1);
  v.setUint32(8, 12);
  const t = 12;
  v.setUint16(t, 4);
  v.setUint16(t + 2, length);
  v.setUint16(t + 6, 2 * n);
  const log = Math.floor(Math.log2(n));
  v.setUint16(t + 8, 2 * 2 ** log);
  v.setUint16(t + 10, log);
  v.setUint16(t + 12, 2 * n - 2 * 2 ** log);
  segs.forEach(([c, g], i) => {
    v.setUint16(t + 14 + 2 * i, c); // end
    v.setUint16(t + 16 + 2 * n + 2 * i, c); // start
    v.setUint16(t + 16 + 4 * n + 2 * i, c === 0xffff ? 1 : (g - c) & 0xffff); // delta
    // idRangeOffset 0
  });
  return out;
}

function checksum(b: Uint8Array): number {
  const padded = new Uint8Array(Math.ceil(b.length / 4) * 4);
  padded.set(b);
  const v = view(padded);
  let sum = 0;
  for (let i = 0; i < padded.length; i += 4) sum = (sum + v.getUint32(i)) >>> 0;
  return sum;
}

/**
 * The font cut down to the glyphs of `codePoints` (and .notdef, and the parts of composite
 * glyphs): glyph ids stay as they are (the other glyphs are left empty), the cmap maps only those
 * code points, and the tables a PDF reader does not use for a simple TrueType font (layout,
 * kerning, glyph names, device metrics) are dropped. The name table stays, with its copyright and
 * licence lines. For embedding in a document, as PDF producers do; the font file is not changed.
 */
export function subsetTrueType(bytes: Uint8Array, codePoints: Iterable<number>): Uint8Array {
  const v = view(bytes);
  const version = v.getUint32(0);
  if (version !== 0x00010000 && version !== 0x74727565) fail('no TrueType outlines (a CFF or collection file)');
  const tables = tableDirectory(bytes);
  const need = (tag: string) => tables.get(tag) ?? fail(`it has no ${tag} table`);
  const head = new Uint8Array(need('head'));
  const maxp = need('maxp');
  const loca = need('loca');
  const glyf = need('glyf');
  const numGlyphs = view(maxp).getUint16(4);
  const longLoca = view(head).getInt16(50) === 1;
  const lv = view(loca);
  const glyphAt = (g: number) => {
    const [a, b] = longLoca ? [lv.getUint32(4 * g), lv.getUint32(4 * g + 4)] : [2 * lv.getUint16(2 * g), 2 * lv.getUint16(2 * g + 2)];
    if (b < a || b > glyf.length) fail(`glyph ${g} lies outside the glyf table`);
    return glyf.subarray(a, b);
  };
  const metrics = readTrueType(bytes);
  const pairs: [number, number][] = [];
  const keep = new Set<number>([0]);
  for (const c of new Set(codePoints)) {
    const g = metrics.glyph(c);
    if (g === 0) continue;
    pairs.push([c, g]);
    keep.add(g);
  }
  for (const g of [...keep]) {
    const stack = [g];
    while (stack.length > 0)
      for (const part of components(glyphAt(stack.pop()!)))
        if (part < numGlyphs && !keep.has(part)) {
          keep.add(part);
          stack.push(part);
        }
  }
  // glyf and a long loca: the kept glyphs' bytes, each padded to 4, the others empty
  const offsets = new Uint32Array(numGlyphs + 1);
  let size = 0;
  for (let g = 0; g < numGlyphs; g++) {
    offsets[g] = size;
    if (keep.has(g)) size += Math.ceil(glyphAt(g).length / 4) * 4;
  }
  offsets[numGlyphs] = size;
  const newGlyf = new Uint8Array(size);
  for (const g of keep) if (g < numGlyphs) newGlyf.set(glyphAt(g), offsets[g]);
  const newLoca = new Uint8Array(4 * (numGlyphs + 1));
  offsets.forEach((o, i) => view(newLoca).setUint32(4 * i, o));
  view(head).setInt16(50, 1);
  view(head).setUint32(8, 0); // checksumAdjustment, set below
  // post format 3: no glyph names
  const post = tables.get('post');
  const newPost = post ? new Uint8Array(post.subarray(0, 32)) : null;
  if (newPost) view(newPost).setUint32(0, 0x00030000);

  const out = new Map<string, Uint8Array>([
    ['head', head],
    ['hhea', need('hhea')],
    ['maxp', maxp],
    ['hmtx', need('hmtx')],
    ['cmap', cmapFormat4(pairs)],
    ['loca', newLoca],
    ['glyf', newGlyf],
  ]);
  for (const tag of ['cvt ', 'fpgm', 'prep', 'OS/2', 'name']) if (tables.has(tag)) out.set(tag, tables.get(tag)!);
  if (newPost) out.set('post', newPost);

  const tags = [...out.keys()].sort();
  const n = tags.length;
  let offset = 12 + 16 * n;
  const placed = tags.map((tag) => {
    const data = out.get(tag);
    if (!data) fail(`its ${tag} table went missing while subsetting`);
    const at = offset;
    offset += Math.ceil(data.length / 4) * 4;
    return { tag, data, at };
  });
  const file = new Uint8Array(offset);
  const fv = view(file);
  fv.setUint32(0, 0x00010000);
  fv.setUint16(4, n);
  const log = Math.floor(Math.log2(n));
  fv.setUint16(6, 16 * 2 ** log);
  fv.setUint16(8, log);
  fv.setUint16(10, 16 * n - 16 * 2 ** log);
  placed.forEach(({ tag, data, at }, i) => {
    const rec = 12 + 16 * i;
    for (let k = 0; k < 4; k++) file[rec + k] = tag.charCodeAt(k);
    fv.setUint32(rec + 4, checksum(data));
    fv.setUint32(rec + 8, at);
    fv.setUint32(rec + 12, data.length);
    file.set(data, at);
  });
  const headTable = placed.find((t) => t.tag === 'head');
  if (!headTable) fail('it has no head table');
  fv.setUint32(headTable.at + 8, (0xb1b0afba - checksum(file)) >>> 0);
  return file;
}
