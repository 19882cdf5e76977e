import { describe, expect, it } from 'vitest';
import { colorDomain, toHex, valueColor, viridis } from './colormap.ts';
import { smoothSubdivision, type FigureBox } from './heatmap.ts';
import { attentionOverlaySvg } from './overlay.ts';
import { num } from './svg.ts';
import { upsampleGrid } from './upsample.ts';
import { byClass, findAll, parseXml, texts, type XmlElement } from './testing/xml.ts';
import { at, field, first, present } from '../../../test/support/index-access.ts';

// A 200 x 100 image under a 4 x 2 grid of 50 px cells; values rise with the cell index.
const cells: FigureBox[] = [];
for (let r = 0; r < 2; r++) for (let c = 0; c < 4; c++) cells.push([c * 50, r * 50, c * 50 + 50, r * 50 + 50]);
const values = [0, 1, 2, 3, 4, 5, 6, 7];
const image = { href: 'data:image/png;base64,AAAA', width: 200, height: 100 };

function draw(extra: Partial<Parameters<typeof attentionOverlaySvg>[0]> = {}) {
  return parseXml(
    attentionOverlaySvg({ image, cells, values, box: [50, 0, 150, 100], maskedCells: [6, 7], colorbar: true, title: 'Is <this> & "that" red?', ...extra }),
  );
}

function imageFrame(root: XmlElement) {
  const img = first(findAll(root, (e) => e.name === 'image'));
  const x = Number(img.attrs.x);
  const y = Number(img.attrs.y);
  return { x, y, scale: Number(img.attrs.width) / image.width, height: Number(img.attrs.height) };
}

