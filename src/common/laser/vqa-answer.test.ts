import { describe, it, expect } from 'vitest';
import { normalizeVqaAnswer } from './vqa-answer.ts';

/**
 * Expected outputs produced by running the original Python, EvalAIAnswerProcessor from
 * haotian-liu/LLaVA llava/eval/m4c_evaluator.py (c121f04), on each input.
 */
const REFERENCE: [string, string][] = [
  ['Yes.', 'yes'],
  ['The Dog!', 'dog'],
  ['two dogs', '2 dogs'],
  ["It's a dog's life", "it 's dog 's life"],
  ['dont know', "don't know"],
  ['a, b', 'b'],
  ['1,000', '1000'],
  ['3.14', '3.14'],
  ['end.', 'end'],
  ['hello-world', 'hello world'],
  ['hello - world', 'hello world'],
  ['U.S.A.', 'usa'],
  ['  Ten\tApples\n', '10 apples'],
  ['isnt', "isn't"],
  ['Ive', 'ive'],
  ['yall', "y'all"],
  ['the', ''],
  ['none of the above', '0 of above'],
  ['(a)', ''],
  ['x; y', 'x y'],
  ['C++', 'c'],
  ['a/b', 'b'],
  ['e-mail', 'e mail'],
  ['cant stop', "can't stop"],
  ["somebody'd", 'somebodyd'],
  ['twas', "'twas"],
  ['NINE', '9'],
  ['$5', '$5'],
  ['50%', '50%'],
  ['mr. smith', 'mr smith'],
  ['.'.repeat(40), '........'],
  ['one. two. three.', '1 2 3'],
];

describe('normalizeVqaAnswer (EvalAI / LLaVA m4c_evaluator port)', () => {
  it.each(REFERENCE)('normalises %j to %j as the original does', (input, expected) => {
    expect(normalizeVqaAnswer(input)).toBe(expected);
  });

  it('does not mistake words for Object.prototype keys', () => {
    expect(normalizeVqaAnswer('constructor toString')).toBe('constructor tostring');
  });
});
