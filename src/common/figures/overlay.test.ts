import { describe, expect, it } from 'vitest';
import { toHex, viridis } from './colormap.ts';
import type { FigureBox } from './heatmap.ts';
import { attentionOverlaySvg } from './overlay.ts';
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
