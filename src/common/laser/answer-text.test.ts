import { describe, expect, it } from 'vitest';
import { answerText, baselineAnswerText } from './answer-text.ts';

describe('answerText', () => {
  it('prints an answer trimmed, and says why an empty one is empty', () => {
    expect(answerText(' Red\n', 'eos')).toBe('Red');
    expect(answerText('', 'eos')).toBe('(no answer: the first token the model chose ended it)');
    expect(answerText('  ', 'max-tokens')).toBe('(no answer: only white space within the token limit)');
  });

  it("says why the baseline's answer is empty from its tokens", () => {
    expect(baselineAnswerText({ baselineAnswer: 'blue', baselineTokens: [3, 2] })).toBe('blue');
    expect(baselineAnswerText({ baselineAnswer: '', baselineTokens: [2] })).toBe('(no answer: the first token the model chose ended it)');
    expect(baselineAnswerText({ baselineAnswer: ' ', baselineTokens: [5, 5, 5] })).toBe('(no answer: only white space within the token limit)');
  });
});
