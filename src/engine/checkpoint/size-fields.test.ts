import { describe, expect, it } from 'vitest';
import { impliedBy, type SizeField } from './size-fields.ts';

const fields: SizeField[] = [
  ['text_config.hidden_size', 64],
  ['text_config.intermediate_size', 128],
  ['vision_config.hidden_size', 64],
];

describe('impliedBy', () => {
  it('names the field giving the first differing size, with both numbers', () => {
    expect(impliedBy(fields, [128, 64], [96, 64])).toBe(' (text_config.intermediate_size is 128, the weights have 96)');
  });
  it('names every field with that size when several have it', () => {
    expect(impliedBy(fields, [128, 64], [128, 32])).toBe(' (text_config.hidden_size or vision_config.hidden_size is 64, the weights have 32)');
  });
  it('skips a differing size no field gives and names the next one', () => {
    expect(impliedBy(fields, [7, 64], [8, 32])).toBe(' (text_config.hidden_size or vision_config.hidden_size is 64, the weights have 32)');
  });
  it('says the ranks when they differ, and nothing when no field gives the size', () => {
    expect(impliedBy(fields, [64], [64, 1])).toBe(' (1 dimensions, the weights have 2)');
    expect(impliedBy(fields, [7], [8])).toBe('');
    expect(impliedBy([], [64], [32])).toBe('');
  });
});
