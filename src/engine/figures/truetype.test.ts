import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { svgToPdf } from '../../common/figures/pdf.ts';
import { FONT_MONO, FONT_SANS, monoWidth, textWidth } from '../../common/figures/text.ts';
import { pdfFonts, pdfObjects, pdfTexts, pdfUncompressed } from '../../common/figures/testing/pdf.ts';
import { present } from '../../../test/support/index-access.ts';
import { readTrueType, subsetTrueType } from '../../common/figures/truetype.ts';
import { vaqCurveSvg } from '../../common/figures/vaq-curve.ts';
import { FONT_DIR } from './pdf-fonts.ts';

// the faces the repository ships (resources/fonts), so these tests hold on any machine
const SANS = readFileSync(join(FONT_DIR, 'LiberationSans-Regular.ttf'));
const BOLD = readFileSync(join(FONT_DIR, 'LiberationSans-Bold.ttf'));
const MONO = readFileSync(join(FONT_DIR, 'LiberationMono-Regular.ttf'));
const MONO_BOLD = readFileSync(join(FONT_DIR, 'LiberationMono-Bold.ttf'));

/** Glyph g's bytes in the glyf table, read through the table directory and loca. */
function glyphBytes(font: Uint8Array, g: number): Uint8Array {
  const v = new DataView(font.buffer, font.byteOffset, font.byteLength);
  const table = (tag: string) => {
    for (let i = 0; i < v.getUint16(4); i++) {
      const at = 12 + 16 * i;
      if (String.fromCharCode(...font.subarray(at, at + 4)) === tag) return v.getUint32(at + 8);
    }
    throw new Error(`no ${tag}`);
  };
  const long = v.getInt16(table('head') + 50) === 1;
  const loca = table('loca');
  const [a, b] = long ? [v.getUint32(loca + 4 * g), v.getUint32(loca + 4 * g + 4)] : [2 * v.getUint16(loca + 2 * g), 2 * v.getUint16(loca + 2 * g + 2)];
  return font.subarray(table('glyf') + a, table('glyf') + b);
}

