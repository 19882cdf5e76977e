/**
 * One run's numbers against one sample's ground truth, read from its analysis record:
 * - score: multiple-choice correctness (A-OKVQA MC), else VQA soft accuracy when the sample has
 *   answers (protocol per dataset), for a grounding-only sample (RefCOCO) Acc@0.5 of the box in
 *   the answer (metrics.ts groundingIou, lmms-eval's parsing; `iou` beside it), else 1/0 for the
 *   POPE reading of the answer matching the label, else null (grounding-only samples);
 * - grounding: attention aggregation (metrics.ts) inside the sample's box of
 *   `raw`, the head mean of the query pass's attention a_q at the record's layer (the chosen l* for
 *   laser / laser-crop, the fixed layer for static-layer / vicrop-rel), and
 *   `map`, the method's own localisation map M (LASER's contrastive map; ViCrop's relative map).
 *   A method with no layer (vanilla, vcd) has neither. A run that fell back ('no-activation': the
 *   question moved no attention, so M has no mass) scores map = 0: its map put nothing in the box.
 *   `uniform` is the chance level beside them: what a map equal on every grid cell puts in the box
 *   (the box's share of the model's view), so a map that ignores the image scores it.
 *   `crop` is the share of the target's box inside the method's crop box: did the crop take the
 *   evidence (1: all of it)?
 */
import { aokvqaMultipleChoice, attentionAggregation, groundingIou, popeAnswer, vqaSoftAccuracy, type YesNo } from '../../common/laser/metrics.ts';
import { intersectRects, rectArea } from '../../common/laser/grid.ts';
import type { MethodId } from '../../common/laser/knobs.ts';
import type { AnalysisRecord, RecordTensors } from '../laser/record.ts';
import { cellMapping } from '../laser/views.ts';
import type { EvalSample } from './types.ts';

export interface Aggregation {
  /** Head-mean a_q at the record's layer; null when the method has no layer. */
  raw: number | null;
  /** The method's map M; null when the method makes none. */
  map: number | null;
  /** A map equal on every cell: the chance level for this box and geometry. */
  uniform: number;
  /** The share of the box inside the method's crop; null when the method crops nothing. */
  crop: number | null;
}

export interface SampleResult {
  sampleId: string;
  method: MethodId;
  answer: string;
  /** VQA soft accuracy or POPE correctness, in 0..1; null when the sample has no answer truth. */
  score: number | null;
  /** The POPE reading of the answer, when the sample has a POPE label. */
  pope: YesNo | null;
  /** The layer the map came from, and whether it was chosen (argmax of VAQ) or fixed. */
  layer: number | null;
  layerMode: 'argmax' | 'fixed' | null;
  /** The run fell back to the full image (its map had no mass). */
  fallback: boolean;
  /** Null when the sample has no box or the method no layer. */
  aggregation: Aggregation | null;
  /** The record's folder in the cache (null when not cached). */
  record: string | null;
  cached: boolean;
  /** The run's wall time (record timings.total), ms. */
  ms: number;
  /** The method's crop box on the original image, [x0, y0, x1, y1]; null when it crops nothing. */
  cropBox: readonly number[] | null;
  /** Why the run could not be made (missing image, unreadable file); null for a run that was made. */
  error: string | null;
  /** Grounding samples: the IoU of the box in the answer with the truth (its Acc@0.5 is the score). */
  iou?: number | null;
}

/** The answer's score against the sample's truth (see the header). */
export function answerScore(sample: EvalSample, answer: string): number | null {
  if (sample.choices) return aokvqaMultipleChoice(answer, sample.choices.options, sample.choices.correct);
  if (sample.vqa) return vqaSoftAccuracy(answer, sample.vqa.answers, sample.vqa.protocol);
  if (sample.pope) return popeAnswer(answer) === sample.pope ? 1 : 0;
  return null;
}

export function groundingOf(sample: EvalSample, record: AnalysisRecord, tensors: RecordTensors): Aggregation | null {
  if (sample.box === undefined || record.layer === null) return null;
  const mapping = cellMapping(record.geometry);
  const raw = tensors['a_q.layer_mean'];
  const hasMap = record.method !== 'vanilla' && record.method !== 'vcd';
  return {
    raw: raw ? attentionAggregation(raw.data, mapping, sample.box) : null,
    map: !hasMap ? null : tensors.M ? attentionAggregation(tensors.M.data, mapping, sample.box) : 0,
    uniform: attentionAggregation(new Float64Array(mapping.grid.gh * mapping.grid.gw).fill(1), mapping, sample.box),
    crop: record.box === null || rectArea(sample.box) === 0 ? null : rectArea(intersectRects(record.box, sample.box)) / rectArea(sample.box),
  };
}

/** A grounding-only sample (RefCOCO): its truth is the box alone. */
const groundingOnly = (s: EvalSample) => s.box !== undefined && !s.vqa && !s.pope && !s.choices;

export function scoreRun(sample: EvalSample, record: AnalysisRecord, tensors: RecordTensors, dir: string | null, cached: boolean): SampleResult {
  const iou = groundingOnly(sample) ? groundingIou(record.answer, sample.box!, record.image) : null;
  return {
    sampleId: sample.id,
    method: record.method,
    answer: record.answer,
    score: iou !== null ? (iou >= 0.5 ? 1 : 0) : answerScore(sample, record.answer),
    iou,
    pope: sample.pope ? popeAnswer(record.answer) : null,
    layer: record.layer,
    layerMode: record.layerChoice?.mode ?? null,
    fallback: record.fallback !== null,
    aggregation: groundingOf(sample, record, tensors),
    record: dir,
    cached,
    ms: record.timings.total ?? 0,
    cropBox: record.box === null ? null : [...record.box],
    error: null,
  };
}

/** The result of a run that could not be made: no answer, no score, the reason kept. */
export function errorResult(sample: EvalSample, method: MethodId, reason: string): SampleResult {
  return {
    sampleId: sample.id,
    method,
    answer: '',
    score: null,
    pope: null,
    layer: null,
    layerMode: null,
    fallback: false,
    aggregation: null,
    record: null,
    cached: false,
    ms: 0,
    cropBox: null,
    error: reason,
  };
}
