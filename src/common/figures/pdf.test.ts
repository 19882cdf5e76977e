import { describe, expect, it } from 'vitest';
import { attentionOverlaySvg, decodingTableSvg, vaqCurveSvg } from './index.ts';
import { infoString, parseTransform, pathOps, pdfNumber, svgToPdf, toUnicodeCMap, winAnsiString } from './pdf.ts';
import { pdfObjects, pdfUncompressed, toUnicodeEntries } from './testing/pdf.ts';
import { rgbPngBytes } from './testing/png.ts';
import { present } from '../../../test/support/index-access.ts';

const latin1 = (b: Uint8Array) => Array.from(b, (c) => String.fromCharCode(c)).join('');

/** A valid 8-bit RGB PNG of w x h pixels, zlib "stored" (no compression), CRCs left 0 (readers of PDF do not see them). */
function rgbPng(w: number, h: number, rgb: [number, number, number]): string {
  const raw: number[] = [];
  for (let y = 0; y < h; y++) raw.push(0, ...Array.from({ length: w }, () => rgb).flat());
  let a = 1;
  let b = 0;
  for (const v of raw) {
    a = (a + v) % 65521;
    b = (b + a) % 65521;
  }
  const zlib = [0x78, 0x01, 0x01, raw.length & 255, raw.length >> 8, ~raw.length & 255, (~raw.length >> 8) & 255, ...raw, b >> 8, b & 255, a >> 8, a & 255];
  const bytes = rgbPngBytes(w, h, zlib);
  return `data:image/png;base64,${btoa(String.fromCharCode(...bytes))}`;
}

/**
 * Checks the file's structure: header, every xref entry pointing at its object, startxref at the
 * xref, the trailer, each stream its /Length long and deflated (but a picture's), a font file's
 * /Length1 its length inflated. Returns the file with its streams inflated (`pdfUncompressed`), to
 * search its drawing.
 */
function checkStructure(pdf: Uint8Array): string {
  const s = latin1(pdf);
  expect(s.startsWith('%PDF-1.4\n')).toBe(true);
  expect(s.trimEnd().endsWith('%%EOF')).toBe(true);
  const start = Number(present(/startxref\n(\d+)\n%%EOF\s*$/.exec(s), 'a startxref line before %%EOF')[1]);
  expect(s.slice(start, start + 4)).toBe('xref');
  const count = Number(present(/^xref\n0 (\d+)\n/.exec(s.slice(start)), 'an xref header at startxref')[1]);
  const entries = s
    .slice(start)
    .split('\n')
    .slice(3, 2 + count);
  entries.forEach((line, k) => {
    const off = Number(line.slice(0, 10));
    expect(s.slice(off, off + `${k + 1} 0 obj`.length)).toBe(`${k + 1} 0 obj`);
  });
  expect(s).toMatch(/trailer\n<< \/Size \d+ \/Root 1 0 R \/Info \d+ 0 R >>/);
  // every stream's /Length is its byte count
  for (const m of s.matchAll(/\/Length (\d+)[^\n]*>>\nstream\n/g)) {
    const begin = m.index! + m[0].length;
    expect(s.slice(begin + Number(m[1]), begin + Number(m[1]) + 10)).toBe('\nendstream');
  }
  for (const [k, o] of pdfObjects(pdf)) {
    if (o.stream === null) continue;
    if (/\/Subtype \/Image/.test(o.dict)) continue;
    expect(o.dict, `stream ${k} is deflated`).toMatch(/\/Filter \/FlateDecode \/Length \d+ >>$/);
    const length1 = /\/Length1 (\d+)/.exec(o.dict)?.[1];
    if (length1 !== undefined) expect(o.data?.length).toBe(Number(length1));
  }
  return pdfUncompressed(pdf);
}

