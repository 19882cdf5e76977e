import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkJson, checkJsonLine, parseJsonLines, parseJsonText, readDataText } from './source.ts';

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'eval-source-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe('reading data files with the file and line in every error', () => {
  it('a missing file, and a folder where a file was expected', async () => {
    await expect(readDataText(join(tmp, 'none.json'))).rejects.toMatchObject({ code: 'not-found', message: `${join(tmp, 'none.json')}: no such file` });
    await expect(readDataText(tmp)).rejects.toThrow('is a folder, where a file was expected');
  });

  it('JSON syntax errors carry the line of the position', () => {
    expect(() => parseJsonText('f.json', '{\n "a": 1,\n "b": }')).toThrow(/^f\.json:3: not valid JSON/);
    expect(parseJsonText('f.json', '[1]')).toEqual([1]);
  });

  it('JSON lines: numbered from 1, blank lines skipped, a broken line named', () => {
    expect(parseJsonLines('f.jsonl', '{"a":1}\n\n  {"a":2}\n')).toEqual([
      { line: 1, value: { a: 1 } },
      { line: 3, value: { a: 2 } },
    ]);
    expect(() => parseJsonLines('f.jsonl', '{"a":1}\n{"a":')).toThrow(/^f\.jsonl:2: not a JSON object/);
  });

  it('schema errors name the line of the entry and the path inside it', () => {
    const schema = z.object({ n: z.number() });
    const text = '{"rows": [\n {"n": 1},\n {"n": "x"}\n]}';
    const value = JSON.parse(text) as { rows: unknown[] };
    expect(checkJson(schema, value.rows[0], 'f.json', text, ['rows', 0])).toEqual({ n: 1 });
    expect(() => checkJson(schema, value.rows[1], 'f.json', text, ['rows', 1])).toThrow(/^f\.json:3: rows\[1\]\.n: /);
    expect(() => checkJsonLine(schema, { line: 9, value: {} }, 'f.jsonl')).toThrow(/^f\.jsonl:9: n: /);
    // every problem of the entry at once, a missing field called missing
    const three = z.object({ question_id: z.number(), image: z.string(), label: z.string() });
    expect(() => checkJsonLine(three, { line: 2, value: { image: 7 } }, 'f.jsonl')).toThrow(
      'f.jsonl:2: question_id: missing (expected number); image: Invalid input: expected string, received number; label: missing (expected string)',
    );
  });
});
