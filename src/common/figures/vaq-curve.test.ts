import { describe, expect, it } from 'vitest';
import { byClass, findAll, parseXml, texts, textContent, type XmlElement } from './testing/xml.ts';
import { vaqCurveSvg } from './vaq-curve.ts';
import { at, first, present } from '../../../test/support/index-access.ts';

// 32 layers; layer 20 peaks at 0.25 and layer 3 is exactly 0.1, a tick value.
const vaq = Array.from({ length: 32 }, (_, l) => (l === 20 ? 0.25 : l === 3 ? 0.1 : 0.05 + 0.001 * l));

function point(root: XmlElement, layer: number) {
  const c = present(
    byClass(root, 'point').find((e) => e.attrs['data-layer'] === String(layer)),
    `the point of layer ${layer}`,
  );
  return { x: Number(c.attrs.cx), y: Number(c.attrs.cy) };
}

describe('vaqCurveSvg', () => {
  const root = parseXml(vaqCurveSvg({ vaq, chosen: 20, fixedLayerRef: 14, title: 'VAQ per layer' }));

  it('draws one point per layer, left to right', () => {
    const xs = byClass(root, 'point').map((e) => Number(e.attrs.cx));
    expect(xs).toHaveLength(32);
    for (let i = 1; i < xs.length; i++) expect(at(xs, i)).toBeGreaterThan(at(xs, i - 1));
  });

  it('marks the chosen layer at its point, with its value', () => {
    const m = first(byClass(root, 'chosen-marker'));
    expect(m.attrs['data-layer']).toBe('20');
    expect(Number(m.attrs.x1)).toBeCloseTo(point(root, 20).x, 6);
    const dot = first(byClass(root, 'chosen-point'));
    expect(Number(dot.attrs.cx)).toBeCloseTo(point(root, 20).x, 6);
    expect(Number(dot.attrs.cy)).toBeCloseTo(point(root, 20).y, 6);
    expect(byClass(root, 'marker-label').map(textContent)).toContain('l* = 20 \u00B7 0.25');
  });

  it('marks the fixed reference layer at its point, dashed', () => {
    const m = first(byClass(root, 'fixed-marker'));
    expect(Number(m.attrs.x1)).toBeCloseTo(point(root, 14).x, 6);
    expect(m.attrs['stroke-dasharray']).toBeDefined();
    expect(byClass(root, 'marker-label').map(textContent)).toContain('fixed 14');
  });

  it('puts each x tick label under its layer and each y tick at its value', () => {
    const xt = byClass(root, 'x-tick');
    expect(xt.map(textContent)).toEqual(['0', '4', '8', '12', '16', '20', '24', '28']);
    for (const t of xt) expect(Number(t.attrs.x)).toBeCloseTo(point(root, Number(textContent(t))).x, 6);
    const yt = byClass(root, 'y-tick');
    expect(yt.map(textContent)).toEqual(['0.00', '0.05', '0.10', '0.15', '0.20', '0.25']);
    // Layer 3 has VAQ 0.1 exactly: its point lies on the 0.10 grid line.
    const gridAt = (label: string) => {
      const t = present(
        yt.find((e) => textContent(e) === label),
        `the y tick ${label}`,
      );
      const siblings = present(t.parent, `the parent of the y tick ${label}`).children;
      return Number(at(siblings, siblings.indexOf(t) - 1).attrs.y1);
    };
    expect(point(root, 3).y).toBeCloseTo(gridAt('0.10'), 6);
    expect(point(root, 20).y).toBeCloseTo(gridAt('0.25'), 6);
  });

  it('labels the axes', () => {
    expect(texts(root)).toEqual(expect.arrayContaining(['Layer', 'VAQ', 'VAQ per layer']));
  });

  it('shades the layers outside the searched range', () => {
    const r = parseXml(vaqCurveSvg({ vaq, chosen: 20, searched: [10, 25] }));
    const shades = byClass(r, 'unsearched');
    expect(shades).toHaveLength(2);
    const p9 = point(r, 9).x;
    const p10 = point(r, 10).x;
    const left = first(shades);

    // Written numbers are rounded to 0.005 each, and this edge is the sum of two of them.
    expect(Math.abs(Number(left.attrs.x) + Number(left.attrs.width) - (p9 + p10) / 2)).toBeLessThanOrEqual(0.015);
    expect(byClass(parseXml(vaqCurveSvg({ vaq, chosen: 20, searched: [0, 31] })), 'unsearched')).toHaveLength(0);
  });

  it('draws no marker without a chosen layer, and one marker when the fixed layer is the chosen one', () => {
    const none = parseXml(vaqCurveSvg({ vaq, chosen: null }));
    expect(findAll(none, (e) => e.attrs.class === 'chosen-marker')).toHaveLength(0);
    const same = parseXml(vaqCurveSvg({ vaq, chosen: 14, fixedLayerRef: 14 }));
    expect(byClass(same, 'fixed-marker')).toHaveLength(0);
    expect(byClass(same, 'chosen-marker')).toHaveLength(1);
  });

  it('refuses layers that are not plotted and values that are not finite', () => {
    expect(() => vaqCurveSvg({ vaq, chosen: 32 })).toThrow(RangeError);
    expect(() => vaqCurveSvg({ vaq, chosen: 1, fixedLayerRef: -1 })).toThrow(RangeError);
    expect(() => vaqCurveSvg({ vaq: [0.1, NaN], chosen: 0 })).toThrow(RangeError);
    expect(() => vaqCurveSvg({ vaq: [], chosen: null })).toThrow(RangeError);
  });
});
