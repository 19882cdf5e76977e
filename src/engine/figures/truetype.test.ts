import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { svgToPdf } from '../../common/figures/pdf.ts';
import { textWidth } from '../../common/figures/text.ts';
import { readTrueType } from '../../common/figures/truetype.ts';
import { vaqCurveSvg } from '../../common/figures/vaq-curve.ts';

// fonts-liberation, which CI installs (the figures' PNGs are laid out with its metrics)
const DIR = '/usr/share/fonts/truetype/liberation';
const SANS = `${DIR}/LiberationSans-Regular.ttf`;
const BOLD = `${DIR}/LiberationSans-Bold.ttf`;
const MONO = `${DIR}/LiberationMono-Regular.ttf`;
const have = existsSync(SANS) && existsSync(BOLD) && existsSync(MONO);

describe.skipIf(!have)('TrueType metrics', () => {
  it("reads Liberation Sans' advances, which are Helvetica's (the builders' layout metrics) for printable ASCII", () => {
    const m = readTrueType(readFileSync(SANS));
    expect(m.unitsPerEm).toBe(2048);
    expect(m.fixedPitch).toBe(false);
    for (let c = 0x20; c <= 0x7e; c++)
      expect([String.fromCharCode(c), m.advance(c)]).toEqual([String.fromCharCode(c), Math.round(textWidth(String.fromCharCode(c), 1000))]);
    const bold = readTrueType(readFileSync(BOLD));
    for (const ch of 'AaWw0.') expect(bold.advance(ch.codePointAt(0)!)).toBe(Math.round(textWidth(ch, 1000, 'bold')));
    expect(m.ascent).toBeGreaterThan(800);
    expect(m.descent).toBeLessThan(-150);
    expect(m.bbox[2]).toBeGreaterThan(m.bbox[0]);
  });

  it('reads Liberation Mono as fixed pitch at 600 / 1000 em', () => {
    const m = readTrueType(readFileSync(MONO));
    expect(m.fixedPitch).toBe(true);
    for (const ch of 'iW_ ') expect(m.advance(ch.codePointAt(0)!)).toBe(600);
  });

  it('embeds the faces a figure uses, whole, as TrueType fonts with their widths', () => {
    const svg = vaqCurveSvg({ vaq: [0.1, 0.5, 0.3], chosen: 1, title: 'VAQ per layer' });
    const ttf = readFileSync(SANS);
    const pdf = Buffer.from(svgToPdf(svg, { fonts: { sans: { ttf }, sansBold: { ttf: readFileSync(BOLD) } } })).toString('latin1');
    expect(pdf).toMatch(/\/Subtype \/TrueType \/BaseFont \/LiberationSans \/FirstChar 32 \/LastChar 255 \/Widths \[278 278 355 556 /);
    expect(pdf).toContain(`/Length1 ${ttf.length}`);
    expect(pdf).toMatch(/\/FontFile2 \d+ 0 R/);
    // the text is still text
    expect(pdf).toContain('(VAQ per layer) Tj');
    // mono is not used by this figure: not listed at all
    expect(pdf).not.toContain('LiberationMono');
    expect(pdf).not.toContain('/Courier');
    expect(() => readTrueType(new Uint8Array(40))).toThrow(/Not a usable TrueType font/);
  });
});
