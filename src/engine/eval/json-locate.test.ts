import { describe, expect, it } from 'vitest';
import { jsonSyntaxErrorOffset, lineAt, lineOfJsonPath, offsetOfJsonPath } from './json-locate.ts';

const text = `{
  "info": {"note": "a [tricky] \\"string\\" with {braces}"},
  "data": [
    {"id": 1, "answers": ["a", "b"]},
    {"id": 2,
     "answers": [
       "c",
       {"answer": "d"}
     ]},
    [1, [2, 3]]
  ]
}`;

describe('where a value sits in a JSON text', () => {
  it('finds entries of a list inside an object, skipping strings with brackets and escaped quotes', () => {
    expect(lineOfJsonPath(text, ['data', 0])).toBe(4);
    expect(lineOfJsonPath(text, ['data', 1])).toBe(5);
    expect(lineOfJsonPath(text, ['data', 1, 'answers', 1])).toBe(8);
    expect(lineOfJsonPath(text, ['data', 2, 1, 0])).toBe(10);
    expect(text.slice(offsetOfJsonPath(text, ['data', 1, 'answers', 1, 'answer']))).toMatch(/^"d"/);
  });

  it('falls back to the deepest ancestor present when the path goes further than the text', () => {
    expect(lineOfJsonPath(text, ['data', 1, 'missing'])).toBe(5);
    expect(lineOfJsonPath(text, ['data', 7])).toBe(3);
    expect(lineOfJsonPath(text, ['nothing', 0])).toBe(1);
  });

  it('counts lines from 1', () => {
    expect(lineAt('a\nb\nc', 0)).toBe(1);
    expect(lineAt('a\nb\nc', 4)).toBe(3);
  });
});

describe('the first syntax error of a JSON text', () => {
  it('is null for valid JSON, whatever it holds', () => {
    for (const t of [text, '1', ' "a\\u00e9\\n" ', '[]', '{}', '[-0.5e3, true, false, null]']) {
      expect(jsonSyntaxErrorOffset(t)).toBeNull();
      expect(() => JSON.parse(t)).not.toThrow();
    }
  });

  it('points at the offending character', () => {
    expect(jsonSyntaxErrorOffset('{\n "a": 1,\n "b": }')).toBe(17);
    expect(jsonSyntaxErrorOffset('[1, 2,]')).toBe(6);
    expect(jsonSyntaxErrorOffset('[1 2]')).toBe(3);
    expect(jsonSyntaxErrorOffset('{"a": tru}')).toBe(6);
    expect(jsonSyntaxErrorOffset('"abc')).toBe(4);
    expect(jsonSyntaxErrorOffset('{} x')).toBe(3);
    expect(jsonSyntaxErrorOffset('')).toBe(0);
  });
});
