/**
 * What a PDF needs to embed a TrueType font as a CIDFont: its metrics, read from the font file's
 * own tables (head, hhea, hmtx, cmap, OS/2, post), and the font cut down to the glyphs a figure
 * uses, renumbered from 1 (`subsetGlyphs`, `subsetTrueType`). Pure code over the bytes; the subset
 * goes into the PDF (FontFile2), so readers draw the figure's text with the very glyphs it was
 * laid out for, and the text stays text (selectable, searchable).
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

/** Where each component of a composite glyph names its glyph (byte offsets), and where its last component ends; null for a simple glyph. */
function compositeParts(glyph: Uint8Array): { at: number[]; flags: number[]; end: number } | null {
  if (glyph.length < 10) return null;
  const v = view(glyph);
  if (v.getInt16(0) >= 0) return null;
  const at: number[] = [];
  const flags: number[] = [];
  let p = 10;
  for (;;) {
    if (p + 4 > glyph.length) fail('a composite glyph is cut off');
    const f = v.getUint16(p);
    flags.push(p);
    at.push(p + 2);
    p += 4 + (f & 0x0001 ? 4 : 2) + (f & 0x0008 ? 2 : f & 0x0040 ? 4 : f & 0x0080 ? 8 : 0);
    if (p > glyph.length) fail('a composite glyph is cut off');
    if (!(f & 0x0020)) return { at, flags, end: p };
  }
}

/** The glyphs a composite glyph is built from (none for a simple glyph). */
function components(glyph: Uint8Array): number[] {
  const parts = compositeParts(glyph);
  const v = view(glyph);
  return parts === null ? [] : parts.at.map((p) => v.getUint16(p));
}

/**
 * A glyph without its hinting instructions (TrueType bytecode, which needs the fpgm, prep and cvt
 * tables a subset leaves out), its components renumbered by `renumber`. The outline is the same.
 */
function unhinted(glyph: Uint8Array, renumber: (g: number) => number): Uint8Array {
  if (glyph.length === 0) return glyph;
  if (glyph.length < 10) fail('a glyph is cut off');
  const v = view(glyph);
  const contours = v.getInt16(0);
  if (contours >= 0) {
    const at = 10 + 2 * contours;
    if (at + 2 > glyph.length) fail('a glyph is cut off');
    const skip = v.getUint16(at);
    if (at + 2 + skip > glyph.length) fail("a glyph's instructions are cut off");
    const out = new Uint8Array(glyph.length - skip);
    out.set(glyph.subarray(0, at));
    // instructionLength 0, then the flags and coordinates as they were
    out.set(glyph.subarray(at + 2 + skip), at + 2);
    return out;
  }
  const parts = compositeParts(glyph);
  if (parts === null) fail('a composite glyph is cut off');
  const out = new Uint8Array(glyph.subarray(0, parts.end));
  const ov = view(out);
  for (const p of parts.flags) ov.setUint16(p, ov.getUint16(p) & ~0x0100); // WE_HAVE_INSTRUCTIONS off
  for (const p of parts.at) ov.setUint16(p, renumber(ov.getUint16(p)));
  return out;
}

/** A format 4 (3, 1) cmap of the given code point → glyph pairs, one segment each, sorted. */
function cmapFormat4(pairs: readonly (readonly [number, number])[]): Uint8Array {
  const segs = [...pairs.filter(([c]) => c < 0xffff).sort((a, b) => a[0] - b[0]), [0xffff, 0] as const];
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
 * The font cut down to `glyphs`, renumbered: glyph id i of the subset is glyph `glyphs[i]` of the
 * font (`glyphs[0]` should be 0, .notdef; a glyph may be listed more than once, each copy its own
 * id), then the parts of composite glyphs that are not listed, so a subset of n glyphs has ids
 * 0..n-1 (or a few more) and its loca and hmtx tables are n entries long, not the font's 2,600.
 * `cmap` maps code points to the subset's ids (a reader of a PDF CIDFont does not use it, but
 * other tools read it). Kept: the outlines (without hinting instructions: the bytecode needs the
 * fpgm, prep and cvt tables, which are left out with it; PDF readers draw glyphs unhinted at any
 * size), head, hhea, hmtx, maxp, OS/2, post (format 3, no glyph names) and the name table, with
 * its copyright and licence lines; layout, kerning and device tables are dropped. For embedding in
 * a document, as PDF producers do; the font file is not changed.
 */
