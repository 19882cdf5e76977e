/** Test-only: the hand-written tokenizers under test/fixtures/tokenizers, and scratch copies of them. */
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const LLAMA_BPE_DIR = fileURLToPath(new URL('../fixtures/tokenizers/tiny-llama-bpe', import.meta.url));
export const WORDLEVEL_DIR = fileURLToPath(new URL('../fixtures/tokenizers/tiny-wordlevel', import.meta.url));

/** A temporary copy of `from` with some files replaced (string or JSON value) or removed (null). */
export function scratchCopy(from: string, changes: Record<string, unknown>): { dir: string; dispose: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'laser-tok-'));
  cpSync(from, dir, { recursive: true });
  for (const [name, value] of Object.entries(changes)) {
    const path = join(dir, name);
    if (value === null) rmSync(path, { force: true });
    else writeFileSync(path, typeof value === 'string' ? value : JSON.stringify(value));
  }
  return { dir, dispose: () => rmSync(dir, { recursive: true, force: true }) };
}
