/**
 * Figure: the one-figure summary a paper shows for a run, in panels lettered a-d: (a) the map at the
 * chosen layer over the image with the crop box and masked cells, (b) the VAQ curve with l*, (c)
 * the crop I+ as the model got it, (d) the answer against the baseline; and a caption line with
 * the model, method and knobs. Panels (a) and (b) are the overlay and VAQ figures themselves,
 * placed whole, so the paper figure and its parts never disagree.
 */
import type { ImageRef } from './heatmap.ts';
import { MARGIN } from './parts.ts';
import { el, num, svgDocument, text, type Svg } from './svg.ts';
import { FONT_SANS, INK, TYPE, sansMeasure, wrapText } from './text.ts';

export interface PaperInput {
  /** The overlay figure's SVG (attentionOverlaySvg), for panel a. */
  overlay: string;
  /** The VAQ figure's SVG (vaqCurveSvg), for panel b. */
  vaq: string;
  /** The crop I+ as the model got it, for panel c; null when the method made none. */
  crop: ImageRef | null;
  question: string;
  answer: string;
  baseline: string;
  method: string;
  /** One line, wrapped: model, method, layer, knobs. */
  caption: string;
  title?: string;
  width?: number;
}

export interface PaperBox {
  letter: string;
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface PaperLayout {
  width: number;
  height: number;
  /** a, b, then c the crop and d the answer, or c the answer when there is no crop */
  panels: [PaperBox, PaperBox, PaperBox, PaperBox] | [PaperBox, PaperBox, PaperBox];
  captionY: number;
  captionLines: string[];
}

const GAP = 14;
const LETTER = 14;
const CROP_SIDE = 150;

function svgSizeOf(svg: string): { width: number; height: number } {
  const root = /<svg\b[^>]*>/.exec(svg)?.[0] ?? '';
  const width = Number(/\swidth="([\d.]+)"/.exec(root)?.[1]);
  const height = Number(/\sheight="([\d.]+)"/.exec(root)?.[1]);
  if (!(width > 0 && height > 0)) throw new RangeError('A panel of the paper figure declares no size.');
  return { width, height };
}

/** Where each panel goes: a and b side by side (scaled to share the width), c and d below them, the caption last. */
export function paperLayout(o: {
  overlay: { width: number; height: number };
  vaq: { width: number; height: number };
  hasCrop: boolean;
  caption: string;
  width?: number;
  titleHeight?: number;
}): PaperLayout {
  const width = o.width ?? 700;
  const inner = width - 2 * MARGIN;
  const top = MARGIN + (o.titleHeight ?? 0);
  // a and b at one height, their widths in proportion, filling the row
  const ratioA = o.overlay.width / o.overlay.height;
  const ratioB = o.vaq.width / o.vaq.height;
  const rowH = (inner - GAP) / (ratioA + ratioB);
  const a: PaperBox = { letter: 'a', x: MARGIN, y: top + LETTER, width: rowH * ratioA, height: rowH };
  const b: PaperBox = { letter: 'b', x: MARGIN + a.width + GAP, y: top + LETTER, width: rowH * ratioB, height: rowH };
  const row2 = a.y + rowH + GAP + LETTER;
  const crop: PaperBox | null = o.hasCrop ? { letter: 'c', x: MARGIN, y: row2, width: CROP_SIDE, height: CROP_SIDE } : null;
  const dx = crop ? MARGIN + (CROP_SIDE + GAP) : MARGIN;
  const answer: PaperBox = { letter: crop ? 'd' : 'c', x: dx, y: row2, width: width - MARGIN - dx, height: CROP_SIDE };
  const panels: PaperLayout['panels'] = crop ? [a, b, crop, answer] : [a, b, answer];
  const captionLines = wrapText(o.caption, inner, sansMeasure(TYPE.small), 4);
  const captionY = row2 + CROP_SIDE + GAP + TYPE.small;
  return { width, height: captionY + (captionLines.length - 1) * (TYPE.small + 3) + MARGIN, panels, captionY, captionLines };
}

/** A whole figure as a group scaled into `box` (its title dropped: the paper figure has one caption). */
function placed(svg: string, box: PaperBox): Svg {
  const size = svgSizeOf(svg);
  const open = /<svg\b[^>]*>/.exec(svg)!;
  const family = /\sfont-family="([^"]*)"/.exec(open[0])?.[1];
  const inner = svg
    .slice(open.index + open[0].length, svg.lastIndexOf('</svg>'))
    .replace(/<title>[^<]*<\/title>/, '')
    .replace(/<desc>[^<]*<\/desc>/, '');
  const s = Math.min(box.width / size.width, box.height / size.height);
  // the builders' markup is already escaped SVG; it goes in as it is
  return el(
    'g',
    {
      class: `panel panel-${box.letter}`,
      transform: `translate(${num(box.x)} ${num(box.y)}) scale(${num(s, 5)})`,
      ...(family ? { 'font-family': family.replace(/&quot;/g, '"') } : {}),
    },
    inner as Svg,
  );
}

