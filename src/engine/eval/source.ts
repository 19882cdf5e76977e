/**
 * Reading benchmark files with errors a researcher can act on: every problem names the file and,
 * where there is one, the line (JSONL: the line itself; JSON: the line where the offending entry
 * starts), then what is wrong and which layouts are accepted.
 */
import { readFile, stat } from 'node:fs/promises';
import type { z } from 'zod';
import { WorkbenchError } from '../../common/contract/errors.ts';
import { jsonSyntaxErrorOffset, lineAt, lineOfJsonPath, type JsonPath } from './json-locate.ts';
import { jsonSyntaxReason } from '../library/json-errors.ts';

/** A value from the data as a message shows it: at most 60 characters, cut with "…". */
export function shownValue(v: unknown): string {
  const text = typeof v === 'string' || typeof v === 'number' ? String(v) : (JSON.stringify(v) ?? String(v));
  return text.length > 60 ? `${text.slice(0, 59)}…` : text;
}

/**
 * `file:line: what` (or `file: what` without a line), as a WorkbenchError. `what` is cut at 800
 * characters: it may quote the data, and a 20,000-character id must not become the message.
 */
export function dataError(file: string, line: number | null, what: string, hint?: string): WorkbenchError {
  const said = what.length > 800 ? `${what.slice(0, 799)}…` : what;
  return new WorkbenchError('bad-request', `${file}${line === null ? '' : `:${line}`}: ${said}`, hint);
}

export async function readDataText(file: string, hint?: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new WorkbenchError('not-found', `${file}: no such file`, hint);
    if (code === 'EISDIR') throw new WorkbenchError('bad-request', `${file} is a folder, where a file was expected`, hint);
    if (code === 'EACCES') throw new WorkbenchError('permission-denied', `${file}: permission denied`, hint);
    throw e;
  }
}

export async function isDirectory(path: string): Promise<boolean> {
  return (await stat(path).catch(() => null))?.isDirectory() ?? false;
}

export async function checkExists(path: string, hint?: string): Promise<void> {
  if ((await stat(path).catch(() => null)) === null) throw new WorkbenchError('not-found', `${path}: no such file or folder`, hint);
}

/** JSON.parse with the syntax error's line. */
export function parseJsonText(file: string, text: string, hint?: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    const msg = (e as Error).message;
    const pos = /position (\d+)/.exec(msg);
    const offset = pos ? Number(pos[1]) : jsonSyntaxErrorOffset(text);
    // V8 quotes the whole text in some messages: keep the part before it
    throw dataError(file, offset === null ? null : lineAt(text, offset), `not valid JSON (${(msg.split('\n')[0] ?? '').replace(/, ".*$/, '')})`, hint);
  }
}

export interface JsonLine {
  /** 1-based line number in the file. */
  line: number;
  value: unknown;
}

/** One JSON value per non-blank line. */
export function parseJsonLines(file: string, text: string, hint?: string): JsonLine[] {
  const out: JsonLine[] = [];
  const lines = text.split('\n');
  for (const [k, line] of lines.entries()) {
    const s = line.trim();
    if (s.length === 0) continue;
    try {
      out.push({ line: k + 1, value: JSON.parse(s) });
    } catch (e) {
      throw dataError(file, k + 1, `not a JSON object (${jsonSyntaxReason(e)})`, hint);
    }
  }
  return out;
}

function pathText(path: readonly PropertyKey[]): string {
  return path.map((p, k) => (typeof p === 'number' ? `[${p}]` : `${k === 0 ? '' : '.'}${String(p)}`)).join('') || '(root)';
}

/**
 * A failed parse as `path: message`, every issue of the entry named (the first's path locates the
 * line): `[4].question_id: expected ...; [4].image: expected ...`, so one fix covers them all.
 * A missing field reads "missing" rather than zod's "expected string, received undefined".
 */
export function issueText(error: z.ZodError, prefix: JsonPath = []): { path: JsonPath; text: string } {
  const pathOf = (issue: z.core.$ZodIssue) => [...prefix, ...issue.path.filter((p): p is string | number => typeof p !== 'symbol')];
  const say = (issue: z.core.$ZodIssue) =>
    issue.code === 'invalid_type' && /received undefined$/.test(issue.message)
      ? `missing (${issue.message.replace(/, received undefined$/, '').replace(/^Invalid input: /, '')})`
      : issue.message;
  const issues = error.issues.slice(0, 8);
  const text = issues.map((i) => `${pathText(pathOf(i))}: ${say(i)}`).join('; ') + (error.issues.length > 8 ? `; and ${error.issues.length - 8} more` : '');
  const first = error.issues[0];
  return { path: first === undefined ? [] : pathOf(first), text };
}

/** Checks a value of a JSON file against a schema; an error names the line of the offending entry. */
export function checkJson<S extends z.ZodType>(schema: S, value: unknown, file: string, text: string, at: JsonPath, hint?: string): z.output<S> {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const { path, text: what } = issueText(r.error, at);
  throw dataError(file, lineOfJsonPath(text, path), what, hint);
}

/** Checks one JSONL line against a schema. */
export function checkJsonLine<S extends z.ZodType>(schema: S, entry: JsonLine, file: string, hint?: string): z.output<S> {
  const r = schema.safeParse(entry.value);
  if (r.success) return r.data;
  throw dataError(file, entry.line, issueText(r.error).text, hint);
}
