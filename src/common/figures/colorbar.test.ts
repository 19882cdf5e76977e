/**
 * The colour bar's label never touches its ticks (issue 12's "the colourbar label overlaps its
 * ticks"), measured on the figures themselves: every text's box from the layout metrics the
 * builders use (Helvetica's advances, which Liberation Sans shares and every export draws with: the
 * PNG at any DPI is this SVG rasterised, the PDF embeds Liberation), with the font's full line height
 * (Liberation Sans' ascent 0.905 em, descent 0.212 em), the label rotated as drawn. For every figure
 * with a colour bar, over short and tall bars, long labels, negative and diverging ranges, tiny and
 * large values: the label's box meets no other text of the figure, ticks do not meet each other,
 * and the label stays inside the figure.
 */
import { describe, expect, it } from 'vitest';
import { coolwarm, viridis, type Colormap } from './colormap.ts';
import type { FigureBox } from './heatmap.ts';
import { vaqHeadsHeatmapSvg } from './heads-heatmap.ts';
import { layerStripSvg } from './layer-strip.ts';
import { attentionOverlaySvg } from './overlay.ts';
import { textWidth } from './text.ts';
import { findAll, parseXml, textContent, type XmlElement } from './testing/xml.ts';
import { at } from '../../../test/support/index-access.ts';

const ASCENT = 0.905;
const DESCENT = 0.212;

interface Box {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
  text: string;
  label: boolean;
}

const inherited = (e: XmlElement | null, attr: string): string | undefined => {
  for (let p = e; p; p = p.parent) if (p.attrs[attr] !== undefined) return p.attrs[attr];
  return undefined;
};

/** Where (0, 0) of `e` lies in the figure: the sum of its ancestors' translate()s (the builders place groups so). */
function offset(e: XmlElement): [number, number] {
  let [x, y] = [0, 0];
  for (let p = e.parent; p; p = p.parent) {
    const m = /^translate\(([-\d.]+)[ ,]+([-\d.]+)\)$/.exec(p.attrs.transform ?? '');
    if (p.attrs.transform && !m) throw new Error(`a group with transform ${p.attrs.transform} holds text`);
    if (m) [x, y] = [x + Number(m[1]), y + Number(m[2])];
  }
  return [x, y];
}

