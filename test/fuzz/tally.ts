/**
 * How the fuzz cases ended, per input group: a clear error (a WorkbenchError with a one-line
 * message, or `laser` exiting 1 with one `error:` line), or a correct result (accepted, and the
 * result checked). A crash, a hang or a silent acceptance fails its test instead, so it is counted
 * only when that test failed. With FUZZ_TALLY=<folder>, each test file writes its counts there as
 * <name>.json when it ends; `npm run fuzz` sets it and prints the table (scripts/fuzz.js).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export type Outcome = 'clear error' | 'correct result' | 'crash' | 'hang' | 'silent acceptance';
export type Group = 'images' | 'safetensors' | 'configs' | 'tokenizers/templates' | 'datasets' | 'WebSocket' | 'paths' | 'file-system faults';

const counts = new Map<Group, Map<Outcome, number>>();

export function count(group: Group, outcome: Outcome): void {
  const g = counts.get(group) ?? new Map<Outcome, number>();
  g.set(outcome, (g.get(outcome) ?? 0) + 1);
  counts.set(group, g);
}

/** Writes this test file's counts to $FUZZ_TALLY/<name>.json, when FUZZ_TALLY is set. */
export function flushTally(name: string): void {
  const dir = process.env.FUZZ_TALLY;
  if (!dir || counts.size === 0) return;
  const out: Record<string, Record<string, number>> = {};
  for (const [group, outcomes] of counts) out[group] = Object.fromEntries(outcomes);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `${name}.json`), `${JSON.stringify(out, null, 1)}\n`);
}
