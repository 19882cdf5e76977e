/**
 * Questions with known truth about an image (a generated world's, `library.imageQuestions`): which
 * one a run asked, and whether an answer matches its truth under the VQA normalisation the
 * evaluation uses, so the app and `laser run` mark an answer right or wrong exactly as
 * `laser world evaluate` counts it.
 */
import type { ImageQuestion } from '../contract/methods.ts';
import { normalizeVqaAnswer } from './vqa-answer.ts';

const sameText = (a: string): string => a.trim().replace(/\s+/g, ' ').toLowerCase();

/** The world question a run asked (same text up to case and spacing), or null. */
export function truthFor(question: string, questions: readonly ImageQuestion[]): ImageQuestion | null {
  const q = sameText(question);
  return questions.find((x) => sameText(x.question) === q) ?? null;
}

/** Whether an answer is the truth, as the world's evaluation scores it. */
export function answersTruth(answer: string, truth: ImageQuestion): boolean {
  return normalizeVqaAnswer(answer) === normalizeVqaAnswer(truth.answer);
}

/** "attribute · small object", "existence · no object". */
export function questionKind(q: ImageQuestion): string {
  return `${q.family} · ${q.size === null ? 'no object' : `${q.size} object`}`;
}
