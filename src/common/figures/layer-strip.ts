/**
 * Figure: the contrastive map of every layer (or a chosen subset) side by side, small multiples on
 * one colour scale, each labelled with its layer index and VAQ; the chosen layer is framed. This is
 * the picture behind the paper's claim that the informative layer depends on the query. A
 * pad-to-square grid's padding is drawn as padding in every panel, as on the overlay.
 */
import { colorDomain, viridis } from './colormap.ts';
import {
  assertCells,
  bandPath,
  framedImage,
  gridSpan,
  heatmapCells,
  imageDef,
  paddingFill,
  type FigureBox,
  type ImageFrame,
  type ImageRef,
} from './heatmap.ts';
import { MARGIN, colorbar, colorbarExtent, titleBlock, type HeatmapFigureOptions } from './parts.ts';
import { el, idMaker, svgDocument, text, type Svg } from './svg.ts';
import { FONT_SANS, INK, TYPE, fitText, formatFixed, sansMeasure } from './text.ts';

export interface LayerPanel {
  layer: number;
  /** One value per cell. */
  values: ArrayLike<number>;
  /** The layer's VAQ, printed under the panel (null: not printed). */
  vaq: number | null;
}

/** Figure width default 700 px (a two-column page's text width). */
export interface LayerStripInput extends HeatmapFigureOptions {
  /** Drawn under every panel (a greyscale copy reads best under colour); null draws the maps on grey. */
  image: ImageRef | null;
  /** Size of the original image, when no image is given. */
  imageSize?: { width: number; height: number };
  cells: readonly FigureBox[];
  panels: readonly LayerPanel[];
  chosen: number | null;
  /** Panels per row; default min(panels, 8). */
  columns?: number;
  /** 'shared' (default): one colour scale over all panels, with a colour bar; 'per-panel': each panel's own [0, max]. */
  colorScale?: 'shared' | 'per-panel';
  opacity?: number;
}

const PANEL_GAP = 6;
const LABEL_H = TYPE.small + 6;

