import { describe, expect, it } from 'vitest';
import { jsonSyntaxReason } from './json-errors.ts';

function parseError(text: string): unknown {
  try {
    JSON.parse(text);
  } catch (e) {
    return e;
  }
  throw new Error('parsed');
}

describe('jsonSyntaxReason', () => {
  it('escapes the newlines and control characters V8 quotes from the broken text', () => {
    const reason = jsonSyntaxReason(parseError('\n\u0000\u0000'));
    expect([...reason].every((c) => c.charCodeAt(0) >= 0x20)).toBe(true);
    expect(reason).toContain('\\n\\u0000\\u0000');
  });

  it('cuts a long reason to the limit', () => {
    const reason = jsonSyntaxReason(parseError(`{"a": ${'x'.repeat(5000)}}`), 30);
    expect(reason.length).toBe(30);
    expect(reason.endsWith('…')).toBe(true);
  });
});
