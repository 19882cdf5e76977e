/**
 * From an analysis record to the plain inputs of the figure builders (common/figures), and the
 * reason a figure cannot be drawn from a given record (a vanilla run has no VAQ, vicrop-rel no
 * contrastive stack, ...). Everything is read from the record; nothing is recomputed except the
 * per-layer maps of the layer strip, which follow spec step 7 at every layer exactly as the method
 * does at the chosen one.
 */
import { cellMapping } from '../laser/views.ts';
import type { Colormap, FigureBox, ImageRef, LayerPanel, LayerStripInput, ModelInputsInput } from '../../common/figures/index.ts';
import { layersFigure, meanLayerPanels, topHeadsLayerPanels, type LayerHeads } from '../../common/laser/layers-figure.ts';
import { inputsFigure } from '../../common/laser/inputs-figure.ts';
import type { Smoothing } from '../../common/laser/overlay-figure.ts';
import { meanOverHeads, recordInputImages } from '../laser/record-views.ts';
import { decodingFigure, headsFigure, methodsFigure, vaqFigure } from '../../common/laser/record-figures.ts';
import { mapGrid, type AnalysisRecord, type RecordTensor } from '../laser/record.ts';
import type { LoadedRecord } from '../laser/record-io.ts';

export const FIGURE_KINDS = ['overlay', 'vaq', 'layers', 'heads', 'decoding', 'compare', 'inputs', 'paper', 'compare-maps'] as const;
export type FigureKind = (typeof FIGURE_KINDS)[number];

/** Which kinds need the picture. */
export const NEEDS_IMAGE: ReadonlySet<FigureKind> = new Set(['overlay', 'layers', 'compare', 'paper']);

/** Why `kind` cannot be drawn from this record (compared with `others` more; the layer strip on `layerHeads`), or null if it can. */
export function unavailableReason(kind: FigureKind, rec: LoadedRecord, others = 0, layerHeads: LayerHeads = 'top'): string | null {
  const r = rec.record;
  const m = r.method;
  switch (kind) {
    case 'overlay':
      if (!rec.tensors.M)
        return r.fallback === 'no-activation'
          ? 'the question added no attention, so there is no map (fallback: no-activation)'
          : `a ${m} record has no localisation map`;
      return null;
    case 'vaq':
      return r.vaq ? null : `a ${m} record has no VAQ per layer`;
    case 'heads':
      return r.vaqHeads ? null : `a ${m} record has no VAQ per head`;
    case 'layers':
      if (!rec.tensors.A) return `a ${m} record has no contrastive attention per layer (tensor A)`;
      if (!r.vaqHeads && layerHeads === 'top') return `a ${m} record has no VAQ per head to pick each layer's heads (--layer-heads mean averages them all)`;
      return null;
    case 'compare':
      return m === 'vanilla' && others === 0 ? 'a vanilla record has only one method to show (add records of other methods to compare with)' : null;
    case 'paper':
      if (!rec.tensors.M)
        return `the paper figure shows the map at l*, and ${r.fallback === 'no-activation' ? 'this run has none (fallback: no-activation)' : `a ${m} record has none`}`;
      return r.vaq ? null : `the paper figure shows the VAQ curve, and a ${m} record has none`;
    case 'compare-maps':
      return others === 0 ? 'the maps compared side by side need records to compare with (--with)' : null;
    case 'decoding':
    case 'inputs':
      return null;
  }
}

/** Every cell's rectangle on the original image, unclipped (pad-to-square cells reach into the padding), as the app's views carry them. */
export function recordCells(r: AnalysisRecord): FigureBox[] {
  const mapping = cellMapping(r.geometry);
  return Array.from({ length: r.geometry.gridWidth * r.geometry.gridHeight }, (_, j) => mapping.cellRect(j) as FigureBox);
}

/** The record's map, checked against the grid the record says it lies on. */
function mapValues(r: AnalysisRecord, t: RecordTensor): Float64Array {
  const [gh, gw] = mapGrid(r, 'M');
  if (t.data.length !== gh * gw) throw new Error(`Tensor M has ${t.data.length} values; the ${gh}x${gw} grid needs ${gh * gw}.`);
  return Float64Array.from(t.data);
}

export interface Titles {
  title?: string;
  subtitle?: string;
}

export { referenceLayer } from '../../common/laser/record-figures.ts';

export function vaqData(rec: LoadedRecord, titles: boolean) {
  return vaqFigure(rec.record, titles);
}

export function headsData(rec: LoadedRecord, titles: boolean) {
  return headsFigure(rec.record, titles);
}

/**
 * The contrastive map of each layer made as step 7 makes it at the chosen layer (topHeadsLayerPanels,
 * common/laser/layers-figure.ts, which the app's Layers view uses on laser.headMaps): the mean over
 * that layer's top-kHead heads by VAQ, normalised to sum 1; the chosen layer's panel is the record's own M.
 */