describe('attentionOverlaySvg', () => {
  it('is well-formed, escapes the title and keeps the image aspect', () => {
    const root = draw();
    expect(texts(root)).toContain('Is <this> & "that" red?');
    const f = imageFrame(root);
    expect(f.height / f.scale).toBeCloseTo(100, 6);
  });

  it('colours every cell from the map, lowest value darkest, highest brightest', () => {
    const root = draw();
    const paths = first(byClass(root, 'heatmap')).children;
    expect(paths).toHaveLength(8);
    const fills = paths.map((p) => p.attrs.fill);
    expect(fills).toContain(toHex(at(viridis.table, 0)));
    expect(fills).toContain(toHex(at(viridis.table, 255)));
    // The brightest fill sits on the last cell, at (150, 50) in image pixels.
    const f = imageFrame(root);
    const top = present(
      paths.find((p) => p.attrs.fill === toHex(at(viridis.table, 255))),
      'a cell in the brightest colour',
    );
    const move = present(/^M([\d.]+) ([\d.]+)/.exec(field(top.attrs, 'd')), "a move-to at the start of the cell's path");
    const [mx, my] = [Number(move[1]), Number(move[2])];
    expect(mx).toBeCloseTo(f.x + 150 * f.scale, 1);
    expect(my).toBeCloseTo(f.y + 50 * f.scale, 1);
  });

  it('outlines the crop box just inside its edges', () => {
    const root = draw();
    const f = imageFrame(root);
    const coloured = at(first(byClass(root, 'crop-box')).children, 1);
    const inset = 1.8 / 2 + 0.4;
    expect(Number(coloured.attrs.x)).toBeCloseTo(f.x + 50 * f.scale + inset, 1);
    expect(Number(coloured.attrs.width)).toBeCloseTo(100 * f.scale - 2 * inset, 1);
    expect(Number(coloured.attrs.height)).toBeCloseTo(100 * f.scale - 2 * inset, 1);
  });

  it('draws the true box dashed on its own pixels, with a legend entry, only when given', () => {
    const root = draw({ truthBox: [10, 20, 30, 60] });
    const f = imageFrame(root);
    const dashed = at(first(byClass(root, 'truth-box')).children, 1);
    expect(dashed.attrs['stroke-dasharray']).toBeDefined();
    expect(Number(dashed.attrs.x)).toBeCloseTo(f.x + 10 * f.scale, 1);
    expect(Number(dashed.attrs.y)).toBeCloseTo(f.y + 20 * f.scale, 1);
    expect(Number(dashed.attrs.width)).toBeCloseTo(20 * f.scale, 1);
    expect(Number(dashed.attrs.height)).toBeCloseTo(40 * f.scale, 1);
    expect(texts(root)).toContain('true box');
    expect(byClass(draw(), 'truth-box')).toHaveLength(0);
    expect(texts(draw())).not.toContain('true box');
  });

  it('hatches the masked cells and traces their union as one outline', () => {
    const root = draw();
    const hatched = first(byClass(root, 'masked')).children;
    expect(hatched).toHaveLength(2);
    // Cells 6 and 7 form a 100 x 50 rectangle: four edges, the shared one cancelled.
    const d = field(first(byClass(root, 'masked-outline')).attrs, 'd');
    expect(d.match(/M/g)).toHaveLength(4);
    expect(texts(root)).toContain('masked cells (2)');
  });

  it('labels the colour bar with values at the right heights', () => {
    const root = draw();
    const bar = first(byClass(root, 'colorbar'));
    const rect = present(
      bar.children.find((c) => c.name === 'rect'),
      "the colour bar's rect",
    );
    const y0 = Number(rect.attrs.y);
    const h = Number(rect.attrs.height);
    const labels = byClass(bar, 'tick').map((g) => ({ v: Number(at(g.children, 1).text), y: Number(at(g.children, 0).attrs.y1) }));
    expect(labels.map((l) => l.v)).toEqual([0, 2, 4, 6]);
    for (const l of labels) expect(l.y).toBeCloseTo(y0 + h - (l.v / 7) * h, 1);
  });

  it('veils the part of the image the model did not see', () => {
    const root = draw({ seen: [25, 0, 175, 100] });
    const veil = first(byClass(root, 'unseen'));
    const f = imageFrame(root);
    expect(veil.attrs['fill-rule']).toBe('evenodd');
    // Two subpaths: the whole picture, and the seen part cut out of it.
    const starts = [...field(veil.attrs, 'd').matchAll(/M([\d.]+) ([\d.]+)/g)].map((m) => [Number(m[1]), Number(m[2])]);
    expect(starts).toHaveLength(2);
    expect(at(at(starts, 1), 0)).toBeCloseTo(f.x + 25 * f.scale, 1);
    expect(texts(root)).toContain('not seen by the model');
    expect(byClass(draw({ seen: [0, 0, 200, 100] }), 'unseen')).toHaveLength(0);
  });

  it('leaves out what was not asked for', () => {
    const root = draw({ box: null, maskedCells: [], colorbar: false, title: undefined });
    expect(byClass(root, 'crop-box')).toHaveLength(0);
    expect(byClass(root, 'masked')).toHaveLength(0);
    expect(byClass(root, 'colorbar')).toHaveLength(0);
  });

  it('refuses values that do not match the cells and masked cells that do not exist', () => {
    expect(() => attentionOverlaySvg({ image, cells, values: [1, 2] })).toThrow(RangeError);
    expect(() => attentionOverlaySvg({ image, cells, values, maskedCells: [8] })).toThrow(RangeError);
  });

  it('skips empty cells (cells on padding)', () => {
    const padded: FigureBox[] = [...cells.slice(0, 7), [200, 100, 200, 100]];
    const root = parseXml(attentionOverlaySvg({ image, cells: padded, values }));
    expect(first(byClass(root, 'heatmap')).children).toHaveLength(7);
  });

  it('draws a pad-to-square grid whole: the figure spans the grid, the band outside the picture is padding', () => {
    // the 200 x 100 picture padded to 200 x 200: a 4 x 4 grid of 50 px cells from y = -50 to 150
    const square: FigureBox[] = [];
    for (let r = 0; r < 4; r++) for (let c = 0; c < 4; c++) square.push([c * 50, r * 50 - 50, c * 50 + 50, r * 50]);
    const v = Array.from({ length: 16 }, (_, j) => j);
    const root = parseXml(attentionOverlaySvg({ image, cells: square, values: v, colorbar: true }));
    const f = imageFrame(root);
    const band = byClass(root, 'padding');
    expect(band).toHaveLength(2); // under the map, and over it half-transparent
    expect(texts(root)).toContain('padding');
    // the band's outer rectangle is the grid (50 px above the picture, 200 x 200), its hole the picture
    const d = field(first(findAll(first(band), (e) => e.name === 'path')).attrs, 'd');
    const m = [...d.matchAll(/M([\d.]+) ([\d.]+)/g)].map((x) => [Number(x[1]), Number(x[2])]);
    const [outer, hole] = [at(m, 0), at(m, 1)];
    expect(at(outer, 0)).toBeCloseTo(f.x, 1);
    expect(at(outer, 1)).toBeCloseTo(f.y - 50 * f.scale, 1);
    expect(at(hole, 1)).toBeCloseTo(f.y, 1);
    // every cell is drawn, the first row above the picture
    const heat = first(byClass(root, 'heatmap'));
    const rects = findAll(heat, (e) => e.name === 'path').flatMap((p) => [...field(p.attrs, 'd').matchAll(/M([\d.]+) ([\d.]+)h/g)].map((x) => Number(x[2])));
    expect(rects).toHaveLength(16);
    expect(Math.min(...rects)).toBeCloseTo(f.y - 50 * f.scale, 1);
    // the colour bar spans the grid, not only the picture
    const bar = first(findAll(first(byClass(root, 'colorbar')), (e) => e.name === 'rect'));
    expect(Number(bar.attrs.height)).toBeCloseTo(200 * f.scale, 1);
    // a grid inside the picture has no padding
    expect(byClass(draw(), 'padding')).toHaveLength(0);
    expect(texts(draw())).not.toContain('padding');
  });
});

