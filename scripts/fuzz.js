#!/usr/bin/env node
// `npm run fuzz [-- <runs>]`: the fuzz corpus of test/fuzz with many more seeds than `npm test`
// runs (default 40 per generator, 2000 cases per parser property), so it takes minutes, not seconds.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const runs = process.argv[2] ?? process.env.FUZZ_RUNS ?? '40';
if (!/^[1-9]\d*$/.test(runs)) {
  console.error(`error: the number of runs must be a whole number above 0, not "${runs}"`);
  process.exit(1);
}
// Each fuzz file writes how its cases ended here (test/fuzz/tally.ts); the table is printed at the end.
const tally = mkdtempSync(join(tmpdir(), 'laser-fuzz-tally-'));
const r = spawnSync('npx', ['vitest', 'run', 'test/fuzz'], {
  stdio: 'inherit',
  env: { ...process.env, FUZZ_RUNS: runs, FUZZ_TALLY: tally },
  shell: process.platform === 'win32',
});
const outcomes = ['clear error', 'correct result', 'crash', 'hang', 'silent acceptance'];
const groups = {};
for (const f of readdirSync(tally)) {
  for (const [group, counts] of Object.entries(JSON.parse(readFileSync(join(tally, f), 'utf8')))) {
    groups[group] ??= {};
    for (const [o, n] of Object.entries(counts)) groups[group][o] = (groups[group][o] ?? 0) + n;
  }
}
rmSync(tally, { recursive: true, force: true });
console.log(`\n| group | inputs | ${outcomes.join(' | ')} |\n|---|---:|${outcomes.map(() => '---:').join('|')}|`);
for (const [group, counts] of Object.entries(groups).sort()) {
  const total = Object.values(counts).reduce((a, b) => a + b, 0);
  console.log(`| ${group} | ${total} | ${outcomes.map((o) => counts[o] ?? 0).join(' | ')} |`);
}
process.exit(r.status ?? 1);
