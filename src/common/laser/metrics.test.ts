import { describe, it, expect } from 'vitest';
import { fullImageMapping, uniformCellMapping } from './grid.ts';
import { attentionAggregation, popeAnswer, popeScores, vqaSoftAccuracy } from './metrics.ts';

describe('attentionAggregation', () => {
  const mapping = fullImageMapping({ gh: 2, gw: 2 }, { width: 100, height: 100 });

  it('is the share of map mass inside the box, cells counted by the area they share with it', () => {
    // Box covers cell 0 entirely and half of cell 1.
    expect(attentionAggregation([0.4, 0.2, 0.3, 0.1], mapping, [0, 0, 75, 50])).toBeCloseTo(0.5, 12);
  });

  it('counts mass on padding cells in the denominator', () => {
    const padded = uniformCellMapping({ gh: 1, gw: 2 }, [-50, 0, 50, 50]); // cell 0 lies in padding
    expect(attentionAggregation([0.5, 0.5], padded, [0, 0, 50, 50])).toBe(0.5);
  });

  it('is 0 for a map without mass', () => {
    expect(attentionAggregation([0, 0, 0, 0], mapping, [0, 0, 100, 100])).toBe(0);
  });
});

describe('vqaSoftAccuracy', () => {
  const tenWith = (answer: string, n: number): string[] => [...Array<string>(n).fill(answer), ...Array<string>(10 - n).fill('other')];

  it("gives min(1, matches / 3) after the EvalAI normalisation under 'simple'", () => {
    expect(vqaSoftAccuracy('Two', tenWith('2', 2), 'simple')).toBeCloseTo(2 / 3, 12);
    expect(vqaSoftAccuracy('2', tenWith('2', 3), 'simple')).toBe(1);
    expect(vqaSoftAccuracy('3', tenWith('2', 3), 'simple')).toBe(0);
  });

  it("averages over each annotator left out under 'leave-one-out' (TextVQA's official score)", () => {
    // Reference values from LLaVA's TextVQAAccuracyEvaluator._compute_answer_scores.
    expect(vqaSoftAccuracy('yes', tenWith('yes', 2), 'leave-one-out')).toBeCloseTo(0.6, 12);
    expect(vqaSoftAccuracy('red', tenWith('red', 3), 'leave-one-out')).toBeCloseTo(0.9, 12);
    expect(vqaSoftAccuracy('x', tenWith('x', 4), 'leave-one-out')).toBe(1);
    expect(vqaSoftAccuracy('a', tenWith('a', 1), 'leave-one-out')).toBeCloseTo(0.3, 12);
  });

  it('normalises the prediction and the answers before matching', () => {
    expect(vqaSoftAccuracy('The Dog.', ['dog', 'a dog', 'DOG!'], 'simple')).toBe(1);
  });
});

describe('popeAnswer', () => {
  it("reads 'no', 'No' or 'not' in the first sentence as no and anything else as yes", () => {
    expect(popeAnswer('No, there is no dog.')).toBe('no');
    expect(popeAnswer('There is not a dog in the image.')).toBe('no');
    expect(popeAnswer('Yes, there is a dog. No doubt.')).toBe('yes');
    expect(popeAnswer('Nope')).toBe('yes');
  });
});

describe('popeScores', () => {
  it('counts yes as positive and reports accuracy, precision, recall, F1 and the yes ratio', () => {
    const s = popeScores(['yes', 'yes', 'no', 'no', 'yes'], ['yes', 'no', 'no', 'yes', 'yes']);
    expect(s).toMatchObject({ tp: 2, fp: 1, tn: 1, fn: 1, accuracy: 0.6, yesRatio: 0.6 });
    expect(s.precision).toBeCloseTo(2 / 3, 12);
    expect(s.recall).toBeCloseTo(2 / 3, 12);
    expect(s.f1).toBeCloseTo(2 / 3, 12);
  });

  it('reports 0 for a ratio whose denominator is 0', () => {
    const s = popeScores(['no', 'no'], ['no', 'no']);
    expect([s.accuracy, s.precision, s.recall, s.f1]).toEqual([1, 0, 0, 0]);
  });
});
