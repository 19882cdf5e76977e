import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { svgToPdf } from '../../common/figures/pdf.ts';
import { textWidth } from '../../common/figures/text.ts';
import { readTrueType, subsetTrueType } from '../../common/figures/truetype.ts';
import { vaqCurveSvg } from '../../common/figures/vaq-curve.ts';
import { FONT_DIR } from './pdf-fonts.ts';

// the faces the repository ships (resources/fonts), so these tests hold on any machine
const SANS = readFileSync(join(FONT_DIR, 'LiberationSans-Regular.ttf'));
const BOLD = readFileSync(join(FONT_DIR, 'LiberationSans-Bold.ttf'));
const MONO = readFileSync(join(FONT_DIR, 'LiberationMono-Regular.ttf'));

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

function hasPoppler(): boolean {
  try {
    execFileSync('pdffonts', ['-v'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

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

describe('subsetTrueType', () => {
  it('keeps the glyphs of the given characters byte for byte, under the same ids and widths, and empties the rest', () => {
    const full = readTrueType(SANS);
    const sub = subsetTrueType(
      SANS,
      [...'VAQ per layer0.5é'].map((c) => c.codePointAt(0)!),
    );
    expect(sub.length).toBeLessThan(SANS.length / 5);
    const m = readTrueType(sub);
    for (const ch of 'VAQ per layer0.5é') {
      const cp = ch.codePointAt(0)!;
      expect(m.glyph(cp)).toBe(full.glyph(cp));
      expect(m.advance(cp)).toBe(full.advance(cp));
      expect(Buffer.from(glyphBytes(sub, m.glyph(cp))).equals(Buffer.from(glyphBytes(SANS, full.glyph(cp))))).toBe(true);
    }
    // é is a composite in Liberation Sans: its parts (e and the acute) came along
    expect(glyphBytes(sub, full.glyph('é'.codePointAt(0)!)).length).toBeGreaterThan(0);
    // a character not asked for maps to nothing, and its glyph is empty
    expect(m.glyph('Z'.codePointAt(0)!)).toBe(0);
    expect(glyphBytes(sub, full.glyph('Z'.codePointAt(0)!)).length).toBe(0);
    // the whole file's checksum is the magic number the head table's adjustment makes it
    const v = new DataView(sub.buffer, sub.byteOffset, sub.byteLength);
    let sum = 0;
    for (let i = 0; i < sub.length; i += 4) sum = (sum + v.getUint32(i)) >>> 0;
    expect(sum).toBe(0xb1b0afba);
  });
});

describe('PDF fonts', () => {
  const svg = vaqCurveSvg({ vaq: [0.1, 0.5, 0.3], chosen: 1, title: 'VAQ per layer' });
  const pdf = svgToPdf(svg, { fonts: { sans: { ttf: SANS }, sansBold: { ttf: BOLD }, mono: { ttf: MONO } } });
  const text = Buffer.from(pdf).toString('latin1');

  it('embeds a subset of each face the figure uses, as a TrueType font file with its widths, and keeps the text text', () => {
    expect(text).toMatch(/\/Subtype \/TrueType \/BaseFont \/[A-Z]{6}\+LiberationSans \/FirstChar 32 \/LastChar 255 \/Widths \[278 278 355 556 /);
    expect(text).toMatch(/\/BaseFont \/[A-Z]{6}\+LiberationSans-Bold /);
    expect(text).toMatch(/\/FontFile2 \d+ 0 R/);
    const lengths = [...text.matchAll(/\/Length1 (\d+)/g)].map((m) => Number(m[1]));
    expect(lengths).toHaveLength(2);
    for (const l of lengths) expect(l).toBeLessThan(BOLD.length / 5);
    expect(text).toContain('(VAQ per layer) Tj');
    // mono is not used by this figure: not listed at all
    expect(text).not.toContain('LiberationMono');
    expect(text).not.toContain('/Courier');
    expect(pdf.length).toBeLessThan(120_000);
    expect(() => readTrueType(new Uint8Array(40))).toThrow(/Not a usable TrueType font/);
  });

  it.skipIf(!hasPoppler())('opens in poppler with every font embedded and subset, and its text extracts', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'pdf-fonts-')), 'vaq.pdf');
    writeFileSync(file, pdf);
    const fonts = execFileSync('pdffonts', [file], { encoding: 'utf8' }).trim().split('\n').slice(2);
    expect(fonts).toHaveLength(2);
    // name, type, encoding, emb, sub, uni
    for (const line of fonts) expect(line).toMatch(/^[A-Z]{6}\+LiberationSans(-Bold)?\s+TrueType\s+WinAnsi\s+yes\s+yes\s+/);
    expect(execFileSync('pdftotext', [file, '-'], { encoding: 'utf8' })).toContain('VAQ per layer');
    // the glyphs draw: poppler renders the page without complaining about the fonts
    const r = spawnSync('pdftoppm', ['-r', '72', '-png', file, join(file, '..', 'page')], { encoding: 'utf8' });
    expect([r.status, r.stderr]).toEqual([0, '']);
  });
});
