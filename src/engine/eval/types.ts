/**
 * A benchmark as the evaluator sees it: samples of (image, question) with whatever ground truth the
 * format has. Every loader (pope.ts, vqa.ts, refcoco.ts, world.ts) produces this shape, so the
 * evaluator and the scoring never branch on the file format.
 */
import type { VqaProtocol, YesNo } from '../../common/laser/metrics.ts';
import type { Rect } from '../../common/laser/grid.ts';

export const DATASET_FORMATS = ['pope', 'vqa', 'refcoco', 'world'] as const;
export type DatasetFormat = (typeof DATASET_FORMATS)[number];

export function isDatasetFormat(v: unknown): v is DatasetFormat {
  return typeof v === 'string' && (DATASET_FORMATS as readonly string[]).includes(v);
}

export interface EvalSample {
  /** Unique within the dataset (a POPE split prefixes its question_id: "random/12"). */
  id: string;
  /** Absolute path of the image ('' when it was not found: see `missing`). */
  imagePath: string;
  /**
   * Why the sample's image cannot be used (not found under the roots searched), when it cannot: the
   * sample stays in the dataset, and each of its runs is recorded as an error row with this reason
   * instead of aborting the evaluation (`strict` loading throws it instead).
   */
  missing?: string;
  /** What the model is asked. */
  question: string;
  /**
   * Labels results are broken down by: `split` (POPE split, RefCOCO split), `family` and `size`
   * (world), `answerType` / `questionType` (VQA v2). Only labels the sample has are present.
   */
  groups: Readonly<Record<string, string>>;
  /** VQA ground truth: the annotators' answers, scored by soft accuracy under `protocol`. */
  vqa?: { answers: readonly string[]; protocol: VqaProtocol };
  /** POPE ground truth: the model's free-form answer is read as yes/no (popeAnswer). */
  pope?: YesNo;
  /** Multiple-choice ground truth (A-OKVQA MC): the options and the index of the right one. */
  choices?: { options: readonly string[]; correct: number };
  /** Grounding ground truth: the referred object's box, [x0, y0, x1, y1] in original-image pixels. */
  box?: Rect;
}

export interface EvalDataset {
  format: DatasetFormat;
  /** A short name for reports ("pope", "textvqa", "aokvqa", "vqav2", "refcoco", "world seed 7"). */
  name: string;
  /** The files or folder it was read from. */
  sources: string[];
  /** The answer instruction the benchmark's protocol asks with (A-OKVQA multiple choice), when it has its own. */
  instruction?: string;
  /** The question template the samples were made with (RefCOCO's `{expression}` prompt), when there is one. */
  prompt?: string;
  samples: EvalSample[];
}
