/**
 * The measures the paper reports: attention aggregation for grounding (RefCOCO*), VQA soft accuracy
 * (TextVQA, A-OKVQA) and POPE's yes/no scores.
 */
import { intersectRects, rectArea, type CellMapping, type Rect } from './grid.ts';
import { normalizeVqaAnswer } from './vqa-answer.ts';

/**
 * Attention aggregation: the share of the map's mass inside a ground-truth box. Each cell's mass is
 * spread evenly over its pixel rectangle, so a cell half inside the box contributes half its mass;
 * this makes the score independent of how the box happens to cut the grid. The denominator is the
 * whole map, including mass on cells in padding, which is mass that missed the object. A map with
 * no mass scores 0.
 */
export function attentionAggregation(map: ArrayLike<number>, mapping: CellMapping, box: Rect): number {
  if (map.length !== mapping.grid.gh * mapping.grid.gw) {
    throw new RangeError(`Map has ${map.length} cells; the grid has ${mapping.grid.gh * mapping.grid.gw}.`);
  }
  let total = 0;
  let inside = 0;
  for (let j = 0; j < map.length; j++) {
    const m = map[j];
    if (!(m >= 0) || m === Infinity) throw new RangeError(`Map values must be finite and non-negative, got ${m}.`);
    if (m === 0) continue;
    total += m;
    const cell = mapping.cellRect(j);
    const area = rectArea(cell);
    if (area > 0) inside += (m * rectArea(intersectRects(cell, box))) / area;
  }
  return total === 0 ? 0 : inside / total;
}

/**
 * How the ground-truth answers are counted:
 * - 'simple': min(1, matches / 3) over all answers, the spec's formula and A-OKVQA's official
 *   direct-answer score (allenai/aokvqa, evaluation/eval_predictions.py);
 * - 'leave-one-out': the mean over each annotator left out of min(1, matches among the rest / 3),
 *   the official VQA/TextVQA score (LLaVA's m4c_evaluator.py `TextVQAAccuracyEvaluator`). With 10
 *   answers, 3 matches give 0.9 here and 1 under 'simple'.
 */
export type VqaProtocol = 'simple' | 'leave-one-out';

export function vqaSoftAccuracy(prediction: string, groundTruths: readonly string[], protocol: VqaProtocol): number {
  if (groundTruths.length === 0) throw new RangeError('VQA accuracy needs at least one ground-truth answer.');
  const pred = normalizeVqaAnswer(prediction);
  const gts = groundTruths.map(normalizeVqaAnswer);
  const matches = gts.filter((g) => g === pred).length;
  if (protocol === 'simple') return Math.min(1, matches / 3);
  if (gts.length === 1) throw new RangeError("'leave-one-out' needs at least two ground-truth answers.");
  let sum = 0;
  for (const g of gts) sum += Math.min(1, (matches - (g === pred ? 1 : 0)) / 3);
  return sum / gts.length;
}

export type YesNo = 'yes' | 'no';

/**
 * POPE's reading of a free-form answer (RUCAIBox/POPE evaluate.py, copied into LLaVA's
 * llava/eval/eval_pope.py): keep the first sentence, drop commas, split on spaces; "No", "no" or
 * "not" among the words means no, anything else yes.
 */
export function popeAnswer(text: string): YesNo {
  const dot = text.indexOf('.');
  const first = dot === -1 ? text : text.slice(0, dot);
  const words = first.replaceAll(',', '').split(' ');
  return words.includes('No') || words.includes('not') || words.includes('no') ? 'no' : 'yes';
}

export interface PopeScores {
  readonly tp: number;
  readonly fp: number;
  readonly tn: number;
  readonly fn: number;
  readonly accuracy: number;
  readonly precision: number;
  readonly recall: number;
  readonly f1: number;
  /** Share of 'yes' predictions: POPE's bias indicator. */
  readonly yesRatio: number;
}

/** 'yes' is the positive class. A ratio with a zero denominator is reported as 0. */
export function popeScores(predictions: readonly YesNo[], labels: readonly YesNo[]): PopeScores {
  if (predictions.length !== labels.length) throw new RangeError(`${predictions.length} predictions for ${labels.length} labels.`);
  if (labels.length === 0) throw new RangeError('POPE scores need at least one sample.');
  let tp = 0;
  let fp = 0;
  let tn = 0;
  let fn = 0;
  for (let i = 0; i < labels.length; i++) {
    const p = predictions[i] === 'yes';
    const l = labels[i] === 'yes';
    if (p && l) tp++;
    else if (p) fp++;
    else if (l) fn++;
    else tn++;
  }
  const ratio = (a: number, b: number): number => (b === 0 ? 0 : a / b);
  const precision = ratio(tp, tp + fp);
  const recall = ratio(tp, tp + fn);
  return {
    tp,
    fp,
    tn,
    fn,
    accuracy: (tp + tn) / labels.length,
    precision,
    recall,
    f1: ratio(2 * precision * recall, precision + recall),
    yesRatio: (tp + fp) / labels.length,
  };
}