describe('svgToPdf', () => {
  it('writes a well-formed one-page PDF the size of the SVG (1 px = 0.75 pt), with the figure as vector paths and real text', () => {
    const svg = vaqCurveSvg({ vaq: [0.1, 0.5, 0.3, 0.2], chosen: 1, fixedLayerRef: 2, searched: [0, 3], title: 'VAQ per layer' });
    const s = checkStructure(svgToPdf(svg, { subject: 'model tiny, layer 1, kHead 2' }));
    const w = Number(/width="([\d.]+)"/.exec(svg)![1]);
    const h = Number(/height="([\d.]+)"/.exec(svg)![1]);
    expect(s).toContain(`/MediaBox [0 0 ${pdfNumber(w * 0.75)} ${pdfNumber(h * 0.75)}]`);
    expect(s).toContain('(VAQ per layer) Tj');
    expect(s).toMatch(/ c\n/); // the chosen layer's circle, as Bezier curves
    expect(s).toContain('/BaseFont /Helvetica ');
    expect(s).not.toContain('/Subtype /Image');
    expect(s).toContain('/Subject (model tiny, layer 1, kHead 2)');
    expect(s).toContain('/Title (VAQ per layer)');
  });

  it('draws the overlay cell by cell over the embedded picture, and the colour bar as bands, not one raster', () => {
    const cells = [
      [0, 0, 10, 10],
      [10, 0, 20, 10],
      [0, 10, 10, 20],
      [10, 10, 20, 20],
    ] as const;
    const svg = attentionOverlaySvg({
      image: { href: rgbPng(4, 4, [200, 10, 10]), width: 20, height: 20 },
      cells: cells.map((c) => [...c]),
      values: Float64Array.from([0.1, 0.4, 0.2, 0.3]),
      box: [0, 0, 10, 10],
      maskedCells: [1],
      colorbar: true,
      colorbarLabel: 'share',
    });
    const s = checkStructure(svgToPdf(svg));
    expect(s.match(/\/Subtype \/Image/g)).toHaveLength(1);
    expect(s).toContain('/Filter /FlateDecode /DecodeParms << /Predictor 15 /Colors 3 /BitsPerComponent 8 /Columns 4 >>');
    expect((s.match(/ re f/g) ?? []).length).toBeGreaterThanOrEqual(128); // the colour bar's bands
    expect(s).toMatch(/\/Im1 Do/);
    expect(s).toContain('(share) Tj');
  });

  it('draws a smooth overlay as its vector sub-cells, every colour of the SVG filled, over the one embedded picture', () => {
    const cells: [number, number, number, number][] = [];
    for (let r = 0; r < 3; r++) for (let c = 0; c < 3; c++) cells.push([c * 10, r * 10, c * 10 + 10, r * 10 + 10]);
    const svg = attentionOverlaySvg({
      image: { href: rgbPng(4, 4, [200, 10, 10]), width: 30, height: 30 },
      cells,
      grid: [3, 3],
      values: Float64Array.from([0, 1, 0, 1, 4, 1, 0, 1, 0]),
      smooth: 'bicubic',
    });
    const heat = present(/<g class="heatmap"[^>]*>(.*?)<\/g>/.exec(svg), 'the heatmap group')[1]!;
    const fills = [...heat.matchAll(/fill="#([0-9a-f]{6})"/g)].map((m) => m[1]!);
    const rects = (heat.match(/z/g) ?? []).length;
    expect(rects).toBeGreaterThan(9);
    const s = checkStructure(svgToPdf(svg));
    expect(s.match(/\/Subtype \/Image/g)).toHaveLength(1);
    for (const hex of fills) {
      const [r, g, b] = [0, 2, 4].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255);
      expect(s, `#${hex} is filled`).toContain(`${pdfNumber(r!)} ${pdfNumber(g!)} ${pdfNumber(b!)} rg`);
    }
    // each sub-cell rectangle one re of the page's content (one operator, not m l l l h), the file smaller than the SVG
    expect((s.match(/ re\n/g) ?? []).length).toBeGreaterThanOrEqual(rects);
    expect(s).not.toMatch(/ l\nh\n/);
    expect(svgToPdf(svg).length).toBeLessThan(svg.length / 2);
  });

  it('deflates its drawing, keeps the metadata plain text, and gives the same bytes for the same figure', () => {
    const svg = vaqCurveSvg({ vaq: [0.1, 0.5, 0.3, 0.2], chosen: 1, title: 'VAQ per layer' });
    const pdf = svgToPdf(svg, { subject: 'model tiny, layer 1' });
    const raw = latin1(pdf);
    // the Info dictionary outside any stream: a reader of the raw bytes (the e2e's provenance check) finds it
    expect(raw).toContain('/Subject (model tiny, layer 1)');
    expect(raw).not.toContain('(VAQ per layer) Tj');
    expect(checkStructure(pdf)).toContain('(VAQ per layer) Tj');
    expect(svgToPdf(svg, { subject: 'model tiny, layer 1' })).toEqual(pdf);
  });

  it('sets the decoding table in Courier for tokens and Helvetica for the rest', () => {
    const svg = decodingTableSvg([{ token: 1, text: ' red', candidates: [{ token: 1, text: ' red', positive: 2, negative: 1, fused: 3 }] }], {
      alpha: 1,
      title: 'Decoding',
    });
    const s = checkStructure(svgToPdf(svg));
    expect(s).toMatch(/\/F[34] [\d.]+ Tf/);
    expect(s).toContain('(_red) Tj'); // the visible space ␣ as '_'
  });

  it('refuses what it does not draw, naming it', () => {
    expect(() => svgToPdf('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><foreignObject/></svg>')).toThrow(/<foreignObject> element/);
    expect(() => svgToPdf('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><path d="M0 0A5 5 0 0 1 10 10"/></svg>')).toThrow(/arcs/);
    expect(() => svgToPdf('<svg xmlns="http://www.w3.org/2000/svg"><rect/></svg>')).toThrow(/no width and height/);
    expect(() =>
      svgToPdf('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><image href="data:image/gif;base64,R0lG" width="1" height="1"/></svg>'),
    ).toThrow(/not a base64 JPEG or PNG/);
  });
});