/** The rectangles of a heatmap group's paths, each with its fill (the d is M x y h w v h h-w z per rectangle, bleed included). */
function heatRects(heat: XmlElement): { fill: string; x: number; y: number; w: number; h: number }[] {
  return findAll(heat, (e) => e.name === 'path').flatMap((p) =>
    [...field(p.attrs, 'd').matchAll(/M([-\d.]+) ([-\d.]+)h([\d.]+)v([\d.]+)h-([\d.]+)z/g)].map((m) => ({
      fill: field(p.attrs, 'fill'),
      x: Number(m[1]),
      y: Number(m[2]),
      w: Number(m[3]),
      h: Number(m[4]),
    })),
  );
}

describe('attentionOverlaySvg, smooth', () => {
  // the 4 x 2 grid of 50 px cells above, upsampled
  const smooth = (mode: 'bilinear' | 'bicubic', extra: Partial<Parameters<typeof attentionOverlaySvg>[0]> = {}) =>
    parseXml(attentionOverlaySvg({ image, cells, values, grid: [2, 4], smooth: mode, colorbar: true, ...extra }));

  for (const mode of ['bilinear', 'bicubic'] as const)
    it(`draws a ${mode} map as vector sub-cells of 2-4 px, each the colour of the upsampled map at its centre, tiling the grid once`, () => {
      const root = smooth(mode);
      const heat = first(byClass(root, 'heatmap'));
      expect(heat.attrs['data-smooth']).toBe(mode);
      expect(findAll(root, (e) => e.name === 'image')).toHaveLength(1); // the picture only: the map is not a raster
      const f = imageFrame(root);
      const k = smoothSubdivision(50 * f.scale);
      expect((50 * f.scale) / k).toBeGreaterThanOrEqual(2);
      expect((50 * f.scale) / k).toBeLessThanOrEqual(4);
      const rects = heatRects(heat);
      expect(rects.length).toBeGreaterThan(cells.length);
      // without the 0.5 px bleed the rectangles cover the grid's 200 x 100 image px once: sizes are written to 0.1 px, so within 1 %
      const area = rects.reduce((t, r) => t + (r.w - 0.5) * (r.h - 0.5), 0);
      expect(Math.abs(area - 200 * 100 * f.scale ** 2)).toBeLessThan(0.01 * 200 * 100 * f.scale ** 2);
      const up = upsampleGrid(values, 2, 4, 4 * k, 2 * k, mode);
      const domain = colorDomain(values, viridis);
      // sub-cells across the grid, at cell corners and edges too
      for (const [X, Y] of [
        [0, 0],
        [k - 1, k - 1],
        [k, k],
        [2 * k + 1, 1],
        [4 * k - 1, 2 * k - 1],
        [Math.floor(1.5 * k), Math.floor(0.5 * k)],
      ] as const) {
        const cx = f.x + ((X + 0.5) * 50 * f.scale) / k;
        const cy = f.y + ((Y + 0.5) * 50 * f.scale) / k;
        const hit = rects.filter((r) => cx >= r.x && cx < r.x + r.w - 0.5 && cy >= r.y && cy < r.y + r.h - 0.5);
        expect(hit, `sub-cell (${X}, ${Y})`).toHaveLength(1);
        expect(first(hit).fill).toBe(toHex(valueColor(viridis, at(up, Y * 4 * k + X), domain)));
      }
    });

  it('keeps cells as they were: no smoothing and "nearest" draw one rectangle per cell, as heatmapCells draws them', () => {
    const plain = attentionOverlaySvg({ image, cells, values, colorbar: true });
    expect(attentionOverlaySvg({ image, cells, values, colorbar: true, smooth: 'nearest', grid: [2, 4] })).toBe(plain);
    const root = parseXml(plain);
    const heat = first(byClass(root, 'heatmap'));
    expect(heat.attrs['data-smooth']).toBeUndefined();
    // the cells' path data as they have always been written: per colour, each cell M x y h w v h h-w z with a 0.5 px bleed, 2 decimals
    const f = imageFrame(root);
    const domain = colorDomain(values, viridis);
    const want = new Map<string, string>();
    cells.forEach((b, j) => {
      const fill = toHex(valueColor(viridis, at(values, j), domain));
      const w = num((b[2] - b[0]) * f.scale + 0.5);
      want.set(fill, `${want.get(fill) ?? ''}M${num(f.x + b[0] * f.scale)} ${num(f.y + b[1] * f.scale)}h${w}v${num((b[3] - b[1]) * f.scale + 0.5)}h-${w}z`);
    });
    expect(heat.children.map((p) => [p.attrs.fill, p.attrs.d])).toEqual([...want]);
  });

  it('draws the padding of a pad-to-square grid as padding under and over a smooth map, as over the cells', () => {
    // the 200 x 100 picture padded to 200 x 200: a 4 x 4 grid of 50 px cells from y = -50 to 150, the first and last rows on padding
    const square: FigureBox[] = [];
    for (let r = 0; r < 4; r++) for (let c = 0; c < 4; c++) square.push([c * 50, r * 50 - 50, c * 50 + 50, r * 50]);
    const v = Array.from({ length: 16 }, (_, j) => (j === 1 ? 5 : j % 3));
    const input = { image, cells: square, values: v, grid: [4, 4] as const, colorbar: true };
    const cellsDoc = parseXml(attentionOverlaySvg(input));
    const root = parseXml(attentionOverlaySvg({ ...input, smooth: 'bicubic' }));
    // in document order: the padding, the map, the padding again half-transparent, then the picture's dashed edge
    const order = root.children.filter((c) => ['padding', 'heatmap'].includes(c.attrs.class ?? '')).map((c) => `${c.attrs.class} ${c.attrs.opacity ?? 1}`);
    expect(order).toEqual(['padding 1', 'heatmap 0.6', 'padding 0.45']);
    // the band is the same as over the cells, and named in the legend
    const bands = (doc: XmlElement) => byClass(doc, 'padding').map((b) => findAll(b, (e) => e.name === 'path').map((p) => p.attrs.d));
    expect(bands(root)).toEqual(bands(cellsDoc));
    expect(texts(root)).toContain('padding');
    // the smooth map spans the grid, padding rows included, clipped to the grid's extent as the cells are
    const f = imageFrame(root);
    const rects = heatRects(first(byClass(root, 'heatmap')));
    expect(Math.min(...rects.map((r) => r.y))).toBeCloseTo(f.y - 50 * f.scale, 1);
    expect(Math.max(...rects.map((r) => r.y + r.h - 0.5))).toBeCloseTo(f.y + 150 * f.scale, 0);
    expect(first(byClass(root, 'heatmap')).attrs['clip-path']).toBe(first(byClass(cellsDoc, 'heatmap')).attrs['clip-path']);
  });

  it('leaves out the sub-cells a NaN reaches and refuses a smooth map without its grid', () => {
    const withNaN = [...values];
    withNaN[0] = NaN;
    const rects = heatRects(first(byClass(smooth('bilinear', { values: withNaN }), 'heatmap')));
    const full = heatRects(first(byClass(smooth('bilinear'), 'heatmap')));
    expect(rects.length).toBeGreaterThan(0);
    const area = (rs: typeof rects) => rs.reduce((t, r) => t + (r.w - 0.5) * (r.h - 0.5), 0);
    expect(area(rects)).toBeLessThan(area(full));
    expect(() => attentionOverlaySvg({ image, cells, values, smooth: 'bilinear' })).toThrow(/needs the cells' grid/);
    expect(() => attentionOverlaySvg({ image, cells, values, smooth: 'bicubic', grid: [3, 3] })).toThrow(/8 cells for a 3x3 grid/);
  });
});