export function subsetGlyphs(bytes: Uint8Array, glyphs: readonly number[], cmap: Iterable<readonly [number, number]> = []): Uint8Array {
  const v = view(bytes);
  const version = v.getUint32(0);
  if (version !== 0x00010000 && version !== 0x74727565) fail('no TrueType outlines (a CFF or collection file)');
  const tables = tableDirectory(bytes);
  const need = (tag: string) => tables.get(tag) ?? fail(`it has no ${tag} table`);
  const head = new Uint8Array(need('head'));
  const maxp = new Uint8Array(need('maxp'));
  const loca = need('loca');
  const glyf = need('glyf');
  const hhea = new Uint8Array(need('hhea'));
  const hmtx = need('hmtx');
  if (head.length < 54 || maxp.length < 6 || hhea.length < 36) fail('its head, maxp or hhea table is too short');
  const numGlyphs = view(maxp).getUint16(4);
  const longLoca = view(head).getInt16(50) === 1;
  const lv = view(loca);
  if (loca.length < (longLoca ? 4 : 2) * (numGlyphs + 1)) fail('its loca table is too short');
  const glyphAt = (g: number) => {
    if (g >= numGlyphs) fail(`glyph ${g} is not in the font (${numGlyphs} glyphs)`);
    const [a, b] = longLoca ? [lv.getUint32(4 * g), lv.getUint32(4 * g + 4)] : [2 * lv.getUint16(2 * g), 2 * lv.getUint16(2 * g + 2)];
    if (b < a || b > glyf.length) fail(`glyph ${g} lies outside the glyf table`);
    return glyf.subarray(a, b);
  };
  const numberOfHMetrics = view(hhea).getUint16(34);
  if (numberOfHMetrics < 1 || hmtx.length < 4 * numberOfHMetrics + 2 * (numGlyphs - numberOfHMetrics)) fail('its hmtx table is too short');
  const hv = view(hmtx);
  const advanceOf = (g: number) => hv.getUint16(4 * Math.min(g, numberOfHMetrics - 1));
  const lsbOf = (g: number) => (g < numberOfHMetrics ? hv.getInt16(4 * g + 2) : hv.getInt16(4 * numberOfHMetrics + 2 * (g - numberOfHMetrics)));

  // the subset's glyphs: the listed ones, then the parts of composites, each part once
  const order = [...glyphs];
  if (order.length === 0) order.push(0);
  const newId = new Map<number, number>();
  order.forEach((g, i) => {
    if (!newId.has(g)) newId.set(g, i);
  });
  for (let i = 0; i < order.length; i++) {
    const g = order[i];
    if (g === undefined) continue;
    for (const part of components(glyphAt(g)))
      if (!newId.has(part)) {
        newId.set(part, order.length);
        order.push(part);
      }
  }
  if (order.length > 0xffff) fail('a subset cannot hold more than 65535 glyphs');
  const renumber = (g: number) => newId.get(g) ?? fail(`glyph ${g} went missing while subsetting`);
  const outlines = order.map((g) => unhinted(glyphAt(g), renumber));

  // glyf and loca: each glyph padded to 2 bytes; the short loca when it fits
  const size = outlines.reduce((sum, o) => sum + o.length + (o.length % 2), 0);
  const shortLoca = size < 0x20000;
  const newGlyf = new Uint8Array(size);
  const newLoca = new Uint8Array((shortLoca ? 2 : 4) * (order.length + 1));
  const nl = view(newLoca);
  let at = 0;
  outlines.forEach((o, i) => {
    if (shortLoca) nl.setUint16(2 * i, at / 2);
    else nl.setUint32(4 * i, at);
    newGlyf.set(o, at);
    at += o.length + (o.length % 2);
  });
  if (shortLoca) nl.setUint16(2 * order.length, at / 2);
  else nl.setUint32(4 * order.length, at);
  view(head).setInt16(50, shortLoca ? 0 : 1);
  view(head).setUint32(8, 0); // checksumAdjustment, set below

  const newHmtx = new Uint8Array(4 * order.length);
  order.forEach((g, i) => {
    view(newHmtx).setUint16(4 * i, advanceOf(g));
    view(newHmtx).setInt16(4 * i + 2, lsbOf(g));
  });
  view(hhea).setUint16(34, order.length);
  view(maxp).setUint16(4, order.length);
  // no instructions left: no function or instruction definitions, no bytecode
  if (view(maxp).getUint32(0) === 0x00010000 && maxp.length >= 32) {
    view(maxp).setUint16(20, 0);
    view(maxp).setUint16(22, 0);
    view(maxp).setUint16(26, 0);
  }
  // post format 3: no glyph names
  const post = tables.get('post');
  const newPost = post && post.length >= 32 ? new Uint8Array(post.subarray(0, 32)) : null;
  if (newPost) view(newPost).setUint32(0, 0x00030000);

  const out = new Map<string, Uint8Array>([
    ['head', head],
    ['hhea', hhea],
    ['maxp', maxp],
    ['hmtx', newHmtx],
    ['cmap', cmapFormat4([...cmap].filter(([, g]) => g < order.length))],
    ['loca', newLoca],
    ['glyf', newGlyf],
  ]);
  const os2 = tables.get('OS/2');
  if (os2) out.set('OS/2', os2);
  const name = tables.get('name');
  if (name) out.set('name', nameTable(name));
  if (newPost) out.set('post', newPost);
  return fontFile(out);
}

