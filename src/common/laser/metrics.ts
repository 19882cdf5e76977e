/**
 * The measures the paper reports: attention aggregation for grounding (RefCOCO*), VQA soft accuracy
 * (TextVQA, A-OKVQA) and POPE's yes/no scores.
 */
import { cellMass, intersectRects, rectArea, type CellMapping, type Rect } from './grid.ts';
import { normalizeVqaAnswer, processDigitArticle, processPunctuation, VQA_EVAL_COMMA_STRIP } from './vqa-answer.ts';

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
    const m = cellMass(map, j);
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
 * - 'simple': min(1, matches / 3) over all answers after the EvalAI normalisation (the spec's
 *   formula);
 * - 'leave-one-out': the mean over each annotator left out of min(1, matches among the rest / 3),
 *   after the EvalAI normalisation of prediction and answers alike: the official TextVQA score
 *   (LLaVA's m4c_evaluator.py `TextVQAAccuracyEvaluator`). With 10 answers, 3 matches give 0.9
 *   here and 1 under 'simple';
 * - 'vqav2': the official VQA v2 evaluator (GT-Vision-Lab vqaEval.py, `vqaV2Accuracy`): the
 *   prediction is always normalised, the annotators' answers only when they disagree, and then
 *   only their punctuation; leave-one-out as above;
 * - 'exact': A-OKVQA's official direct-answer score (allenai/aokvqa eval_predictions.py):
 *   min(1, exact matches / 3), no normalisation at all.
 */
export type VqaProtocol = 'simple' | 'leave-one-out' | 'vqav2' | 'exact';

export const VQA_PROTOCOLS: readonly VqaProtocol[] = ['simple', 'leave-one-out', 'vqav2', 'exact'];

export function vqaSoftAccuracy(prediction: string, groundTruths: readonly string[], protocol: VqaProtocol): number {
  if (groundTruths.length === 0) throw new RangeError('VQA accuracy needs at least one ground-truth answer.');
  if (protocol === 'vqav2') return vqaV2Accuracy(prediction, groundTruths);
  if (protocol === 'exact') return aokvqaDirectAnswer(prediction, groundTruths);
  const pred = normalizeVqaAnswer(prediction);
  const gts = groundTruths.map(normalizeVqaAnswer);
  const matches = gts.filter((g) => g === pred).length;
  if (protocol === 'simple') return Math.min(1, matches / 3);
  return leaveOneOut(pred, gts);
}

/** Mean over each answer left out of min(1, matches among the others / 3). */
function leaveOneOut(pred: string, gts: readonly string[]): number {
  if (gts.length === 1) throw new RangeError('Leave-one-out scoring needs at least two ground-truth answers.');
  const matches = gts.filter((g) => g === pred).length;
  let sum = 0;
  for (const g of gts) sum += Math.min(1, (matches - (g === pred ? 1 : 0)) / 3);
  return sum / gts.length;
}

/**
 * VQA v2's official accuracy (GT-Vision-Lab/VQA, vqaEval.py `evaluate`): newlines and tabs to
 * spaces and trimmed, then the prediction always through processPunctuation and
 * processDigitArticle (lower case, number words to digits, articles dropped, contractions); the
 * ten answers through processPunctuation only, and only when they are not all the same; then the
 * average over the ten leave-one-out subsets of min(1, matches / 3). So "Two" against ten "2"
 * scores 1, against ten "two" 0 (the answers agree, so they are left as they are), and against
 * seven "two" and three "2" 1 (the prediction became "2": 3 matches).
 */
export function vqaV2Accuracy(prediction: string, answers: readonly string[]): number {
  if (answers.length === 0) throw new RangeError('VQA accuracy needs at least one ground-truth answer.');
  const clean = (t: string) => t.replaceAll('\n', ' ').replaceAll('\t', ' ').trim();
  const res = processDigitArticle(processPunctuation(clean(prediction), VQA_EVAL_COMMA_STRIP));
  const gts = answers.map(clean);
  const disagree = new Set(gts).size > 1;
  return leaveOneOut(res, disagree ? gts.map((g) => processPunctuation(g, VQA_EVAL_COMMA_STRIP)) : gts);
}

/** A-OKVQA's official direct-answer score: min(1, answers exactly equal to the prediction / 3). */
export function aokvqaDirectAnswer(prediction: string, answers: readonly string[]): number {
  return Math.min(1, answers.filter((a) => a === prediction).length / 3);
}

/**
 * The choice a multiple-choice answer names: a leading option letter ("B", "B.", "(B)", "B) cat")
 * picks that option; otherwise an option equal to the answer (trimmed, case-insensitive); else null.
 */
export function chosenOption(prediction: string, options: readonly string[]): number | null {
  const text = prediction.trim();
  // a capital letter, or a lone small one (a small letter before more words is a word: "a cat")
  const letter = (/^\(?([A-Z])(?:$|[).:,\s])/.exec(text) ?? /^([a-z])$/.exec(text))?.[1];
  if (letter !== undefined) {
    const k = letter.toUpperCase().charCodeAt(0) - 65;
    if (k < options.length) return k;
  }
  const lower = text.toLowerCase().replace(/[.]$/, '');
  const k = options.findIndex((o) => o.trim().toLowerCase() === lower);
  return k === -1 ? null : k;
}

/** A-OKVQA's official multiple-choice accuracy: 1 when the chosen option is the right one (`correct_choice_idx`). */
export function aokvqaMultipleChoice(prediction: string, options: readonly string[], correct: number): number {
  return chosenOption(prediction, options) === correct ? 1 : 0;
}

/** The multiple-choice prompt (LLaVA's ScienceQA / A-OKVQA style): the question, one "A. option" line each. */
export function multipleChoicePrompt(question: string, options: readonly string[]): string {
  return [question, ...options.map((o, k) => `${String.fromCharCode(65 + k)}. ${o}`)].join('\n');
}

/** The instruction LLaVA asks multiple-choice questions with. */
export const MULTIPLE_CHOICE_INSTRUCTION = "Answer with the option's letter from the given choices directly.";

/**
 * The box a grounding answer gives, as lmms-eval's RefCOCO task parses it
 * (`parse_float_sequence_within`): the first bracketed list of four numbers, "[x0, y0, x1, y1]"
 * (parentheses accepted too); null when there is none.
 */
export function parseBoxAnswer(text: string): [number, number, number, number] | null {
  const num = '\\s*(-?\\d+(?:\\.\\d+)?|-?\\.\\d+)\\s*';
  const m = new RegExp(`[\\[(]${num},${num},${num},${num}[\\])]`).exec(text);
  return m ? [Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4])] : null;
}

