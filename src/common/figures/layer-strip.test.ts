import { describe, expect, it } from 'vitest';
import { toHex, viridis } from './colormap.ts';
import type { FigureBox } from './heatmap.ts';
import { layerStripSvg, vaqDecimalsFor } from './layer-strip.ts';
import { byClass, findAll, parseXml, textContent, type XmlElement } from './testing/xml.ts';
import { at, field, first } from '../../../test/support/index-access.ts';

const cells: FigureBox[] = [
  [0, 0, 50, 50],
  [50, 0, 100, 50],
];
const image = { href: 'data:image/jpeg;base64,AAAA', width: 100, height: 50 };
// Layer 2's map is twice as peaked as the others'.
const panels = [0.031, 0.0452, 0.12, 0.009].map((vaq, l) => ({ layer: l, vaq, values: l === 2 ? [0, 1] : [0.25, 0.5] }));

function fills(panel: XmlElement): string[] {
  return first(byClass(panel, 'heatmap')).children.map((p) => field(p.attrs, 'fill'));
}

describe('layerStripSvg', () => {
  const root = parseXml(layerStripSvg({ image, cells, panels, chosen: 2, title: 'Per layer' }));

  it('draws one panel per layer, labelled with the layer and its VAQ to common decimals', () => {
    const ps = byClass(root, 'panel');
    expect(ps.map((p) => p.attrs['data-layer'])).toEqual(['0', '1', '2', '3']);
    const labels = ps.map((p) => textContent(first(findAll(p, (e) => e.name === 'text'))));
    expect(labels).toEqual(['L0 \u00B7 0.031', 'L1 \u00B7 0.045', 'L2 \u00B7 0.120', 'L3 \u00B7 0.009']);
  });

  it('frames the chosen layer, and only it', () => {
    const chosen = byClass(root, 'chosen');
    expect(chosen).toHaveLength(1);
    expect(first(chosen).attrs['data-layer']).toBe('2');
    expect(byClass(first(chosen), 'chosen-frame')).toHaveLength(1);
  });

  it('embeds the image once and reuses it in every panel', () => {
    expect(findAll(root, (e) => e.name === 'image')).toHaveLength(1);
    expect(findAll(root, (e) => e.name === 'use')).toHaveLength(4);
  });

  it('puts all panels on one colour scale by default, with a colour bar', () => {
    const ps = byClass(root, 'panel');
    const top = toHex(at(viridis.table, 255));
    expect(fills(at(ps, 2))).toContain(top);
    expect(fills(at(ps, 0))).not.toContain(top);
    expect(byClass(root, 'colorbar')).toHaveLength(1);
  });

  it('scales each panel on its own when asked, without a colour bar', () => {
    const r = parseXml(layerStripSvg({ image, cells, panels, chosen: 2, colorScale: 'per-panel' }));
    for (const p of byClass(r, 'panel')) expect(fills(p)).toContain(toHex(at(viridis.table, 255)));
    expect(byClass(r, 'colorbar')).toHaveLength(0);
  });

  it('lays panels out in rows of `columns`', () => {
    const r = parseXml(layerStripSvg({ image: null, imageSize: { width: 100, height: 50 }, cells, panels, chosen: null, columns: 2 }));
    const ys = byClass(r, 'panel').map((p) =>
      Number(
        at(
          findAll(p, (e) => e.name === 'rect'),
          1,
        ).attrs.y,
      ),
    );
    expect(ys).toHaveLength(4);
    const [y0, y1, y2, y3] = ys;
    expect(y0).toBe(y1);
    expect(y2).toBeGreaterThan(at(ys, 1));
    expect(y2).toBe(y3);

    expect(findAll(r, (e) => e.name === 'image')).toHaveLength(0);
  });

  it('refuses panels whose values do not match the cells', () => {
    expect(() => layerStripSvg({ image, cells, panels: [{ layer: 0, vaq: 1, values: [1] }], chosen: 0 })).toThrow(RangeError);
    expect(() => layerStripSvg({ image, cells, panels: [], chosen: 0 })).toThrow(RangeError);
  });

  it('gives the largest VAQ three significant digits', () => {
    expect(vaqDecimalsFor([0.12, 0.01])).toBe(3);
    expect(vaqDecimalsFor([12.3])).toBe(1);
    expect(vaqDecimalsFor([0.0368])).toBe(4);
    expect(vaqDecimalsFor([])).toBe(2);
  });

  it("draws a pad-to-square grid's padding as padding in every panel, with the cells whole", () => {
    // the 100 x 50 picture padded to 100 x 100: two rows of 50 px cells from y = -25
    const square: FigureBox[] = [
      [0, -25, 50, 25],
      [50, -25, 100, 25],
      [0, 25, 50, 75],
      [50, 25, 100, 75],
    ];
    const ps = [0, 1].map((l) => ({ layer: l, vaq: 0.1 * l, values: [0.1, 0.2, 0.3, 0.4] }));
    const padded = parseXml(layerStripSvg({ image, cells: square, panels: ps, chosen: 1 }));
    for (const panel of byClass(padded, 'panel')) {
      expect(byClass(panel, 'padding')).toHaveLength(2);
      expect(findAll(first(byClass(panel, 'heatmap')), (e) => e.name === 'path').flatMap((q) => field(q.attrs, 'd').match(/M/g) ?? [])).toHaveLength(4);
      // the panel's box is square, like the grid
      const frame = findAll(panel, (e) => e.name === 'rect' && (e.attrs.class === 'chosen-frame' || e.attrs.stroke !== undefined)).at(-1)!;
      expect(Number(frame.attrs.width)).toBeCloseTo(Number(frame.attrs.height), 1);
    }
    expect(byClass(root, 'padding')).toHaveLength(0);
  });
});
