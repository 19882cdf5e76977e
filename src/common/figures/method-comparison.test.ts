import { describe, expect, it } from 'vitest';
import { methodBoxStyles, methodComparisonSvg, type MethodRow } from './method-comparison.ts';
import { byClass, findAll, parseXml, textContent } from './testing/xml.ts';
import { INK } from './text.ts';
import { at, first } from '../../../test/support/index-access.ts';

const rows: MethodRow[] = [
  { method: 'vanilla', answer: 'Brown', layer: null, box: null },
  { method: 'static-layer', answer: 'Brown', layer: 14, box: [0, 0, 100, 100] },
  { method: 'laser', answer: 'Red', layer: 20, box: [100, 50, 200, 150] },
  { method: 'vcd', answer: '', layer: null, box: null },
];
const image = { href: 'data:image/jpeg;base64,AAAA', width: 200, height: 150 };

describe('methodComparisonSvg', () => {
  it('tabulates every method with its answer and layer', () => {
    const root = parseXml(methodComparisonSvg({ rows, image, highlight: 'laser' }));
    expect(byClass(root, 'method').map(textContent)).toEqual(['vanilla', 'static-layer', 'laser', 'vcd']);
    expect(byClass(root, 'answer').map(textContent)).toEqual(['Brown', 'Brown', 'Red', '(empty)']);
    expect(byClass(root, 'layer').map(textContent)).toEqual(['\u2014', '14', '20', '\u2014']);
  });

  it('draws each box on the image, the highlighted one solid, last and in the highlight colour', () => {
    const root = parseXml(methodComparisonSvg({ rows, image, highlight: 'laser' }));
    const img = first(findAll(root, (e) => e.name === 'image'));
    const s = Number(img.attrs.width) / 200;
    const boxes = byClass(root, 'method-box');
    expect(boxes.map((b) => b.attrs['data-method'])).toEqual(['static-layer', 'laser']);
    const laser = at(boxes, 1);
    expect(laser.attrs.stroke).toBe(INK.highlight);
    expect(laser.attrs['stroke-dasharray']).toBeUndefined();
    expect(Number(laser.attrs.x)).toBeCloseTo(Number(img.attrs.x) + 100 * s + 1.1, 1);
    expect(Number(laser.attrs.width)).toBeCloseTo(100 * s - 2.2, 1);
    expect(at(boxes, 0).attrs['stroke-dasharray']).toBeDefined();
  });

  it('gives every other box its own colour and dash', () => {
    const many: MethodRow[] = ['a', 'b', 'c'].map((m) => ({ method: m, answer: 'x', layer: 1, box: [0, 0, 1, 1] }));
    const styles = methodBoxStyles(many);
    expect(new Set(styles.map((s) => s!.color)).size).toBe(3);
    expect(new Set(styles.map((s) => s!.dash)).size).toBe(3);
    expect(styles.map((s) => s!.color)).not.toContain(INK.highlight);
  });

  it('prints boxes as coordinates without an image', () => {
    const root = parseXml(methodComparisonSvg({ rows }));
    expect(byClass(root, 'box').map(textContent)).toEqual(['\u2014', '[0, 0, 100, 100]', '[100, 50, 200, 150]', '\u2014']);
    expect(findAll(root, (e) => e.name === 'image')).toHaveLength(0);
  });
});