/** Intersection over union of two [x0, y0, x1, y1] boxes (0 when either is empty). */
export function boxIou(a: Rect, b: Rect): number {
  const iw = Math.max(0, Math.min(a[2], b[2]) - Math.max(a[0], b[0]));
  const ih = Math.max(0, Math.min(a[3], b[3]) - Math.max(a[1], b[1]));
  const inter = iw * ih;
  const area = (r: Rect) => Math.max(0, r[2] - r[0]) * Math.max(0, r[3] - r[1]);
  const union = area(a) + area(b) - inter;
  return union <= 0 ? 0 : inter / union;
}

/**
 * The IoU of a grounding answer's box with the truth (original-image pixels): a box of numbers all
 * in [0, 1] is read as normalised to the image (lmms-eval's REC prompt asks for that) and scaled
 * by its width and height, otherwise as pixels; no box in the answer scores 0. Acc@0.5 is
 * IoU >= 0.5.
 */
export function groundingIou(answer: string, truth: Rect, size: { width: number; height: number }): number {
  const box = parseBoxAnswer(answer);
  if (box === null) return 0;
  const normalised = box.every((v) => v >= 0 && v <= 1);
  const px: Rect = normalised ? [box[0] * size.width, box[1] * size.height, box[2] * size.width, box[3] * size.height] : box;
  return boxIou(px, truth);
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
