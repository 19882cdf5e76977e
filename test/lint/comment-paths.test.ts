/**
 * Comments cite only files that exist: every repository path a comment names (src/…, test/…,
 * docs/…, scripts/…, bin/…, bench/…, resources/…, or ./x.ts and ../x.ts beside the file) must be
 * there, so a comment does not send a reader to a file that was moved or deleted. Paths with
 * placeholders (`<build>`, `*`, `{…}`), build outputs (out/…) and another project's files (named
 * after it: `d3-scale-chromatic's src/…`, `owner/repo src/…`) are not checked.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '../..');
const folders = ['src', 'test', 'scripts', 'bin', 'bench'];
const rooted = /(?<![\w./@-])((?:src|test|docs|scripts|bin|bench|resources)\/[\w./-]*[\w-])/g;
const beside = /(?<![\w./@-])(\.{1,2}\/[\w./-]*\.(?:ts|tsx|mjs|js|json|md))/g;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return e.name === 'node_modules' || e.name === 'fixtures' ? [] : sourceFiles(path);
    return /\.(ts|tsx|js|mjs)$/.test(e.name) ? [path] : [];
  });
}

/** The comment text of a file: `//` to the line's end and `/* … *\/` blocks (strings are not comments, so a line's code before `//` is dropped). */
export function commentsOf(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(/\/\*[\s\S]*?\*\//g)) out.push(m[0]);
  for (const line of text.split('\n')) {
    const i = line.search(/(^|\s)\/\/\s/);
    if (i >= 0) out.push(line.slice(i).trimStart());
  }
  return out;
}

/** Paths that a comment names, with placeholders left out. */
export function citedPaths(comment: string): { path: string; relativeTo: 'root' | 'file' }[] {
  const found: { path: string; relativeTo: 'root' | 'file' }[] = [];
  for (const m of comment.matchAll(rooted)) {
    const at = m.index ?? 0;
    const after = comment.slice(at + m[0].length, at + m[0].length + 2).replace(/^\//, '');
    if (/^[<*{]/.test(after)) continue;
    // Another project's file, named after the project.
    if (/(?:\S+'s|[\w.-]+\/[\w.-]+)\s+$/.test(comment.slice(Math.max(0, at - 80), at))) continue;
    found.push({ path: m[1].replace(/\.+$/, ''), relativeTo: 'root' });
  }
  for (const m of comment.matchAll(beside)) found.push({ path: m[1], relativeTo: 'file' });
  return found;
}

function exists(path: string): boolean {
  return existsSync(path) || ['.ts', '.tsx', '.js', '.mjs'].some((ext) => existsSync(path + ext));
}

describe('paths cited in comments', () => {
  it('finds paths in comments and leaves placeholders alone', () => {
    expect(commentsOf("const a = 'src/x.ts'; // see src/common/figures/index.ts.\n/** and ../y.ts */")).toEqual([
      '/** and ../y.ts */',
      '// see src/common/figures/index.ts.',
    ]);
    expect(citedPaths('// see src/common/figures/index.ts, and out/cli/<build>/ or src/engine/<name>/')).toEqual([
      { path: 'src/common/figures/index.ts', relativeTo: 'root' },
    ]);
    expect(citedPaths(' * (../progress.ts: a bar)')).toEqual([{ path: '../progress.ts', relativeTo: 'file' }]);
    expect(citedPaths(" * as d3-scale-chromatic's src/sequential-multi/viridis.js, or openvinotoolkit/openvino.genai src/cpp/x.hpp")).toEqual([]);
  });

  it('every one exists', () => {
    const missing: string[] = [];
    const self = join(import.meta.dirname, 'comment-paths.test.ts');
    for (const file of folders.flatMap((f) => (existsSync(join(root, f)) ? sourceFiles(join(root, f)) : [])).filter((f) => f !== self)) {
      for (const comment of commentsOf(readFileSync(file, 'utf8'))) {
        for (const { path, relativeTo } of citedPaths(comment)) {
          const target = relativeTo === 'root' ? join(root, path) : resolve(dirname(file), path);
          if (!exists(target)) missing.push(`${relative(root, file)}: ${path}`);
        }
      }
    }
    expect(missing).toEqual([]);
  });
});
