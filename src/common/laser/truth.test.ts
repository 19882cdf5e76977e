import { describe, expect, it } from 'vitest';
import type { ImageQuestion } from '../contract/methods.ts';
import { answersTruth, questionKind, truthFor } from './truth.ts';

const star: ImageQuestion = { id: 's1-q0', question: 'What color is the small star?', answer: 'red', family: 'attribute', size: 'small', box: [1, 2, 3, 4] };
const none: ImageQuestion = { id: 's1-q1', question: 'Is there a blue triangle?', answer: 'no', family: 'existence', size: null, box: null };

describe('world questions beside an image', () => {
  it('finds the question a run asked, up to case and spacing, and nothing for another question', () => {
    expect(truthFor('What color is the small star?', [star, none])).toBe(star);
    expect(truthFor('  what   color is the SMALL star? ', [star, none])).toBe(star);
    expect(truthFor('What colour is the small star?', [star, none])).toBeNull();
    expect(truthFor('Is there a blue triangle?', [])).toBeNull();
  });

  it('scores an answer as the evaluation does (VQA normalisation: case, punctuation, articles)', () => {
    expect(answersTruth('Red.', star)).toBe(true);
    expect(answersTruth(' red ', star)).toBe(true);
    expect(answersTruth('blue', star)).toBe(false);
    expect(answersTruth('No', none)).toBe(true);
    expect(answersTruth('yes', none)).toBe(false);
  });

  it('says what kind of question it is', () => {
    expect(questionKind(star)).toBe('attribute · small object');
    expect(questionKind(none)).toBe('existence · no object');
  });
});
