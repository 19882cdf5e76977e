/**
 * From an analysis record to the plain inputs of the figure builders (common/figures), and the
 * reason a figure cannot be drawn from a given record (a vanilla run has no VAQ, vicrop-rel no
 * contrastive stack, ...). Everything is read from the record; nothing is recomputed except the
 * per-layer maps of the layer strip, which follow spec step 7 at every layer exactly as the method
 * does at the chosen one.
 */
import { cellBoxes, seenRegion } from '../../common/geometry/index.ts';
import type { DecodingStep, FigureBox, ImageRef, LayerPanel, MethodRow } from '../../common/figures/index.ts';
import { attentionStack, layerVaq, localisationMap } from '../../common/laser/index.ts';
import { relativeDepthLayer } from '../laser/knobs.ts';
import { mapGrid, type AnalysisRecord, type RecordTensor } from '../laser/record.ts';
import type { LoadedRecord } from '../laser/record-io.ts';

export const FIGURE_KINDS = ['overlay', 'vaq', 'layers', 'heads', 'decoding', 'compare'] as const;
export type FigureKind = (typeof FIGURE_KINDS)[number];

/** Which kinds need the picture. */
export const NEEDS_IMAGE: ReadonlySet<FigureKind> = new Set(['overlay', 'layers', 'compare']);

/** Why `kind` cannot be drawn from this record (compared with `others` more), or null if it can. */
export function unavailableReason(kind: FigureKind, rec: LoadedRecord, others = 0): string | null {
  const r = rec.record;
  const m = r.method;
  switch (kind) {
    case 'overlay':
      if (!rec.tensors.M) return r.fallback === 'no-activation' ? 'the question added no attention, so there is no map (fallback: no-activation)' : `a ${m} record has no localisation map`;
      return null;
    case 'vaq':
      return r.vaq ? null : `a ${m} record has no VAQ per layer`;
    case 'heads':
      return r.vaqHeads ? null : `a ${m} record has no VAQ per head`;
    case 'layers':
      if (!rec.tensors.A) return `a ${m} record has no contrastive attention per layer (tensor A)`;
      if (!r.vaqHeads) return `a ${m} record has no VAQ per head to pick each layer's heads`;
      return null;
    case 'compare':
      return m === 'vanilla' && others === 0 ? 'a vanilla record has only one method to show (add records of other methods to compare with)' : null;
    case 'decoding':
      return null;
  }
}

export function recordCells(r: AnalysisRecord): FigureBox[] {
  return cellBoxes(r.geometry);
}

/** The record's map, checked against the grid the record says it lies on. */
function mapValues(r: AnalysisRecord, t: RecordTensor): Float64Array {
  const [gh, gw] = mapGrid(r, 'M');
  if (t.data.length !== gh * gw) throw new Error(`Tensor M has ${t.data.length} values; the ${gh}x${gw} grid needs ${gh * gw}.`);
  return Float64Array.from(t.data);
}

function methodLine(r: AnalysisRecord): string {
  const parts: string[] = [r.method];
  if (r.layer !== null) parts.push(`layer ${r.layer}`);
  parts.push(`answer: ${r.answer.trim() === '' ? '(empty)' : r.answer.trim()}`);
  return parts.join(' \u00B7 ');
}

export interface Titles {
  title?: string;
  subtitle?: string;
}

export function overlayData(rec: LoadedRecord, image: ImageRef, titles: boolean) {
  const r = rec.record;
  return {
    image,
    cells: recordCells(r),
    values: mapValues(r, rec.tensors.M!),
    box: r.box,
    maskedCells: r.maskedCells,
    seen: seenRegion(r.geometry),
    colorbar: true as const,
    colorbarLabel: r.method === 'vicrop-rel' ? 'relative attention' : 'share of map mass',
    ...(titles ? { title: r.question, subtitle: methodLine(r) } : {}),
  };
}

/** The fixed layer to show beside the chosen one: ViCrop's layer 14 of LLaVA-1.5-7B, at the same relative depth on other models. */
export function referenceLayer(r: AnalysisRecord, layers: number): number | null {
  if (r.layerChoice?.mode === 'fixed') return null;
  return relativeDepthLayer(14, layers);
}

