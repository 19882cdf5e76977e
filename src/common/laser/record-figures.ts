/**
 * What the figure builders of common/figures get from a record, for the figures that need only
 * record.json (no tensors, no picture): the VAQ curve, VAQ per head, the decoding table and the
 * paper figure around its panels. Pure, so `laser figure` and the app's export feed the builders
 * the same numbers.
 */
import type { DecodingStep, ImageRef, MethodComparisonInput, MethodRow, PaperInput, VaqCurveInput } from '../figures/index.ts';
import { answerText, baselineAnswerText } from './answer-text.ts';
import { relativeDepthLayer } from './knobs.ts';
import { figureProvenance } from './provenance.ts';
import type { AnalysisRecord } from './record.ts';

type R = Pick<AnalysisRecord, 'method' | 'layer' | 'layerChoice' | 'vaq' | 'vaqHeads' | 'mapHeads' | 'knobs'>;

/** The fixed layer to show beside the chosen one: ViCrop's layer 14 of LLaVA-1.5-7B, at the same relative depth on other models. */
export function referenceLayer(r: Pick<AnalysisRecord, 'layerChoice'>, layers: number): number | null {
  if (r.layerChoice?.mode === 'fixed') return null;
  return relativeDepthLayer(14, layers);
}

export function vaqFigure(r: R, titles: boolean): VaqCurveInput {
  const vaq = r.vaq;
  if (!vaq) throw new RangeError(`a ${r.method} record has no VAQ per layer`);
  const kHead = typeof r.knobs.kHead === 'number' ? r.knobs.kHead : null;
  return {
    vaq,
    chosen: r.layer,
    fixedLayerRef: referenceLayer(r, vaq.length),
    searched: r.layerChoice?.searched ?? null,
    ...(titles
      ? {
          title: 'VAQ per layer',
          subtitle: `${r.method}${kHead === null ? '' : ` \u00B7 mean of the top ${Math.min(kHead, r.vaqHeads?.[0]?.length ?? kHead)} heads`}`,
        }
      : {}),
  };
}

export function headsFigure(r: R, titles: boolean) {
  if (!r.vaqHeads) throw new RangeError(`a ${r.method} record has no VAQ per head`);
  return {
    vaqHeads: r.vaqHeads,
    chosenLayer: r.layer,
    markedHeads: r.mapHeads ?? [],
    colorbarLabel: 'VAQ',
    ...(titles ? { title: 'VAQ per head', subtitle: r.mapHeads ? `${r.method} \u00B7 dots: the heads averaged into the map` : r.method } : {}),
  };
}

export function decodingFigure(r: Pick<AnalysisRecord, 'method' | 'answer' | 'steps' | 'decoding'>, titles: boolean) {
  const steps: DecodingStep[] = r.steps;
  return {
    steps,
    options: {
      alpha: r.decoding.alpha,
      ...(titles
        ? {
            title: `Decoding: \u201C${r.answer.trim()}\u201D`,
            subtitle: `${r.method} \u00B7 ${r.decoding.kind === 'vat' ? `${r.decoding.positive} vs ${r.decoding.negative ?? '\u2014'}` : r.decoding.positive}`,
          }
        : {}),
    },
  };
}

/**
 * The paper figure's input: the overlay and VAQ figures (drawn without titles) placed whole, the
 * crop I+ as the model got it, the question, answers and a caption of provenance.
 */
export function paperFigure(
  r: Pick<AnalysisRecord, 'question' | 'answer' | 'stopReason' | 'baselineAnswer' | 'baselineTokens' | 'method'> & Parameters<typeof figureProvenance>[0],
  parts: { overlay: string; vaq: string; crop: ImageRef | null },
  titles: boolean,
): PaperInput {
  return {
    ...parts,
    question: r.question,
    answer: answerText(r.answer, r.stopReason),
    baseline: baselineAnswerText(r),
    method: r.method,
    caption: figureProvenance(r),
    ...(titles ? { title: r.question } : {}),
  };
}

type Compared = Pick<AnalysisRecord, 'method' | 'answer' | 'stopReason' | 'layer' | 'box' | 'baselineAnswer' | 'baselineTokens' | 'question'>;

/** One row per method: the first record's baseline (vanilla) answer first, then each record's method (vanilla records add no row of their own). */
export function comparisonRows(recs: readonly Compared[]): MethodRow[] {
  const first = recs[0];
  if (first === undefined) throw new RangeError('No records to compare.');
  // an empty answer says why it is empty (answerText), as in the app
  const rows: MethodRow[] = [{ method: 'vanilla', answer: baselineAnswerText(first), layer: null, box: null }];
  for (const r of recs) {
    if (r.method === 'vanilla') continue;
    rows.push({ method: r.method, answer: answerText(r.answer, r.stopReason), layer: r.layer, box: r.box });
  }
  return rows;
}

/** The methods of one image and question compared (`laser figure --kind compare`, the app's "All six methods" export), LASER's box highlighted. */
export function methodsFigure(recs: readonly Compared[], image: ImageRef | null, titles: boolean): MethodComparisonInput {
  return {
    rows: comparisonRows(recs),
    image,
    highlight: 'laser',
    ...(titles && recs[0] ? { title: recs[0].question } : {}),
  };
}