function letter(b: PaperBox): Svg {
  return el('text', { class: 'panel-letter', x: b.x, y: b.y - 3, 'font-size': LETTER, 'font-weight': 'bold', fill: INK.text }, text(b.letter));
}

export function paperFigureSvg(o: PaperInput): string {
  const titleH = o.title ? TYPE.title + 8 : 0;
  const L = paperLayout({
    overlay: svgSizeOf(o.overlay),
    vaq: svgSizeOf(o.vaq),
    hasCrop: o.crop !== null,
    caption: o.caption,
    width: o.width,
    titleHeight: titleH,
  });
  const parts: Svg[] = [];
  if (o.title) parts.push(el('text', { x: MARGIN, y: MARGIN + TYPE.title, 'font-size': TYPE.title, 'font-weight': 'bold', fill: INK.text }, text(o.title)));
  const [a, b, c, fourth] = L.panels;
  parts.push(placed(o.overlay, a), letter(a), placed(o.vaq, b), letter(b));
  if (o.crop) {
    const s = Math.min(c.width / o.crop.width, c.height / o.crop.height);
    const w = o.crop.width * s;
    const h = o.crop.height * s;
    parts.push(
      el('image', { x: c.x, y: c.y, width: w, height: h, 'xlink:href': o.crop.href, preserveAspectRatio: 'none' }),
      el('rect', { x: c.x, y: c.y, width: w, height: h, fill: 'none', stroke: INK.axis, 'stroke-width': 0.5 }),
      letter(c),
    );
  }
  // the answer panel: d after the crop, else c
  const d = fourth ?? c;
  const measure = sansMeasure(TYPE.label);
  const lines: [string, string, boolean][] = [
    ['Question', o.question, false],
    [`Answer (${o.method})`, o.answer.trim() || '(no answer: the first token was end of sequence)', true],
    ['Baseline (vanilla)', o.baseline.trim() || '(no answer: the first token was end of sequence)', false],
  ];
  let y = d.y + TYPE.label;
  const block: Svg[] = [];
  for (const [head, body, strong] of lines) {
    block.push(el('text', { x: d.x, y, 'font-size': TYPE.small, fill: INK.muted }, text(head)));
    y += TYPE.small + 3;
    for (const line of wrapText(body, d.width, measure, 3)) {
      block.push(
        el('text', { x: d.x, y, 'font-size': TYPE.label, 'font-weight': strong ? 'bold' : undefined, fill: strong ? INK.highlight : INK.text }, text(line)),
      );
      y += TYPE.label + 3;
    }
    y += 4;
  }
  parts.push(el('g', { class: 'panel panel-answer' }, ...block), letter(d));
  L.captionLines.forEach((line, k) =>
    parts.push(el('text', { class: 'caption', x: MARGIN, y: L.captionY + k * (TYPE.small + 3), 'font-size': TYPE.small, fill: INK.muted }, text(line))),
  );
  return svgDocument({ width: L.width, height: L.height, title: o.title ?? `${o.method}: ${o.question}`, fontFamily: FONT_SANS }, ...parts);
}