/** Every text's box in figure px; a text rotated by -90 (the colour bar's label) as drawn. */
function textBoxes(root: XmlElement): Box[] {
  return findAll(root, (e) => e.name === 'text').map((t) => {
    const size = Number(inherited(t, 'font-size') ?? 16);
    const bold = inherited(t, 'font-weight') === 'bold';
    const content = textContent(t);
    const dx = findAll(t, (e) => e.name === 'tspan').reduce((s, ts) => s + Number(ts.attrs.dx ?? 0), 0);
    const w = textWidth(content, size, bold ? 'bold' : 'normal') + dx;
    const [ox, oy] = offset(t);
    const x = ox + Number(t.attrs.x ?? 0);
    const y = oy + Number(t.attrs.y ?? 0);
    const anchor = inherited(t, 'text-anchor') ?? 'start';
    const start = anchor === 'middle' ? -w / 2 : anchor === 'end' ? -w : 0;
    const label = /class="colorbar"/.test(`class="${t.parent?.attrs.class ?? ''}"`) && !!t.attrs.transform;
    if (t.attrs.transform) {
      expect(t.attrs.transform).toMatch(/^rotate\(-90 /);
      // rotated -90 about (x, y): the run goes up, the glyphs' tops point left
      return { x0: x - ASCENT * size, x1: x + DESCENT * size, y0: y - start - w, y1: y - start, text: content, label };
    }
    return { x0: x + start, x1: x + start + w, y0: y - ASCENT * size, y1: y + DESCENT * size, text: content, label };
  });
}

const meet = (a: Box, b: Box) => a.x0 < b.x1 && b.x0 < a.x1 && a.y0 < b.y1 && b.y0 < a.y1;

function checkColorbars(svg: string, what: string): void {
  const root = parseXml(svg);
  const bars = findAll(root, (e) => e.attrs.class === 'colorbar');
  expect(bars.length, `${what}: a colour bar`).toBeGreaterThan(0);
  const boxes = textBoxes(root);
  const labels = boxes.filter((b) => b.label);
  const W = Number(root.attrs.width);
  const H = Number(root.attrs.height);
  for (const l of labels) {
    for (const other of boxes) if (other !== l) expect(meet(l, other), `${what}: the label "${l.text}" meets "${other.text}"`).toBe(false);
    expect(l.x0 >= 0 && l.x1 <= W && l.y0 >= 0 && l.y1 <= H, `${what}: the label "${l.text}" lies inside the ${W} x ${H} figure`).toBe(true);
  }
  for (const bar of bars) {
    const ticks = textBoxes(bar).filter((b) => !b.label);
    for (let i = 0; i < ticks.length; i++)
      for (let j = i + 1; j < ticks.length; j++) {
        const [a, b] = [at(ticks, i), at(ticks, j)];
        expect(meet(a, b), `${what}: ticks "${a.text}" and "${b.text}" meet`).toBe(false);
      }
  }
}

// A 4 x 3 grid on a 200 x 150 picture, and a pad-to-square one reaching 25 px above and below.
const grid = (rows: number, top: number, side: number): FigureBox[] =>
  Array.from({ length: rows * 4 }, (_, j) => [(j % 4) * 50, top + Math.floor(j / 4) * side, (j % 4) * 50 + 50, top + Math.floor(j / 4) * side + side]);
const image = { href: 'data:image/png;base64,AAAA', width: 200, height: 150 };

const RANGES: [string, number[], Colormap][] = [
  ['shares', [0, 0.01, 0.02, 0.5, 0.03, 0.1, 0.07, 0, 0.12, 0.02, 0.06, 0.04, 0.01, 0.02, 0.005, 0.001], viridis],
  ['tiny', [0, 1e-5, 2e-5, 7.5e-5, 3e-6, 1e-6, 4e-5, 0, 1e-5, 2e-5, 6e-5, 4e-5, 1e-6, 2e-6, 5e-6, 1e-6], viridis],
  ['large', [0, 1200, 25000, 99999, 3, 1, 4, 0, 12, 2000, 60000, 40000, 1, 2, 5, 1], viridis],
  ['signed', [-0.034, 0.01, -0.02, 0.051, 0.03, -0.1, 0.07, 0, -0.12, 0.02, 0.06, -0.04, 0.01, -0.02, 0.005, -0.001], coolwarm],
  ['all negative', [-3.5, -2, -1.25, -0.5, -3, -1, -0.75, -2.2, -1.2, -0.2, -0.6, -0.4, -1, -2, -0.5, -0.1], coolwarm],
];
const LABELS = ['share of map mass', 'a_q − a_0', 'relative attention (query over generic prompt), per cell of the grid'];

describe('colour bar labels', () => {
  for (const [name, all, cmap] of RANGES) {
    for (const label of LABELS) {
      it(`overlay, ${name} values, label "${label.slice(0, 24)}": the label meets no tick and no other text, at any width`, () => {
        for (const width of [220, 336, 504, 700]) {
          for (const [cells, n] of [
            [grid(3, 0, 50), 12],
            [grid(4, -25, 50), 16],
          ] as const) {
            const values = all.slice(0, n);
            checkColorbars(
              attentionOverlaySvg({
                image,
                cells,
                values,
                colormap: cmap,
                colorbar: true,
                colorbarLabel: label,
                title: 'Where is the cat?',
                subtitle: 'laser',
                width,
              }),
              `overlay ${name} ${width}px ${n} cells`,
            );
            // a very wide picture makes a short bar
            checkColorbars(
              attentionOverlaySvg({
                image: { ...image, width: 1200 },
                cells: cells.map((c) => [c[0] * 6, c[1], c[2] * 6, c[3]]),
                values,
                colormap: cmap,
                colorbar: true,
                colorbarLabel: label,
                width,
              }),
              `overlay ${name} ${width}px, a 1200 x 150 picture`,
            );
          }
        }
      });
    }
  }

  it('heads heatmap and layer strip: the label meets no tick, over few and many layers', () => {
    for (const label of LABELS) {
      for (const L of [2, 8, 32]) {
        const vaqHeads = Array.from({ length: L }, (_, l) => Array.from({ length: 8 }, (_, h) => (l - L / 3) * 0.013 + h * 0.002));
        checkColorbars(vaqHeadsHeatmapSvg({ vaqHeads, chosenLayer: 1, colorbarLabel: label, title: 'VAQ per head' }), `heads ${L} layers`);
        const panels = Array.from({ length: L }, (_, l) => ({ layer: l, vaq: 0.01 * l, values: grid(3, 0, 50).map((_, j) => ((j * (l + 1)) % 7) / 70) }));
        checkColorbars(layerStripSvg({ image, cells: grid(3, 0, 50), panels, chosen: 1, colorbarLabel: label, title: 'Per layer' }), `layers ${L}`);
      }
    }
  });
});
