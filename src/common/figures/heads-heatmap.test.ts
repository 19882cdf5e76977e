import { describe, expect, it } from 'vitest';
import { toHex, viridis } from './colormap.ts';
import { vaqHeadsHeatmapSvg } from './heads-heatmap.ts';
import { byClass, parseXml, textContent } from './testing/xml.ts';
import { at, first } from '../../../test/support/index-access.ts';

// 6 layers x 4 heads; VAQ[l][h] = l + h / 10, so layer 5 head 3 is the largest.
const vaqHeads = Array.from({ length: 6 }, (_, l) => Array.from({ length: 4 }, (_, h) => l + h / 10));

describe('vaqHeadsHeatmapSvg', () => {
  const root = parseXml(vaqHeadsHeatmapSvg({ vaqHeads, chosenLayer: 4, markedHeads: [3, 1] }));
  const cells = first(byClass(root, 'cells')).children;
  const cell = (l: number, h: number) => at(cells, l * 4 + h);

  it('draws a cell per layer and head, layers down, heads across', () => {
    expect(cells).toHaveLength(24);
    expect(Number(cell(0, 1).attrs.x)).toBeGreaterThan(Number(cell(0, 0).attrs.x));
    expect(Number(cell(1, 0).attrs.y)).toBeGreaterThan(Number(cell(0, 0).attrs.y));
    expect(cell(5, 3).attrs.fill).toBe(toHex(at(viridis.table, 255)));
    expect(cell(0, 0).attrs.fill).toBe(toHex(at(viridis.table, 0)));
  });

  it("outlines the chosen layer's row and labels it", () => {
    const row = first(byClass(root, 'chosen-row'));
    const y = Number(cell(4, 0).attrs.y);
    expect(Number(row.attrs.y)).toBeCloseTo(y - 1, 6);
    expect(byClass(root, 'y-tick').map(textContent)).toContain('4');
  });

  it('dots the marked heads in the chosen row', () => {
    const dots = byClass(root, 'marked-head');
    expect(dots.map((d) => d.attrs['data-head'])).toEqual(['3', '1']);
    const c = cell(4, 3);
    const size = Number(at(cells, 1).attrs.x) - Number(at(cells, 0).attrs.x);
    expect(Number(first(dots).attrs.cx)).toBeCloseTo(Number(c.attrs.x) + size / 2, 1);
    expect(Number(first(dots).attrs.cy)).toBeCloseTo(Number(c.attrs.y) + size / 2, 1);
  });

  it('refuses ragged rows, a chosen layer that does not exist and heads out of range', () => {
    expect(() => vaqHeadsHeatmapSvg({ vaqHeads: [[1, 2], [3]] })).toThrow(RangeError);
    expect(() => vaqHeadsHeatmapSvg({ vaqHeads, chosenLayer: 6 })).toThrow(RangeError);
    expect(() => vaqHeadsHeatmapSvg({ vaqHeads, chosenLayer: 1, markedHeads: [4] })).toThrow(RangeError);
  });
});
