import { describe, expect, it } from 'vitest';
import { attentionOverlaySvg } from './overlay.ts';
import { paperFigureSvg, paperLayout } from './paper.ts';
import { byClass, parseXml, texts } from './testing/xml.ts';
import { first } from '../../../test/support/index-access.ts';
import { vaqCurveSvg } from './vaq-curve.ts';

const overlap = (a: { x: number; y: number; width: number; height: number }, b: typeof a) =>
  a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;

describe('the paper figure', () => {
  it('lays out a and b side by side at one height filling the width, c and d below, the caption last, nothing overlapping', () => {
    const L = paperLayout({ overlay: { width: 336, height: 270 }, vaq: { width: 336, height: 210 }, hasCrop: true, caption: 'model m; method laser' });
    expect(L.panels.map((p) => p.letter)).toEqual(['a', 'b', 'c', 'd']);
    const [a, b, c, d] = L.panels;
    if (d === undefined) throw new Error('with a crop the layout has four panels');
    expect(a.height).toBeCloseTo(b.height, 9);
    expect(b.x + b.width).toBeCloseTo(L.width - 10, 9);
    expect(a.width / a.height).toBeCloseTo(336 / 270, 9);
    const pairs: [typeof a, typeof a][] = [
      [a, b],
      [a, c],
      [b, d],
      [c, d],
      [a, d],
      [b, c],
    ];
    for (const [p, q] of pairs) expect(overlap(p, q)).toBe(false);
    expect(c.y).toBeGreaterThan(a.y + a.height);
    expect(L.captionY).toBeGreaterThan(d.y + d.height);
    expect(L.height).toBeGreaterThan(L.captionY);
    const noCrop = paperLayout({ overlay: { width: 336, height: 270 }, vaq: { width: 336, height: 210 }, hasCrop: false, caption: 'x' });
    expect(noCrop.panels.map((p) => p.letter)).toEqual(['a', 'b', 'c']);
  });

  it('places the overlay and VAQ figures whole, letters every panel, says the answers and the caption; it parses and converts to PDF', () => {
    const overlay = attentionOverlaySvg({
      image: { href: 'data:image/png;base64,AAAA', width: 20, height: 20 },
      cells: [[0, 0, 20, 20]],
      values: [1],
      box: [0, 0, 10, 10],
      maskedCells: [],
      colorbar: true,
      title: 'dropped',
    });
    const vaq = vaqCurveSvg({ vaq: [0.1, 0.3, 0.2], chosen: 1 });
    const svg = paperFigureSvg({
      overlay,
      vaq,
      crop: null,
      question: 'What colour is the ball?',
      answer: ' Red',
      baseline: '',
      method: 'laser',
      caption: 'model tiny; method laser; layer 1 (argmax of VAQ); knobs kHead=2',
    });
    const root = parseXml(svg);
    expect(byClass(root, 'panel-letter').map((e) => e.text)).toEqual(['a', 'b', 'c']);
    expect(first(byClass(root, 'panel-a')).attrs.transform).toMatch(/^translate\(10 \d+(\.\d+)?\) scale\(/);
    const t = texts(root);
    expect(t).toEqual(
      expect.arrayContaining(['Red', '(no answer: the first token was end of sequence)', 'model tiny; method laser; layer 1 (argmax of VAQ); knobs kHead=2']),
    );
    // the sub-figures' own titles are gone: one <title> in the document
    expect(svg.match(/<title>/g)).toHaveLength(1);
  });
});