/** Whether `tool` (from poppler-utils) runs on this machine; tests that need it are skipped where it does not, saying so. */
function has(tool: string): boolean {
  try {
    execFileSync(tool, ['-v'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
const hasPoppler = () => has('pdffonts');

describe('TrueType metrics', () => {
  it("reads Liberation Sans' advances, which are Helvetica's (the builders' layout metrics) for printable ASCII", () => {
    const m = readTrueType(SANS);
    expect(m.unitsPerEm).toBe(2048);
    expect(m.fixedPitch).toBe(false);
    for (let c = 0x20; c <= 0x7e; c++)
      expect([String.fromCharCode(c), m.advance(c)]).toEqual([String.fromCharCode(c), Math.round(textWidth(String.fromCharCode(c), 1000))]);
    const bold = readTrueType(BOLD);
    for (const ch of 'AaWw0.') expect(bold.advance(ch.codePointAt(0)!)).toBe(Math.round(textWidth(ch, 1000, 'bold')));
    expect(m.ascent).toBeGreaterThan(800);
    expect(m.descent).toBeLessThan(-150);
    expect(m.bbox[2]).toBeGreaterThan(m.bbox[0]);
  });

  it('reads Liberation Mono as fixed pitch at 600 / 1000 em', () => {
    const m = readTrueType(MONO);
    expect(m.fixedPitch).toBe(true);
    for (const ch of 'iW_ ') expect(m.advance(ch.codePointAt(0)!)).toBe(600);
  });
});

/**
 * A glyph's outline: its bytes less the hinting instructions, and less the zero bytes that pad it
 * in glyf (a subset pads to 2 bytes, the font to 4); of a composite, only its header (its
 * components' ids are renumbered).
 */
function outline(glyph: Uint8Array): number[] {
  if (glyph.length === 0) return [];
  const v = new DataView(glyph.buffer, glyph.byteOffset, glyph.byteLength);
  const contours = v.getInt16(0);
  if (contours < 0) return [...glyph.subarray(0, 10)];
  const at = 10 + 2 * contours;
  const out = [...glyph.subarray(0, at), ...glyph.subarray(at + 2 + v.getUint16(at))];
  while (out.at(-1) === 0) out.pop();
  return out;
}

describe('subsetTrueType', () => {
  it('keeps the glyphs of the given characters, renumbered from 1 in their order, with their outlines and widths, and nothing else', () => {
    const full = readTrueType(SANS);
    const chars = [...new Set('VAQ per layer0.5é')];
    const sub = subsetTrueType(
      SANS,
      chars.map((c) => c.codePointAt(0)!),
    );
    expect(sub.length).toBeLessThan(6000);
    const m = readTrueType(sub);
    chars.forEach((ch, i) => {
      const cp = ch.codePointAt(0)!;
      expect([ch, m.glyph(cp)]).toEqual([ch, i + 1]);
      expect(m.advance(cp)).toBe(full.advance(cp));
      // the same outline, without its hinting instructions (the subset has no fpgm, prep or cvt for them)
      expect(outline(glyphBytes(sub, m.glyph(cp)))).toEqual(outline(glyphBytes(SANS, full.glyph(cp))));
      const g = glyphBytes(sub, m.glyph(cp));
      if (g.length > 0 && new DataView(g.buffer, g.byteOffset).getInt16(0) >= 0) expect(new DataView(g.buffer, g.byteOffset).getUint16(10 + 2 * g[1]!)).toBe(0);
    });
    // é is a composite in Liberation Sans: its parts (e and the acute) came along, the acute after the listed glyphs, and é names them by their new ids
    const eAcute = glyphBytes(sub, m.glyph('é'.codePointAt(0)!));
    const parts = [new DataView(eAcute.buffer, eAcute.byteOffset).getUint16(12)];
    expect(eAcute.length).toBeGreaterThan(0);
    expect(parts[0]).toBeLessThan(chars.length + 3);
    expect(glyphBytes(sub, parts[0]!).length).toBeGreaterThan(0);
    // a character not asked for maps to nothing
    expect(m.glyph('Z'.codePointAt(0)!)).toBe(0);
    const tags = (font: Uint8Array) => {
      const v = new DataView(font.buffer, font.byteOffset, font.byteLength);
      return Array.from({ length: v.getUint16(4) }, (_, i) => String.fromCharCode(...font.subarray(12 + 16 * i, 16 + 16 * i)));
    };
    expect(tags(sub)).toEqual(['OS/2', 'cmap', 'glyf', 'head', 'hhea', 'hmtx', 'loca', 'maxp', 'name', 'post']);
    // the whole file's checksum is the magic number the head table's adjustment makes it
    const v = new DataView(sub.buffer, sub.byteOffset, sub.byteLength);
    let sum = 0;
    for (let i = 0; i < sub.length; i += 4) sum = (sum + v.getUint32(i)) >>> 0;
    expect(sum).toBe(0xb1b0afba);
  });

  it('gives the layout (text.ts) the very advance widths of every character each face has', () => {
    const faces = [
      [SANS, (s: string) => textWidth(s, 1000)],
      [BOLD, (s: string) => textWidth(s, 1000, 'bold')],
      [MONO, (s: string) => monoWidth(s, 1000)],
      [MONO_BOLD, (s: string) => monoWidth(s, 1000, 'bold')],
    ] as const;
    for (const [file, measure] of faces) {
      const m = readTrueType(file);
      const wrong: string[] = [];
      let covered = 0;
      for (let c = 0x20; c <= 0xffff; c++) {
        if (m.glyph(c) === 0) continue;
        covered++;
        if (measure(String.fromCharCode(c)) !== m.advance(c)) wrong.push(`U+${c.toString(16)}: ${measure(String.fromCharCode(c))} for ${m.advance(c)}`);
      }
      expect(wrong).toEqual([]);
      expect(covered).toBeGreaterThan(2000);
    }
  });
});

describe('PDF fonts', () => {
  const svg = vaqCurveSvg({ vaq: [0.1, 0.5, 0.3], chosen: 1, title: 'VAQ per layer' });
  const pdf = svgToPdf(svg, { fonts: { sans: { ttf: SANS }, sansBold: { ttf: BOLD }, mono: { ttf: MONO } } });
  const text = Buffer.from(pdf).toString('latin1');

  it('embeds a subset of each face the figure uses, as a CIDFont with its widths and a ToUnicode CMap, and keeps the text text', () => {
    expect(text).toMatch(/\/Subtype \/Type0 \/BaseFont \/[A-Z]{6}\+LiberationSans \/Encoding \/Identity-H \/DescendantFonts \[\d+ 0 R\] \/ToUnicode \d+ 0 R/);
    expect(text).toMatch(/\/Subtype \/CIDFontType2 \/BaseFont \/[A-Z]{6}\+LiberationSans \/CIDSystemInfo/);
    expect(text).toMatch(/\/BaseFont \/[A-Z]{6}\+LiberationSans-Bold /);
    expect(text).toMatch(/\/FontFile2 \d+ 0 R/);
    const lengths = [...text.matchAll(/\/Length1 (\d+)/g)].map((m) => Number(m[1]));
    expect(lengths).toHaveLength(2);
    // each face cut to its few glyphs: a few KB (the whole face is 400 KB; the subsets were 30 KB with the font's own glyph ids)
    for (const l of lengths) expect(l).toBeLessThan(5000);
    expect(pdfTexts(pdf)).toContain('VAQ per layer');
    // mono is not used by this figure: not listed at all
    expect(text).not.toContain('LiberationMono');
    expect(text).not.toContain('/Courier');
    expect(pdf.length).toBeLessThan(20_000);
    expect(() => readTrueType(new Uint8Array(40))).toThrow(/Not a usable TrueType font/);
  });

  it.skipIf(!hasPoppler())('opens in poppler with every font embedded and subset, and its text extracts (skipped where poppler-utils is not installed)', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'pdf-fonts-')), 'vaq.pdf');
    writeFileSync(file, pdf);
    const fonts = execFileSync('pdffonts', [file], { encoding: 'utf8' }).trim().split('\n').slice(2);
    expect(fonts).toHaveLength(2);
    // name, type, encoding, emb, sub, uni
    for (const line of fonts) expect(line).toMatch(/^[A-Z]{6}\+LiberationSans(-Bold)?\s+CID TrueType\s+Identity-H\s+yes\s+yes\s+yes\s+/);
    expect(execFileSync('pdftotext', [file, '-'], { encoding: 'utf8' })).toContain('VAQ per layer');
    // the glyphs draw: poppler renders the page without complaining about the fonts
    const r = spawnSync('pdftoppm', ['-r', '72', '-png', file, join(file, '..', 'page')], { encoding: 'utf8' });
    expect([r.status, r.stderr]).toEqual([0, '']);
  });
});

