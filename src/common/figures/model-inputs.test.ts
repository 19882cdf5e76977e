import { describe, expect, it } from 'vitest';
import { colorDomain, toHex, valueColor, viridis } from './colormap.ts';
import { smoothSubdivision } from './heatmap.ts';
import { gridCells, modelInputsSvg } from './model-inputs.ts';
import { byClass, findAll, parseXml, texts } from './testing/xml.ts';
import { upsampleGrid } from './upsample.ts';
import { at, field, first, present } from '../../../test/support/index-access.ts';

const image = (width: number, height: number) => ({ href: 'data:image/png;base64,AAAA', width, height });

describe('modelInputsSvg', () => {
  it('tiles each picture evenly with its own grid, whatever its shape', () => {
    expect(gridCells(84, 56, [2, 3])).toEqual([
      [0, 0, 28, 28],
      [28, 0, 56, 28],
      [56, 0, 84, 28],
      [0, 28, 28, 56],
      [28, 28, 56, 56],
      [56, 28, 84, 56],
    ]);
  });

  it("draws each panel's map smooth as the view does (bilinear, bicubic): vector sub-cells, the upsampled map's colour at their centres; cells stay cells", () => {
    const panels = [
      { image: image(56, 56), grid: [2, 2] as const, values: [0.1, 0.2, 0.3, 0.4], label: 'I', lines: [] },
      { image: image(84, 56), grid: [2, 3] as const, values: [0, 1, 2, 3, 4, 5], label: 'I+', lines: [] },
    ];
    expect(modelInputsSvg({ panels, smooth: 'nearest' })).toBe(modelInputsSvg({ panels }));
    for (const smooth of ['bilinear', 'bicubic'] as const) {
      const root = parseXml(modelInputsSvg({ panels, smooth }));
      for (const [i, g] of byClass(root, 'input').entries()) {
        const p = at(panels, i);
        const heat = first(byClass(g, 'heatmap'));
        expect(heat.attrs['data-smooth']).toBe(smooth);
        const img = first(findAll(g, (e) => e.name === 'image'));
        const scale = Number(img.attrs.width) / p.image.width;
        const [x0, y0] = [Number(img.attrs.x), Number(img.attrs.y)];
        const cellPx = (p.image.height / p.grid[0]) * scale;
        const k = smoothSubdivision(cellPx);
        expect(k).toBeGreaterThan(1);
        const rects = heat.children.flatMap((e) =>
          [...field(e.attrs, 'd').matchAll(/M([\d.]+) ([\d.]+)h([\d.]+)v([\d.]+)h/g)].map((m) => ({
            fill: e.attrs.fill,
            x: Number(m[1]),
            y: Number(m[2]),
            w: Number(m[3]),
            h: Number(m[4]),
          })),
        );
        expect(rects.length).toBeGreaterThan(p.values.length);
        // the last sub-cell of the first row of sub-cells, at the top right corner
        const [cols, rows] = [p.grid[1] * k, p.grid[0] * k];
        const up = upsampleGrid(p.values, p.grid[0], p.grid[1], cols, rows, smooth);
        const cx = x0 + ((cols - 0.5) * cellPx) / k;
        const cy = y0 + (0.5 * cellPx) / k;
        const hit = rects.filter((r) => cx >= r.x && cx < r.x + r.w - 0.5 && cy >= r.y && cy < r.y + r.h - 0.5);
        expect(hit.map((r) => r.fill)).toEqual([toHex(valueColor(viridis, at(up, cols - 1), colorDomain(p.values, viridis)))]);
      }
    }
  });

  it('draws one panel per input, a map cell per grid cell where there is attention, and the words under each', () => {
    const svg = modelInputsSvg({
      title: 'What the model got',
      panels: [
        { image: image(56, 56), grid: [2, 2], values: [0.1, 0.2, 0.3, 0.4], label: 'I · the image', lines: ['56 × 56 px · grid 2 × 2'] },
        { image: image(84, 56), grid: [2, 3], values: [0, 1, 2, 3, 4, 5], label: 'I+ · the crop', lines: ['I cropped to [0, 0, 112, 100]'] },
        { image: image(56, 56), grid: [2, 2], values: null, label: 'mask(I)', lines: ['not fed'] },
      ],
    });
    const root = parseXml(svg);
    const panels = byClass(root, 'input');
    expect(panels.map((p) => p.attrs['data-grid'])).toEqual(['2x2', '2x3', '2x2']);
    const cells = panels.map((p) =>
      byClass(p, 'heatmap').reduce((n, g) => n + g.children.reduce((k, e) => k + (field(e.attrs, 'd').match(/M/g) ?? []).length, 0), 0),
    );
    expect(cells).toEqual([4, 6, 0]);
    expect(texts(root)).toEqual(expect.arrayContaining(['I+ · the crop', 'I cropped to [0, 0, 112, 100]', 'not fed']));
    expect(() => modelInputsSvg({ panels: [{ image: image(4, 4), grid: [2, 2], values: [1], label: 'x', lines: [] }] })).toThrow(/1 values for a 2x2 grid/);
    expect(() => modelInputsSvg({ panels: [] })).toThrow(/at least one/);
  });

  it('colours panels on the domain given to each, and draws one colour bar right after the last panel for a shared one', () => {
    const panel = (values: number[]) => ({ image: image(56, 56), grid: [1, 2] as const, values, label: 'run', lines: [], domain: [0, 4] as const });
    const svg = modelInputsSvg({ panels: [panel([1, 4]), panel([0, 2])], colorbar: { domain: [0, 4], label: 'share of map mass' } });
    const root = parseXml(svg);
    // on one domain, the 4 of the first and the 2 of the second are not both the top colour, as each on its own would be
    const fills = byClass(root, 'heatmap').map((g) => g.children.map((e) => field(e.attrs, 'fill')));
    expect(fills[0]).toContain('#fde725');
    expect(fills[1]).not.toContain('#fde725');
    const bar = byClass(root, 'colorbar');
    expect(bar).toHaveLength(1);
    const rect = present(findAll(first(bar), (e) => e.name === 'rect')[0], 'the bar');
    expect(Number(field(rect.attrs, 'x'))).toBeCloseTo(10 + 2 * 200 + 10 + 10, 1); // margin, two 200 px panels, the gap, then 10 px
    expect(Number(field(root.attrs, 'width'))).toBeLessThan(700);
  });
});
