/** An answer as views print it: an empty one says why it is empty, the same in the app and in figures. */
import type { AnalysisRecord } from './record.ts';

export function answerText(answer: string, stopReason: AnalysisRecord['stopReason']): string {
  const a = answer.trim();
  if (a !== '') return a;
  switch (stopReason) {
    case 'eos':
      return '(no answer: the first token the model chose ended it)';
    case 'stop-string':
      return '(no answer: it began with a stop string)';
    case 'max-tokens':
      return '(no answer: only white space within the token limit)';
  }
}

/**
 * The baseline's answer as views print it. The record keeps the baseline's tokens but not why it
 * stopped: one token (or none) is its first token ending it, more is white space to the limit.
 */
export function baselineAnswerText(r: Pick<AnalysisRecord, 'baselineAnswer' | 'baselineTokens'>): string {
  return answerText(r.baselineAnswer, r.baselineTokens.length <= 1 ? 'eos' : 'max-tokens');
}
