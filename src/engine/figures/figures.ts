/**
 * Every figure of one analysis record, written as `<kind>.svg`, `<kind>.png` and/or `<kind>.pdf`
 * into a folder. The SVG is the product (vector, self-contained); the PNG is that SVG rendered at
 * `scale`; the PDF is that SVG drawn by common/figures' PDF back-end (vector, real text), the same
 * code the app's export uses. Each carries the record's provenance (model, method, layer, knobs):
 * the SVG as its <desc>, the PDF as its Subject.
 */
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { WorkbenchError } from '../../common/contract/errors.ts';
import {
  decodingTableSvg,
  layerStripSvg,
  methodComparisonSvg,
  COLORMAPS,
  METHODS_FIGURE_WIDTH,
  modelInputsSvg,
  vaqCurveSvg,
  vaqHeadsHeatmapSvg,
  svgToPdf,
  withDescription,
  type ColormapName,
  type ImageRef,
} from '../../common/figures/index.ts';
import type { HeadMaps } from '../../common/contract/methods.ts';
import {
  compareMapsFigure,
  compareProvenance,
  comparePanels,
  defaultCompareSettings,
  differenceProblem,
  headMapsKey,
  neededHeadMaps,
  scalePanels,
  type CompareSettings,
} from '../../common/laser/compare-panels.ts';
import type { LayerHeads } from '../../common/laser/layers-figure.ts';
import { layerHeads } from '../laser/record-views.ts';
import { figureProvenance } from '../../common/laser/provenance.ts';
import type { HeadSelection } from '../../common/laser/heads.ts';
import {
  DEFAULT_OVERLAY_CHOICE,
  OVERLAY_FIGURE_WIDTH,
  overlayFigureFile,
  overlayShown,
  paperFigureFile,
  SMOOTHINGS,
  type OverlayChoice,
  type OverlayFigureView,
  type Smoothing,
} from '../../common/laser/overlay-figure.ts';
import { inputsFigureAbout } from '../../common/laser/inputs-figure.ts';
import { mapChoices, type MapId } from '../../common/laser/overlay-maps.ts';
import { laserResult } from '../service/laser-views.ts';
import { pdfFonts } from './pdf-fonts.ts';
import { loadRecord, type LoadedRecord } from '../laser/record-io.ts';
import { writeFileAtomically } from '../library/atomic-write.ts';
import { embedImage, readRecordImage, type DecodedImage } from './image.ts';
import { svgToPng } from './rasterise.ts';
import {
  FIGURE_KINDS,
  NEEDS_IMAGE,
  compareData,
  cropPanel,
  decodingData,
  firstInputHref,
  headsData,
  inputsData,
  layersData,
  unavailableReason,
  vaqData,
  type FigureKind,
} from './record-data.ts';

export type FigureFormat = 'svg' | 'png' | 'pdf';
export const FIGURE_FORMATS: readonly FigureFormat[] = ['svg', 'png', 'pdf'];

export interface FigureOptions {
  /** Default: every kind the record can give (the others are listed in `skipped`). Asking for one it cannot give is an error. */
  kinds?: readonly FigureKind[];
  formats: readonly FigureFormat[];
  outDir: string;
  /** PNG pixels per SVG px; default 2. */
  scale?: number;
  /** Titles and subtitles on the figures (default true); papers often want them off, the caption says it. */
  titles?: boolean;
  /** The record's image, when it has moved since the run (its hash must match). */
  image?: string;
  /** Layers shown in the layer strip; default all. */
  layers?: readonly number[];
  /** More records of the same image and question, added to the comparison; for compare-maps, any records (up to 3 more). */
  compareWith?: readonly string[];
  /** The layer strip's heads: 'top' (default, spec step 7 at every layer) or 'mean' (the head mean, as the app's Layers view shows). */
  layerHeads?: LayerHeads;
  /** The colormap of the maps: the overlay and the paper figure's, the layer strip's and the compared maps' (default viridis; a difference is always coolwarm). */
  colormap?: ColormapName;
  /**
   * The colour scales set without the attention sinks: the overlay's and the paper figure's, as the
   * overlay's "sinks out of the scale", and each input's, as the Inputs view's.
   */
  excludeSinks?: boolean;
  /** The layer in view: the one A is shown at on the overlay and the paper figure, and the Inputs view's layer (default the record's l*). */
  layer?: number;
  /** The overlay's (and the paper figure's) other view choices, as the app's overlay controls: the map kind, the heads of A, the opacity. */
  overlay?: { map?: MapId; heads?: HeadSelection; opacity?: number };
  /**
   * How the maps of the overlay, the paper figure and the inputs are drawn, as those views'
   * smoothing: the grid's cells (default) or upsampled bilinear or bicubic, as finer vector cells.
   */
  smooth?: Smoothing;
  /** Each layer of the strip, and each compared map, on its own colour scale (default: one shared scale). */
  ownScale?: boolean;
  /** What compare-maps shows (map kind, linked layer and heads, difference), as the app's Compare view; default its defaults. */
  compare?: Partial<Pick<CompareSettings, 'map' | 'layer' | 'heads' | 'difference'>>;
  /** The target's true box (a generated world's question), drawn dashed on the overlay. */
  truthBox?: readonly [number, number, number, number] | null;
}

