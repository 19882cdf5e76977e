/**
 * Spec steps 3-9 on attention read-outs, with no model in sight: contrastive attention, VAQ, the
 * layer, the localisation map, the crop box and the cells to mask. The orchestrator feeds it what
 * the passes read; tests feed it hand-made attention (a map with no positive mass, for one).
 *
 * vaqSteps = 'answer' hands in one read-out per answer position. VAQ per head is then averaged over
 * the positions before the top-kHead choice (common/laser averageHeadVaq), and the map is made from
 * the position-mean of the contrastive attention, so the map and the score describe the same thing.
 * With one position (the default, 'prefill') both reduce to the spec's formulas exactly.
 */
import {
  averageHeadVaq,
  chooseLayer,
  contrastiveAttention,
  cropBox,
  fullImageBox,
  headVaq,
  layerVaq,
  localisationMap,
  maskPlan,
  type AttentionStack,
  type Box,
  type BoxResult,
  type CellMapping,
  type CropRule,
  type ImageSize,
  type LayerChoice,
  type MaskPlan,
  type VaqScores,
} from '../../common/laser/index.ts';

export interface LocaliseKnobs {
  renormalize: boolean;
  kHead: number;
  layerRange?: readonly [number, number] | null;
  fixedLayer?: number | null;
  cropRule: CropRule;
  topkCells: number;
  windowBase: number;
  minCropSide: number;
  /** Cells to mask (count or fraction); null when the method masks nothing. */
  kPatch: number | null;
}

export interface LocaliseInput {
  /** a_q at each position (one for vaqSteps = 'prefill'). */
  query: readonly AttentionStack[];
  /** a_0 at the same positions. */
  noQuery: readonly AttentionStack[];
  mapping: CellMapping;
  size: ImageSize;
}

/** The crop as the record keeps it: the rule's own details (centroid, window, cells) without the box. */
export type CropDetail = { readonly rule: CropRule; readonly degenerate: boolean } & Record<string, unknown>;

export interface Localisation {
  /** A, the position-mean of ReLU(a_q - a_0), [L, H, Nv]. */
  contrastive: AttentionStack;
  vaq: VaqScores;
  choice: LayerChoice;
  /** The top-kHead heads of the chosen layer, whose mean is the map. */
  heads: readonly number[];
  /** M, row-major gh x gw, summing to 1; null on the fallback. */
  map: Float64Array | null;
  /** Sum of the head-mean before normalisation. */
  mass: number;
  fallback: 'no-activation' | null;
  box: Box;
  crop: CropDetail;
  /** The masked cells and their pixel rectangles (empty on the fallback or when nothing is masked). */
  mask: MaskPlan;
}

function meanStack(stacks: readonly AttentionStack[]): AttentionStack {
  const [first] = stacks;
  if (first === undefined) throw new RangeError('meanStack needs at least one read-out.');
  if (stacks.length === 1) return first;
  const { layers, heads, tokens } = first;
  const out = new Float64Array(first.data.length);
  for (const s of stacks) {
    if (s.data.length !== out.length) throw new RangeError(`Read-outs of ${s.data.length} and ${out.length} values cannot be averaged.`);
    for (let i = 0; i < out.length; i++) out[i]! += s.data[i]!;
  }
  for (let i = 0; i < out.length; i++) out[i]! /= stacks.length;
  return { layers, heads, tokens, data: out };
}

function cropDetail(result: BoxResult): CropDetail {
  const { box: _box, ...rest } = result;
  return rest as CropDetail;
}

export function localise(input: LocaliseInput, knobs: LocaliseKnobs): Localisation {
  const n = input.query.length;
  if (n === 0 || n !== input.noQuery.length)
    throw new RangeError(`localise needs as many no-query read-outs as query read-outs (got ${n} and ${input.noQuery.length}).`);
  const perPosition = input.query.map((q, t) => {
    const noQuery = input.noQuery[t];
    if (noQuery === undefined) throw new RangeError(`localise: no no-query read-out at position ${t}.`);
    return contrastiveAttention(q, noQuery, { renormalize: knobs.renormalize });
  });
  const contrastive = meanStack(perPosition);
  const { layers, heads } = contrastive;
  const [only] = perPosition;
  const perHead = n === 1 && only !== undefined ? headVaq(only) : averageHeadVaq(perPosition.map(headVaq));
  const vaq = layerVaq(perHead, layers, heads, knobs.kHead);
  const choice = chooseLayer(vaq.perLayer, { layerRange: knobs.layerRange ?? null, fixedLayer: knobs.fixedLayer ?? null });
  const top = vaq.topHeads[choice.layer];
  if (top === undefined) throw new RangeError(`Layer ${choice.layer} has no head ranking (${vaq.topHeads.length} layers scored).`);
  const m = localisationMap(contrastive, choice.layer, top, input.mapping.grid);
  if (!m.ok) {
    const box = fullImageBox(input.size);
    return {
      contrastive,
      vaq,
      choice,
      heads: top,
      map: null,
      mass: 0,
      fallback: 'no-activation',
      box,
      crop: { rule: knobs.cropRule, degenerate: true },
      mask: { cells: [], rects: [] },
    };
  }
  const result = cropBox(m.map, input.mapping, input.size, knobs);
  const mask = knobs.kPatch === null ? { cells: [], rects: [] } : maskPlan(m.map, input.mapping, knobs.kPatch);
  return { contrastive, vaq, choice, heads: top, map: m.map, mass: m.mass, fallback: null, box: result.box, crop: cropDetail(result), mask };
}