export function layerStripSvg(o: LayerStripInput): string {
  if (o.panels.length === 0) throw new RangeError('layerStripSvg needs at least one panel.');
  for (const p of o.panels) assertCells(o.cells, p.values, `layerStripSvg, layer ${p.layer}`);
  const size = o.image ?? o.imageSize;
  if (!size) throw new RangeError('layerStripSvg needs the image or its size.');
  const cmap = o.colormap ?? viridis;
  const shared = (o.colorScale ?? 'shared') === 'shared';
  const all: number[] = [];
  if (shared) for (const p of o.panels) for (const v of Array.from(p.values)) all.push(v);
  const sharedDomain = colorDomain(all, cmap);

  const width = o.width ?? 700;
  const id = idMaker(o.idPrefix ?? 'layers');
  const head = titleBlock(MARGIN, MARGIN, width - 2 * MARGIN, o.title, o.subtitle);
  const cols = Math.max(1, Math.min(o.columns ?? 8, o.panels.length));
  const rows = Math.ceil(o.panels.length / cols);
  // a pad-to-square grid reaches past the picture: each panel spans the grid, the padding drawn as padding, as on the overlay
  const span = gridSpan(o.cells, size.width, size.height);
  const padded = span[0] < 0 || span[1] < 0 || span[2] > size.width || span[3] > size.height;
  const [spanW, spanH] = [span[2] - span[0], span[3] - span[1]];
  const layout = (side: number) => {
    const panelW = (width - 2 * MARGIN - side - (cols - 1) * PANEL_GAP) / cols;
    const scale = Math.min(panelW / spanW, (1.25 * panelW) / spanH);
    const imgH = spanH * scale;
    const gridH = rows * (imgH + LABEL_H) + (rows - 1) * PANEL_GAP;
    return { panelW, scale, imgH, barH: Math.min(gridH - LABEL_H, Math.max(imgH, 120)) };
  };
  let side = shared ? 10 + 10 + colorbarExtent({ domain: sharedDomain, label: o.colorbarLabel }) : 0;
  let fit = layout(side);
  if (shared) {
    // a label longer than the bar takes a second line, which needs room of its own
    const wrapped = 10 + 10 + colorbarExtent({ domain: sharedDomain, label: o.colorbarLabel, height: fit.barH });
    if (wrapped > side) {
      side = wrapped;
      fit = layout(side);
    }
  }
  // imgW x imgH: a panel's box (the grid's extent; the picture's own where there is no padding)
  const { panelW, scale, imgH } = fit;
  const imgW = spanW * scale;
  const top = MARGIN + head.height;
  const cellH = imgH + LABEL_H;

  const imageId = id('image');
  const parts: Svg[] = [head.svg];
  if (o.image) parts.push(el('defs', {}, imageDef(o.image, imageId)));
  const labelMeasure = sansMeasure(TYPE.small, 'bold');
  // One number of decimals for every panel, so the VAQs line up and compare at a glance.
  const vaqs = o.panels.map((p) => p.vaq).filter((v): v is number => v !== null && Number.isFinite(v));
  const vaqDecimals = vaqDecimalsFor(vaqs);

  o.panels.forEach((p, i) => {
    const col = i % cols;
    const row = Math.floor(i / cols);
    const x = MARGIN + col * (panelW + PANEL_GAP) + (panelW - imgW) / 2;
    const y = top + row * (cellH + PANEL_GAP);
    const frame: ImageFrame = { x: x - span[0] * scale, y: y - span[1] * scale, scale };
    const clip = id('clip');
    const band = padded ? bandPath(frame, span, size) : '';
    const box = { x, y, width: imgW, height: imgH };
    const domain = shared ? sharedDomain : colorDomain(Array.from(p.values), cmap);
    const isChosen = p.layer === o.chosen;
    const under = o.image
      ? framedImage(frame, o.image, clip, imageId, padded ? span : undefined)
      : el(
          'g',
          {},
          el('clipPath', { id: clip }, el('rect', { x, y, width: imgW, height: imgH })),
          el('rect', { x, y, width: imgW, height: imgH, fill: '#d9d9d9' }),
        );
    const label = fitText(p.vaq === null ? `L${p.layer}` : `L${p.layer} \u00B7 ${formatFixed(p.vaq, vaqDecimals)}`, panelW, labelMeasure);
    parts.push(
      el(
        'g',
        { class: isChosen ? 'panel chosen' : 'panel', 'data-layer': p.layer },
        under,
        padded ? paddingFill(band, box, id('pad'), 1, 3) : null,
        // A tenth of a pixel is below what a panel this small can show, and keeps a 32-panel strip small.
        heatmapCells(frame, o.cells, p.values, cmap, domain, o.opacity ?? 0.75, clip, 0.5, 1),
        padded ? paddingFill(band, box, id('pad'), 0.45, 3) : null,
        isChosen
          ? el('rect', {
              class: 'chosen-frame',
              x: x - 1.5,
              y: y - 1.5,
              width: imgW + 3,
              height: imgH + 3,
              fill: 'none',
              stroke: INK.highlight,
              'stroke-width': 2.2,
            })
          : el('rect', { x, y, width: imgW, height: imgH, fill: 'none', stroke: INK.axis, 'stroke-width': 0.5 }),
        el(
          'text',
          {
            x: x + imgW / 2,
            y: y + imgH + 3 + TYPE.small,
            'font-size': TYPE.small,
            'font-weight': isChosen ? 'bold' : undefined,
            'text-anchor': 'middle',
            fill: isChosen ? INK.highlight : INK.text,
          },
          text(label),
        ),
      ),
    );
  });

  const gridH = rows * cellH + (rows - 1) * PANEL_GAP;
  if (shared) {
    const barH = fit.barH;
    parts.push(
      colorbar({
        x: width - MARGIN - side + 10,
        y: top,
        barWidth: 10,
        height: barH,
        cmap,
        domain: sharedDomain,
        label: o.colorbarLabel,
        gradientId: id('cbar'),
      }),
    );
  }
  return svgDocument({ width, height: top + gridH + MARGIN, title: o.title ?? 'Contrastive attention per layer', fontFamily: FONT_SANS }, ...parts);
}

/** Decimals that give the largest value three significant digits (0.123 -> 3, 12.3 -> 1). */
export function vaqDecimalsFor(values: readonly number[]): number {
  const max = Math.max(0, ...values.map(Math.abs));
  return max === 0 ? 2 : Math.min(6, Math.max(0, 2 - Math.floor(Math.log10(max))));
}