describe('Unicode text in PDFs', () => {
  const LINE = 'α = 0.5, β ≥ 1 → λ';
  const fonts = { sans: { ttf: SANS }, sansBold: { ttf: BOLD }, mono: { ttf: MONO }, monoBold: { ttf: MONO_BOLD } };
  const svg = (body: string) => `<svg xmlns="http://www.w3.org/2000/svg" width="300" height="60">${body}</svg>`;
  const sansLine = svg(`<text x="150" y="20" font-family="${FONT_SANS}" font-size="11" text-anchor="middle">${LINE}</text>`);
  const hexOf = (pdf: Uint8Array) => [...pdfUncompressed(pdf).matchAll(/<([0-9A-F]+)> Tj/g)].map((m) => m[1]!);

  it('writes "α = 0.5, β ≥ 1 → λ" as a valid file whose ToUnicode CMap gives each glyph its character back', () => {
    const warnings: string[] = [];
    const pdf = svgToPdf(sansLine, { fonts, warn: (m) => warnings.push(m) });
    // (a) the structure: every xref entry at its object, startxref at the xref, each stream its /Length long
    const objects = pdfObjects(pdf);
    expect(objects.size).toBeGreaterThan(8);
    // (b) the text: one string of CIDs, which the CMap maps back to the line, one CID per character
    const [hex] = hexOf(pdf);
    expect(hex).toHaveLength(4 * [...LINE].length);
    const font = present(pdfFonts(pdf).get('F1'), 'the sans font F1');
    const cids = hex!.match(/.{4}/g)!.map((h) => parseInt(h, 16));
    expect(cids.map((c) => font.toUnicode.get(c)).join('')).toBe(LINE);
    expect(pdfTexts(pdf)).toEqual([LINE]);
    // every character the face has: nothing to warn about
    expect(warnings).toEqual([]);
    // (c) the subset holds each character's glyph under its CID (CIDToGIDMap Identity), the face's own outline, at the face's width
    expect(font.descendant).toContain('/CIDToGIDMap /Identity');
    const file = present(font.file, 'an embedded font file');
    const sub = readTrueType(file);
    const full = readTrueType(SANS);
    const widths = present(/\/W \[0 \[([\d\s]+)\]\]/.exec(font.descendant ?? ''), 'a /W array')[1]!
      .trim()
      .split(/\s+/)
      .map(Number);
    for (const [i, ch] of [...LINE].entries()) {
      const cp = ch.codePointAt(0)!;
      const cid = cids[i]!;
      expect([ch, sub.glyph(cp)]).toEqual([ch, cid]);
      expect(outline(glyphBytes(file, cid))).toEqual(outline(glyphBytes(SANS, full.glyph(cp))));
      if (ch !== ' ') expect(glyphBytes(file, cid).length).toBeGreaterThan(0);
      expect([ch, widths[cid]]).toEqual([ch, full.advance(cp)]);
    }
    // and the line sits where the layout measured it: centred on x = 150 with text.ts's width
    const tm = present(/1 0 0 -1 ([\d.]+) ([\d.]+) Tm/.exec(pdfUncompressed(pdf)), 'a text matrix');
    expect(Number(tm[1])).toBeCloseTo(150 - textWidth(LINE, 11) / 2, 3);
    const size = pdf.length;
    expect(size).toBeLessThan(8000);
  });

  it('sets each face the same way (bold, mono, mono bold), and keeps the visible space ␣ as ␣ in copied text, drawn as _', () => {
    const pdf = svgToPdf(
      svg(
        `<text x="0" y="10" font-family="${FONT_SANS}" font-weight="bold">${LINE}</text>` +
          `<text x="0" y="30" font-family="${FONT_MONO}">␣${LINE}</text><text x="0" y="50" font-family="${FONT_MONO}" font-weight="bold">−×${LINE}</text>`,
      ),
      { fonts },
    );
    expect(pdfTexts(pdf)).toEqual([LINE, `␣${LINE}`, `−×${LINE}`]);
    const mono = present(pdfFonts(pdf).get('F3'), 'the mono font F3');
    const sub = readTrueType(present(mono.file, 'its file'));
    const underscore = readTrueType(MONO).glyph(0x5f);
    // ␣ (U+2423), which Liberation Mono lacks, is CID 1, drawn with the underscore's outline
    expect(mono.toUnicode.get(1)).toBe('␣');
    expect(outline(glyphBytes(present(mono.file, 'its file'), 1))).toEqual(outline(glyphBytes(MONO, underscore)));
    expect(sub.glyph(0x2423)).toBe(1);
  });

  it('draws a character the face lacks as its .notdef glyph, at the width the layout gave it, tells the caller, and still copies as that character', () => {
    const warnings: string[] = [];
    const pdf = svgToPdf(svg(`<text x="0" y="20" font-family="${FONT_SANS}">x⁺ ∑ 中</text>`), { fonts, warn: (m) => warnings.push(m) });
    expect(warnings).toEqual([
      'LiberationSans has no glyph for ⁺ U+207A, 中 U+4E2D: drawn as its .notdef glyph (an empty box); copied text still gives the characters',
    ]);
    expect(pdfTexts(pdf)).toEqual(['x⁺ ∑ 中']);
    const font = present(pdfFonts(pdf).get('F1'), 'the sans font F1');
    const file = present(font.file, 'its file');
    const widths = present(/\/W \[0 \[([\d\s]+)\]\]/.exec(font.descendant ?? ''), 'a /W array')[1]!
      .trim()
      .split(/\s+/)
      .map(Number);
    // CIDs in order: x 1, ⁺ 2, space 3, ∑ 4, 中 5; the missing ones draw .notdef (glyph 0) at text.ts's estimate
    expect(outline(glyphBytes(file, 2))).toEqual(outline(glyphBytes(SANS, 0)));
    expect(outline(glyphBytes(file, 5))).toEqual(outline(glyphBytes(SANS, 0)));
    expect(outline(glyphBytes(file, 4))).not.toEqual(outline(glyphBytes(SANS, 0)));
    expect([widths[2], widths[5]]).toEqual([textWidth('⁺', 1000), textWidth('中', 1000)]);
    // without the font files: the standard fonts, where the line is WinAnsi and the rest '?', said too
    const plain: string[] = [];
    const standard = svgToPdf(sansLine, { warn: (m) => plain.push(m) });
    expect(pdfTexts(standard)).toEqual(['? = 0.5, ? ? 1 -> ?']);
    expect(plain).toEqual(["Helvetica (a standard font, not embedded) has no code for α U+03B1, β U+03B2, ≥ U+2265, λ U+03BB: drawn as '?'"]);
  });

  it.skipIf(!has('pdftotext'))('gives the line back through pdftotext (skipped where poppler-utils is not installed)', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'pdf-unicode-')), 'line.pdf');
    writeFileSync(file, svgToPdf(sansLine, { fonts }));
    expect(execFileSync('pdftotext', [file, '-'], { encoding: 'utf8' }).trim()).toBe(LINE);
  });
});