export function vaqData(rec: LoadedRecord, titles: boolean) {
  const r = rec.record;
  const vaq = r.vaq!;
  const kHead = typeof r.knobs.kHead === 'number' ? r.knobs.kHead : null;
  return {
    vaq,
    chosen: r.layer,
    fixedLayerRef: referenceLayer(r, vaq.length),
    searched: r.layerChoice?.searched ?? null,
    ...(titles ? { title: 'VAQ per layer', subtitle: `${r.method}${kHead === null ? '' : ` \u00B7 mean of the top ${Math.min(kHead, r.vaqHeads?.[0]?.length ?? kHead)} heads`}` } : {}),
  };
}

export function headsData(rec: LoadedRecord, titles: boolean) {
  const r = rec.record;
  return {
    vaqHeads: r.vaqHeads!,
    chosenLayer: r.layer,
    markedHeads: r.mapHeads ?? [],
    colorbarLabel: 'VAQ',
    ...(titles ? { title: 'VAQ per head', subtitle: r.mapHeads ? `${r.method} \u00B7 dots: the heads averaged into the map` : r.method } : {}),
  };
}

/**
 * The contrastive map of each layer made as step 7 makes it at the chosen layer: the mean over
 * that layer's top-kHead heads by VAQ, normalised to sum 1 (all zeros when the layer has no mass).
 * The chosen layer's panel is the record's own M.
 */
export function layerPanels(rec: LoadedRecord, layers?: readonly number[]): LayerPanel[] {
  const r = rec.record;
  const A = rec.tensors.A!;
  const [L, H, Nv] = A.shape;
  const [gh, gw] = mapGrid(r, 'A');
  if (Nv !== gh * gw) throw new Error(`Tensor A has ${Nv} cells per row; the ${gh}x${gw} grid needs ${gh * gw}.`);
  const stack = attentionStack(L, H, Nv, A.data);
  const kHead = typeof r.knobs.kHead === 'number' ? r.knobs.kHead : 8;
  const scores = layerVaq(Float64Array.from(r.vaqHeads!.flat()), L, H, kHead);
  const wanted = layers ?? Array.from({ length: L }, (_, l) => l);
  return wanted.map((l) => {
    if (!Number.isInteger(l) || l < 0 || l >= L) throw new RangeError(`Layer ${l} is not one of the record's ${L} layers.`);
    const vaq = r.vaq ? r.vaq[l] : null;
    if (l === r.layer && rec.tensors.M) return { layer: l, vaq, values: mapValues(r, rec.tensors.M) };
    const m = localisationMap(stack, l, scores.topHeads[l], { gh, gw });
    return { layer: l, vaq, values: m.ok ? m.map : new Float64Array(Nv) };
  });
}

export function layersData(rec: LoadedRecord, image: ImageRef, titles: boolean, layers?: readonly number[]) {
  const r = rec.record;
  return {
    image,
    cells: recordCells(r),
    panels: layerPanels(rec, layers),
    chosen: r.layer,
    colorbarLabel: 'share of map mass',
    ...(titles ? { title: 'Contrastive attention per layer', subtitle: `${r.question} \u00B7 ${r.method}, chosen layer framed` } : {}),
  };
}

export function decodingData(rec: LoadedRecord, titles: boolean) {
  const r = rec.record;
  const steps: DecodingStep[] = r.steps;
  return {
    steps,
    options: {
      alpha: r.decoding.alpha,
      ...(titles ? { title: `Decoding: \u201C${r.answer.trim()}\u201D`, subtitle: `${r.method} \u00B7 ${r.decoding.kind === 'vat' ? `${r.decoding.positive} vs ${r.decoding.negative ?? '\u2014'}` : r.decoding.positive}` } : {}),
    },
  };
}

/** One row per method: the record's baseline (vanilla) answer first, then each record's method. */
export function comparisonRows(recs: readonly LoadedRecord[]): MethodRow[] {
  const first = recs[0].record;
  const rows: MethodRow[] = [{ method: 'vanilla', answer: first.baselineAnswer, layer: null, box: null }];
  for (const { record: r } of recs) {
    if (r.method === 'vanilla') continue;
    rows.push({ method: r.method, answer: r.answer, layer: r.layer, box: r.box });
  }
  return rows;
}

export function compareData(recs: readonly LoadedRecord[], image: ImageRef, titles: boolean) {
  return {
    rows: comparisonRows(recs),
    image,
    highlight: 'laser',
    ...(titles ? { title: recs[0].record.question } : {}),
  };
}