export function layerPanels(rec: LoadedRecord, layers?: readonly number[]): LayerPanel[] {
  const r = rec.record;
  const A = rec.tensors.A!;
  const [L, H, Nv] = A.shape;
  if (L === undefined || H === undefined || Nv === undefined || A.shape.length !== 3)
    throw new Error(`Tensor A has shape [${A.shape.join(', ')}]; a [layers, heads, cells] tensor is needed.`);
  const [gh, gw] = mapGrid(r, 'A');
  if (Nv !== gh * gw) throw new Error(`Tensor A has ${Nv} cells per row; the ${gh}x${gw} grid needs ${gh * gw}.`);
  if (A.data.length !== L * H * Nv) throw new Error(`Tensor A has ${A.data.length} values; [${L}, ${H}, ${Nv}] needs ${L * H * Nv}.`);
  const wanted = layers ?? Array.from({ length: L }, (_, l) => l);
  for (const l of wanted) if (!Number.isInteger(l) || l < 0 || l >= L) throw new RangeError(`Layer ${l} is not one of the record's ${L} layers.`);
  const M = rec.tensors.M ? mapValues(r, rec.tensors.M) : null;
  return topHeadsLayerPanels(r, { gh, gw }, wanted, (l) => A.data.subarray(l * H * Nv, (l + 1) * H * Nv), M);
}

export interface LayersDataOptions {
  /** Default 'top' (spec step 7 at every layer); 'mean': the head mean, as the app's Layers view shows. */
  heads?: LayerHeads;
  colorScale?: 'shared' | 'per-panel';
  colormap?: Colormap;
}

export function layersData(rec: LoadedRecord, image: ImageRef, titles: boolean, layers?: readonly number[], o: LayersDataOptions = {}): LayerStripInput {
  const r = rec.record;
  const heads = o.heads ?? 'top';
  let panels: LayerPanel[];
  if (heads === 'top') panels = layerPanels(rec, layers);
  else {
    const A = rec.tensors.A;
    if (!A) throw new RangeError(`a ${r.method} record has no contrastive attention per layer (tensor A)`);
    // the same head mean the app's views carry (engine/laser/record-views.ts)
    const contrastive = meanOverHeads(A);
    panels = meanLayerPanels(r, contrastive, layers ?? contrastive.map((_, l) => l));
  }
  return layersFigure(r, image, recordCells(r), panels, {
    heads,
    titles,
    ...(o.colorScale ? { colorScale: o.colorScale } : {}),
    ...(o.colormap ? { colormap: o.colormap } : {}),
  });
}

export function decodingData(rec: LoadedRecord, titles: boolean) {
  return decodingFigure(rec.record, titles);
}

export function compareData(recs: readonly LoadedRecord[], image: ImageRef, titles: boolean) {
  return methodsFigure(
    recs.map((x) => x.record),
    image,
    titles,
  );
}

/**
 * Every image the model got, from the record folder's PNGs, each with its own attention (head
 * mean) at `layer` (default the record's; the last layer for a method without one) on its own grid,
 * as the app's Inputs view exports it at the layer in view (inputsFigure, common/laser/inputs-figure.ts).
 */
export function inputsData(
  rec: LoadedRecord,
  titles: boolean,
  excludeSinks = false,
  layer: number | null = rec.record.layer,
  smooth: Smoothing = 'cells',
): ModelInputsInput {
  const r = rec.record;
  const hrefs = r.inputs.map((i) => {
    const png = rec.files[i.file];
    if (!png) throw new Error(`The record lists ${i.file}, but it was not loaded.`);
    return `data:image/png;base64,${Buffer.from(png).toString('base64')}`;
  });
  return inputsFigure(r, recordInputImages(r, rec.tensors), hrefs, layer, titles, excludeSinks, smooth);
}

/** The first image the model got (I as the encoder got it), as the Compare view's panels draw on it. */
export function firstInputHref(rec: LoadedRecord): string {
  const first = rec.record.inputs[0];
  const png = first ? rec.files[first.file] : undefined;
  if (!first || !png) throw new Error(`The record in ${rec.dir} has no input image to draw its map on.`);
  return `data:image/png;base64,${Buffer.from(png).toString('base64')}`;
}

/** The crop I+ as the model got it, for the paper figure's panel c; null when the method made none. */
export function cropPanel(rec: LoadedRecord): ImageRef | null {
  const crop = rec.record.inputs.find((i) => i.role === 'crop');
  const png = crop ? rec.files[crop.file] : undefined;
  return crop && png ? { href: `data:image/png;base64,${Buffer.from(png).toString('base64')}`, width: crop.width, height: crop.height } : null;
}