export interface WrittenFigure {
  kind: FigureKind;
  format: FigureFormat;
  path: string;
}

export interface FiguresResult {
  written: WrittenFigure[];
  skipped: { kind: FigureKind; reason: string }[];
  /** What a written file could not show as asked, each naming its file: characters a PDF's fonts have no glyph for (drawn as .notdef; svgToPdf's `warn`). */
  warnings: string[];
}

/** Display widths of the pictures (the overlay's is OVERLAY_FIGURE_WIDTH), and so the resolution each embedded copy needs. */
const OVERLAY_WIDTH = OVERLAY_FIGURE_WIDTH;
const COMPARE_WIDTH = METHODS_FIGURE_WIDTH;

function checkOptions(o: FigureOptions): void {
  const opacity = o.overlay?.opacity;
  if (opacity !== undefined && !(Number.isFinite(opacity) && opacity >= 0 && opacity <= 1))
    throw new WorkbenchError('bad-request', `Overlay opacity ${opacity} is out of range.`, 'Use an opacity in 0..1, e.g. 0.6 (the view opens with).');
  if (o.formats.length === 0) throw new WorkbenchError('bad-request', 'No figure format was asked for.', `Use one or more of: ${FIGURE_FORMATS.join(', ')}.`);
  for (const f of o.formats)
    if (!FIGURE_FORMATS.includes(f))
      throw new WorkbenchError('bad-request', `Unknown figure format "${f}".`, `Use one or more of: ${FIGURE_FORMATS.join(', ')}.`);
  for (const k of o.kinds ?? [])
    if (!FIGURE_KINDS.includes(k)) throw new WorkbenchError('bad-request', `Unknown figure kind "${k}".`, `Use one or more of: ${FIGURE_KINDS.join(', ')}.`);
  if (o.smooth !== undefined && !SMOOTHINGS.includes(o.smooth))
    throw new WorkbenchError('bad-request', `Unknown smoothing "${String(o.smooth)}".`, `Use one of: ${SMOOTHINGS.join(', ')}.`);
  const scale = o.scale ?? 2;
  if (!(Number.isFinite(scale) && scale > 0 && scale <= 8))
    throw new WorkbenchError('bad-request', `PNG scale ${scale} is out of range.`, 'Use a scale in (0, 8], e.g. 2 for screens or 3 for print.');
}

/** The Compare view takes up to four runs. */
const MAX_COMPARED = 4;

async function loadOthers(first: LoadedRecord, dirs: readonly string[], sameSample: boolean): Promise<LoadedRecord[]> {
  const out: LoadedRecord[] = [];
  for (const d of dirs) {
    const rec = await loadRecord(resolve(d));
    if (sameSample && (rec.record.image.hash !== first.record.image.hash || rec.record.question !== first.record.question)) {
      throw new WorkbenchError(
        'bad-request',
        `${d} is a record of another image or question than ${first.dir}.`,
        'Compare only records of the same image and question.',
      );
    }
    out.push(rec);
  }
  return out;
}

