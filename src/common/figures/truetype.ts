/**
 * What a PDF needs to embed a TrueType font as a simple (8-bit) font: its metrics, read from the
 * font file's own tables (head, hhea, hmtx, cmap, OS/2, post). Pure code over the bytes; the font
 * file itself goes into the PDF whole (FontFile2), so readers draw the figure's text with the very
 * glyphs it was laid out for, and the text stays text (selectable, searchable).
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
  };
}