describe('its parts', () => {
  it('parses transform lists, the rightmost applied first', () => {
    expect(parseTransform('translate(10 20) scale(2)')).toEqual([2, 0, 0, 2, 10, 20]);
    const r = parseTransform('rotate(90 10 10)').map((v) => Math.round(v * 1e9) / 1e9);
    expect(r).toHaveLength(6);
    const [a = NaN, b = NaN, c = NaN, d = NaN, e = NaN, f = NaN] = r;
    // (20, 10) turns a quarter about (10, 10) to (10, 20)
    expect(a * 20 + c * 10 + e).toBeCloseTo(10, 9);
    expect(b * 20 + d * 10 + f).toBeCloseTo(20, 9);

    expect(() => parseTransform('perspective(3)')).toThrow(/transform/);
  });

  it('turns path data into PDF path operators, relative commands included', () => {
    expect(pathOps('M1 2L4 2 4 6z').ops).toEqual(['1 2 m', '4 2 l', '4 6 l', 'h']);
    expect(pathOps('M0 0Q10 0 10 10').ops[1]).toBe('6.6667 0 10 3.3333 10 10 c');
  });

  it('writes a closed axis-aligned rectangle walked along x first as re, the same corners in the same order, and nothing else', () => {
    // a heatmap cell, and one walked the other way along x, as the builders write them
    expect(pathOps('M1 2h3v4h-3z').ops).toEqual(['1 2 3 4 re']);
    expect(pathOps('M4.25 2h-3.125v4.5h3.125zM0.1 0.2h0.3v0.4h-0.3z').ops).toEqual(['4.25 2 -3.125 4.5 re', '0.1 0.2 0.3 0.4 re']);
    expect(pathOps('m1 2h3v4h-3zm10 0h1v1h-1z').ops).toEqual(['1 2 3 4 re', '11 2 1 1 re']);
    // walked along y first (a hole's winding): re would start at another corner
    expect(pathOps('M1 2v4h3v-4z').ops).toEqual(['1 2 m', '1 6 l', '4 6 l', '4 2 l', 'h']);
    // not closed, not a rectangle, or drawn on from its start after the close: as it is
    expect(pathOps('M1 2h3v4h-3').ops).toEqual(['1 2 m', '4 2 l', '4 6 l', '1 6 l']);
    expect(pathOps('M1 2h3v4h-2z').ops).toEqual(['1 2 m', '4 2 l', '4 6 l', '2 6 l', 'h']);
    expect(pathOps('M1 2h3v4h-3zl5 5').ops).toEqual(['1 2 m', '4 2 l', '4 6 l', '1 6 l', 'h', '6 7 l']);
    expect(pathOps('M1 2h3v4h-3v-4z').ops).toHaveLength(6);
    // the corners as written: the width is the difference of the rounded coordinates
    expect(pathOps('M0.00004 0H1.00006V1H0.00004Z').ops).toEqual(['0 0 1.0001 1 re']);
  });

  it('writes ToUnicode CMaps that give CID k its character, 100 entries a block, beyond the BMP as surrogate pairs', () => {
    const chars = [...Array.from({ length: 150 }, (_, i) => 0x3b1 + (i % 25) + 0x100 * Math.floor(i / 25)), 0x1f600];
    const cmap = toUnicodeCMap(chars);
    expect(cmap.match(/^(\d+) beginbfchar$/gm)).toEqual(['100 beginbfchar', '51 beginbfchar']);
    expect(cmap).toContain('<0097> <D83DDE00>');
    const back = toUnicodeEntries(cmap);
    expect(back.size).toBe(151);
    chars.forEach((cp, k) => expect(back.get(k + 1)).toBe(String.fromCodePoint(cp)));
  });

  it('escapes text for the standard fonts in WinAnsi, and info strings as UTF-16 when they need it', () => {
    expect(winAnsiString('a(b)\\ · †')).toBe('(a\\(b\\)\\\\ \\267 \\206)');
    expect(winAnsiString('α')).toBe('(?)');
    expect(infoString('plain')).toBe('(plain)');
    expect(infoString('l* · 5')).toBe('<FEFF006C002A002000B700200035>');
  });
});