export async function figuresForRecord(recordDir: string, o: FigureOptions): Promise<FiguresResult> {
  checkOptions(o);
  const rec = await loadRecord(resolve(recordDir));
  const L = rec.record.bundle.layers;
  if (o.layer !== undefined && !(Number.isInteger(o.layer) && o.layer >= 0 && o.layer < L))
    throw new WorkbenchError('bad-request', `Layer ${o.layer} is not one of the model's layers in ${recordDir}.`, `Use a layer in 0..${L - 1}.`);
  const titles = o.titles ?? true;
  const scale = o.scale ?? 2;

  const skipped: FiguresResult['skipped'] = [];
  const kinds: FigureKind[] = [];
  for (const kind of o.kinds ?? FIGURE_KINDS) {
    const why = unavailableReason(kind, rec, o.compareWith?.length ?? 0, o.layerHeads);
    if (why === null) kinds.push(kind);
    else if (o.kinds) {
      const can = FIGURE_KINDS.filter((k) => unavailableReason(k, rec, o.compareWith?.length ?? 0, o.layerHeads) === null);
      throw new WorkbenchError('bad-request', `Cannot draw "${kind}" from ${recordDir}: ${why}.`, `This record gives: ${can.join(', ')}.`);
    } else skipped.push({ kind, reason: why });
  }
  const others = kinds.includes('compare') ? await loadOthers(rec, o.compareWith ?? [], true) : [];
  const compared = kinds.includes('compare-maps') ? [rec, ...(kinds.includes('compare') ? others : await loadOthers(rec, o.compareWith ?? [], false))] : [];
  if (compared.length > MAX_COMPARED)
    throw new WorkbenchError(
      'bad-request',
      `compare-maps puts up to ${MAX_COMPARED} runs side by side; ${compared.length} were given.`,
      `Name at most ${MAX_COMPARED - 1} records with --with.`,
    );
  const colormap = COLORMAPS[o.colormap ?? 'viridis'];
  const colorScale = o.ownScale ? ('per-panel' as const) : ('shared' as const);

  // Read the picture before drawing anything, so that a moved image fails fast.
  const decoded: DecodedImage | null = kinds.some((k) => NEEDS_IMAGE.has(k)) ? await readRecordImage(rec.record.image, o.image) : null;
  const images = new Map<string, ImageRef>();
  const image = async (maxWidth: number, grayscale = false): Promise<ImageRef> => {
    if (!decoded) throw new Error('figure needs the image, but it was not read');
    // Enough pixels for the PNG at this scale (at least 2x, so the SVG stays sharp on a retina screen).
    const maxSide = Math.ceil(maxWidth * Math.max(2, scale));
    const key = `${maxSide}:${grayscale}`;
    if (!images.has(key)) images.set(key, await embedImage(decoded, { maxSide, grayscale }));
    return images.get(key)!;
  };

  // The overlay as the app opens the run: the same views (unclipped cells), the same default view and builder as its export.
  const result = kinds.includes('overlay') || kinds.includes('paper') ? laserResult(rec.record, rec.tensors, false) : null;
  const overlayView = result ? overlayViewFor(rec, result, o) : null;
  let overlayAbout = '';
  let compareAbout = '';
  const overlaySvg = async (withTitles: boolean) => {
    if (!result || !overlayView) throw new Error("the overlay needs the record's map, but it has none");
    const file = overlayFigureFile(result.record, await image(OVERLAY_FIGURE_WIDTH), overlayView, { titles: withTitles });
    overlayAbout = file.about;
    return file.svg;
  };

  const svgs: [FigureKind, string][] = [];
  for (const kind of kinds) {
    switch (kind) {
      case 'overlay':
        svgs.push([kind, await overlaySvg(titles)]);
        break;
      case 'vaq':
        svgs.push([kind, vaqCurveSvg(vaqData(rec, titles))]);
        break;
      case 'heads':
        svgs.push([kind, vaqHeadsHeatmapSvg(headsData(rec, titles))]);
        break;
      case 'layers':
        // Panels are small: a greyscale copy at a quarter of the overlay's resolution is plenty, and lets the map's colour stand out.
        svgs.push([
          kind,
          layerStripSvg(layersData(rec, await image(OVERLAY_WIDTH / 3, true), titles, o.layers, { heads: o.layerHeads ?? 'top', colorScale, colormap })),
        ]);
        break;
      case 'decoding': {
        const d = decodingData(rec, titles);
        svgs.push([kind, decodingTableSvg(d.steps, d.options)]);
        break;
      }
      case 'inputs':
        svgs.push([kind, modelInputsSvg(inputsData(rec, titles, o.excludeSinks ?? false, o.layer ?? rec.record.layer, o.smooth ?? 'cells'))]);
        break;
      case 'paper': {
        if (!result || !overlayView) throw new Error("the paper figure needs the record's map, but it has none");
        const file = paperFigureFile(result.record, await image(OVERLAY_FIGURE_WIDTH), overlayView, cropPanel(rec), { titles });
        overlayAbout = file.about;
        svgs.push([kind, file.svg]);
        break;
      }
      case 'compare':
        svgs.push([kind, methodComparisonSvg(compareData([rec, ...others], await image(COMPARE_WIDTH * 0.42), titles))]);
        break;
      case 'compare-maps': {
        const file = compareMapsFile(compared, { ...defaultCompareSettings, ...o.compare, scale: colorScale }, o.colormap ?? 'viridis', titles);
        compareAbout = file.about;
        svgs.push([kind, file.svg]);
        break;
      }
    }
  }

  await mkdir(o.outDir, { recursive: true });
  const written: WrittenFigure[] = [];
  const provenance = figureProvenance(rec.record);
  const fonts = o.formats.includes('pdf') ? await pdfFonts() : {};
  const warnings: string[] = [];
  for (const [kind, plain] of svgs) {
    // the overlay says how it was drawn too, as the app's export does
    const about =
      kind === 'overlay' || kind === 'paper'
        ? overlayAbout
        : kind === 'compare-maps'
          ? compareAbout
          : kind === 'inputs'
            ? inputsFigureAbout(rec.record, o.smooth ?? 'cells')
            : provenance;
    const svg = withDescription(plain, about);
    for (const format of o.formats) {
      const path = join(o.outDir, `${kind}.${format}`);
      await writeFileAtomically(
        path,
        format === 'svg'
          ? svg
          : format === 'png'
            ? await svgToPng(svg, scale)
            : svgToPdf(svg, { subject: about, fonts, warn: (m) => warnings.push(`${path}: ${m}`) }),
      );
      written.push({ kind, format, path });
    }
  }
  return { written, skipped, warnings };
}

