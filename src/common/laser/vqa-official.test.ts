/**
 * The official scorers, on examples worked by hand from their definitions:
 * - VQA v2: GT-Vision-Lab/VQA PythonEvaluationTools/vqaEvaluation/vqaEval.py;
 * - A-OKVQA: allenai/aokvqa evaluation/eval_predictions.py (direct answer and multiple choice).
 */
import { describe, expect, it } from 'vitest';
import {
  aokvqaDirectAnswer,
  aokvqaMultipleChoice,
  boxIou,
  chosenOption,
  groundingIou,
  multipleChoicePrompt,
  parseBoxAnswer,
  vqaSoftAccuracy,
  vqaV2Accuracy,
} from './metrics.ts';

const ten = (...groups: [string, number][]): string[] => groups.flatMap(([a, n]) => Array<string>(n).fill(a));

describe('VQA v2 (vqaEval.py)', () => {
  it('"Two" vs "2": the prediction is always normalised; agreeing answers are left as they are', () => {
    expect(vqaV2Accuracy('Two', ten(['2', 10]))).toBe(1);
    // ten "two": all agree, so not normalised, while the prediction became "2"
    expect(vqaV2Accuracy('Two', ten(['two', 10]))).toBe(0);
    // the EvalAI normalisation (TextVQA) normalises both sides and scores it 1
    expect(vqaSoftAccuracy('Two', ten(['two', 10]), 'leave-one-out')).toBe(1);
    // disagreeing answers get punctuation only: "two" stays "two", three "2" match the prediction
    // left out a "2": 2 of 9 others match -> 2/3 (x3); left out a "two": 3 of 9 -> 1 (x7): (2 + 7) / 10
    expect(vqaV2Accuracy('Two', ten(['two', 7], ['2', 3]))).toBeCloseTo(0.9, 12);
  });

  it('"the dog." vs "dog": the period and the article go from the prediction', () => {
    expect(vqaV2Accuracy('the dog.', ten(['dog', 10]))).toBe(1);
    expect(vqaV2Accuracy('The Dog.', ten(['dog', 3], ['cat', 7]))).toBeCloseTo(0.9, 12);
  });

  it('3 of 10 annotators: 0.9 (the mean over the ten leave-one-out subsets); 1 of 10: 0.3; 4 of 10: 1', () => {
    expect(vqaV2Accuracy('red', ten(['red', 3], ['blue', 7]))).toBeCloseTo(0.9, 12);
    expect(vqaV2Accuracy('red', ten(['red', 1], ['blue', 9]))).toBeCloseTo(0.3, 12);
    expect(vqaV2Accuracy('red', ten(['red', 4], ['blue', 6]))).toBe(1);
    expect(vqaV2Accuracy('green', ten(['red', 4], ['blue', 6]))).toBe(0);
  });

  it('punctuation of disagreeing answers: "t-shirt" spaced out on both sides; digit commas dropped; newlines and tabs trimmed', () => {
    // "t-shirt" -> "t shirt" (the hyphen touches no space); the prediction too, then lower-cased
    expect(vqaV2Accuracy('T-Shirt', ten(['t-shirt', 4], ['shirt', 6]))).toBe(1);
    // "1,000": a comma between digits makes every punctuation mark vanish: "1000"
    expect(vqaV2Accuracy('1,000', ten(['1000', 5], ['1,000', 5]))).toBe(1);
    expect(vqaV2Accuracy('\tyes\n', ten(['yes', 10]))).toBe(1);
    // contractions come back: "dont" -> "don't"
    expect(vqaV2Accuracy('dont', ten(["don't", 3], ['no', 7]))).toBeCloseTo(0.9, 12);
  });

  it('is the vqav2 protocol', () => {
    expect(vqaSoftAccuracy('Two', ten(['two', 10]), 'vqav2')).toBe(0);
  });
});

describe('A-OKVQA (eval_predictions.py)', () => {
  it('direct answer: min(1, exact matches / 3), no normalisation ("Two" is not "two")', () => {
    const answers = ten(['two', 1], ['2', 3], ['couple', 6]);
    expect(aokvqaDirectAnswer('two', answers)).toBeCloseTo(1 / 3, 12);
    expect(aokvqaDirectAnswer('Two', answers)).toBe(0);
    expect(aokvqaDirectAnswer('2', answers)).toBe(1);
    expect(aokvqaDirectAnswer('couple', answers)).toBe(1);
    expect(vqaSoftAccuracy('two', answers, 'exact')).toBeCloseTo(1 / 3, 12);
    // normalised, "two" is "2" and matches 4
    expect(vqaSoftAccuracy('two', answers, 'simple')).toBe(1);
  });

  it('multiple choice: the option the answer names (its letter, or its text) against correct_choice_idx', () => {
    const options = ['cat', 'dog', 'bird', 'a fish'];
    expect(chosenOption('B', options)).toBe(1);
    expect(chosenOption('B.', options)).toBe(1);
    expect(chosenOption('(C) bird', options)).toBe(2);
    expect(chosenOption('d', options)).toBe(3);
    expect(chosenOption('Dog', options)).toBe(1);
    expect(chosenOption('a fish', options)).toBe(3);
    expect(chosenOption('E', options)).toBeNull();
    expect(chosenOption('a horse', options)).toBeNull();
    expect(aokvqaMultipleChoice('B', options, 1)).toBe(1);
    expect(aokvqaMultipleChoice('A', options, 1)).toBe(0);
    expect(aokvqaMultipleChoice('a horse', options, 1)).toBe(0);
    expect(multipleChoicePrompt('What is it?', ['cat', 'dog'])).toBe('What is it?\nA. cat\nB. dog');
  });
});

describe('RefCOCO Acc@0.5 (lmms-eval REC parsing)', () => {
  it('parses the first bracketed four numbers', () => {
    expect(parseBoxAnswer('The box is [0.1, 0.2, 0.5, 0.8].')).toEqual([0.1, 0.2, 0.5, 0.8]);
    expect(parseBoxAnswer('(12, 30, 100.5, 90) and [1, 2, 3, 4]')).toEqual([12, 30, 100.5, 90]);
    expect(parseBoxAnswer('[.5,.5,1,1]')).toEqual([0.5, 0.5, 1, 1]);
    expect(parseBoxAnswer('left of the dog')).toBeNull();
    expect(parseBoxAnswer('[1, 2, 3]')).toBeNull();
  });

  it('IoU worked by hand; normalised boxes scaled by the image; no box scores 0', () => {
    // [0,0,10,10] vs [5,0,15,10]: 50 / 150
    expect(boxIou([0, 0, 10, 10], [5, 0, 15, 10])).toBeCloseTo(1 / 3, 12);
    expect(boxIou([0, 0, 10, 10], [20, 20, 30, 30])).toBe(0);
    expect(boxIou([0, 0, 10, 10], [0, 0, 10, 10])).toBe(1);
    const size = { width: 200, height: 100 };
    // [0.1, 0.2, 0.5, 0.8] of 200 x 100 is [20, 20, 100, 80], the truth exactly
    expect(groundingIou('[0.1, 0.2, 0.5, 0.8]', [20, 20, 100, 80], size)).toBeCloseTo(1, 12);
    // pixels: [20, 20, 60, 80] against [20, 20, 100, 80]: 2400 / 4800
    expect(groundingIou('[20, 20, 60, 80]', [20, 20, 100, 80], size)).toBeCloseTo(0.5, 12);
    expect(groundingIou('somewhere', [20, 20, 100, 80], size)).toBe(0);
  });
});
