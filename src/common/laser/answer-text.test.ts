import { describe, expect, it } from 'vitest';
import { answerText } from './answer-text.ts';

describe('answerText', () => {
  it('prints an answer trimmed, and says why an empty one is empty', () => {
    expect(answerText(' Red\n', 'eos')).toBe('Red');
    expect(answerText('', 'eos')).toBe('(no answer: the first token the model chose ended it)');
    expect(answerText('  ', 'max-tokens')).toBe('(no answer: only white space within the token limit)');
  });
});