/**
 * The overlay as the app's view shows it with the options' choices (the view it opens with where
 * none is given): the same `overlayShown`, the per-head maps of a head choice read from tensor A
 * as laser.headMaps answers them. Null when the record has no map M and none other was asked for.
 */
function overlayViewFor(rec: LoadedRecord, result: ReturnType<typeof laserResult>, o: FigureOptions): OverlayFigureView | null {
  const r = rec.record;
  const c: OverlayChoice = {
    ...DEFAULT_OVERLAY_CHOICE,
    ...(o.overlay?.map ? { map: o.overlay.map } : {}),
    ...(o.overlay?.heads ? { heads: o.overlay.heads } : {}),
    ...(o.overlay?.opacity !== undefined ? { opacity: o.overlay.opacity } : {}),
    layer: o.layer ?? r.layer,
    colormap: o.colormap ?? 'viridis',
    smooth: o.smooth ?? 'cells',
    excludeSinks: o.excludeSinks ?? false,
  };
  if (c.heads.kind !== 'mean' && c.map !== 'A')
    throw new WorkbenchError(
      'bad-request',
      `A head choice is a choice of the heads of A, and the overlay shows ${c.map}.`,
      'Add --map A, or leave --heads out.',
    );
  const A = rec.tensors.A;
  const headMaps = c.map === 'A' && c.heads.kind !== 'mean' && c.layer !== null && A ? { layer: c.layer, heads: layerHeads(A, c.layer) } : null;
  let shown;
  try {
    shown = overlayShown(result, c, o.truthBox ?? null, headMaps);
  } catch (e) {
    // a head outside the layer's heads (selectedHeads)
    if (e instanceof RangeError)
      throw new WorkbenchError('bad-request', `Cannot draw the overlay of ${rec.dir}: ${e.message}.`, 'Pick one of the heads named.');
    throw e;
  }
  if (shown && shown.headsPending) throw new Error(`the per-head maps of layer ${c.layer} were not read`);
  if (!shown && o.overlay?.map !== undefined) {
    const has = mapChoices(result, c.layer).filter((m) => m.values !== null);
    throw new WorkbenchError(
      'bad-request',
      `A ${r.method} record has no map ${c.map}${c.map === 'A' ? ` at layer ${c.layer ?? '(none chosen)'}` : ''} to draw.`,
      has.length > 0 ? `It has: ${has.map((m) => m.id).join(', ')}.` : 'It has no map to draw.',
    );
  }
  return shown?.figure ?? null;
}

/**
 * The runs side by side as the app's Compare view draws them (common/laser/compare-panels.ts): each
 * on the image its model got, the per-head maps it needs read from its tensor A as laser.headMaps
 * answers them.
 */
function compareMapsFile(recs: readonly LoadedRecord[], s: CompareSettings, colormap: ColormapName, titles: boolean): { svg: string; about: string } {
  const results = recs.map((x) => laserResult(x.record, x.tensors, false));
  const [a, b] = results;
  if (s.difference) {
    const why = a && b ? differenceProblem(a, b) : 'a difference needs two runs';
    if (why !== null)
      throw new WorkbenchError('bad-request', `Cannot draw the difference of the first two runs: ${why}.`, 'Compare two runs of the same image and grid.');
  }
  const headMaps = new Map<string, HeadMaps>();
  for (const n of neededHeadMaps(results, s)) {
    const A = recs[results.findIndex((r) => r.id === n.id)]?.tensors.A;
    if (A) headMaps.set(headMapsKey(n.id, n.layer), { layer: n.layer, heads: layerHeads(A, n.layer) });
  }
  const drawn = s.difference ? results.slice(0, 2) : results;
  const panels = scalePanels(comparePanels(drawn, s, headMaps), s, COLORMAPS[colormap]);
  const hrefs = recs.slice(0, drawn.length).map(firstInputHref);
  return { svg: modelInputsSvg(compareMapsFigure(panels, s, hrefs, titles)), about: compareProvenance(drawn) };
}