/**
 * The font cut down to the glyphs of `codePoints` (and .notdef, and the parts of composite
 * glyphs), renumbered in the order the code points come (`subsetGlyphs`), its cmap mapping just
 * those code points; ones the font has no glyph for are left out.
 */
export function subsetTrueType(bytes: Uint8Array, codePoints: Iterable<number>): Uint8Array {
  const metrics = readTrueType(bytes);
  const glyphs = [0];
  const ids = new Map<number, number>([[0, 0]]);
  const pairs: [number, number][] = [];
  for (const c of new Set(codePoints)) {
    const g = metrics.glyph(c);
    if (g === 0) continue;
    let id = ids.get(g);
    if (id === undefined) {
      id = glyphs.push(g) - 1;
      ids.set(g, id);
    }
    pairs.push([c, id]);
  }
  return subsetGlyphs(bytes, glyphs, pairs);
}

/** The name IDs a subset keeps: copyright, the font's names and version, trademark, licence and its URL. */
const NAME_IDS = new Set([0, 1, 2, 3, 4, 5, 6, 7, 13, 14]);

/**
 * The name table with only the Windows (platform 3) records of NAME_IDS: the Macintosh copies
 * and the designer, description and vendor URLs go. A table it cannot read is kept as it is.
 */
function nameTable(name: Uint8Array): Uint8Array {
  if (name.length < 6) return name;
  const v = view(name);
  const count = v.getUint16(2);
  const storage = v.getUint16(4);
  if (v.getUint16(0) !== 0 || 6 + 12 * count > name.length) return name;
  const kept: { rec: Uint8Array; text: Uint8Array }[] = [];
  for (let i = 0; i < count; i++) {
    const r = 6 + 12 * i;
    const length = v.getUint16(r + 8);
    const from = storage + v.getUint16(r + 10);
    if (from + length > name.length) return name;
    if (v.getUint16(r) === 3 && NAME_IDS.has(v.getUint16(r + 6))) kept.push({ rec: name.subarray(r, r + 12), text: name.subarray(from, from + length) });
  }
  if (kept.length === 0) return name;
  const head = 6 + 12 * kept.length;
  const out = new Uint8Array(head + kept.reduce((sum, k) => sum + k.text.length, 0));
  const ov = view(out);
  ov.setUint16(2, kept.length);
  ov.setUint16(4, head);
  let at = 0;
  kept.forEach(({ rec, text }, i) => {
    out.set(rec, 6 + 12 * i);
    ov.setUint16(6 + 12 * i + 10, at);
    out.set(text, head + at);
    at += text.length;
  });
  return out;
}

/** A TrueType file of the given tables, with its directory, table checksums and head's checksum adjustment. */
function fontFile(out: ReadonlyMap<string, Uint8Array>): Uint8Array {
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
