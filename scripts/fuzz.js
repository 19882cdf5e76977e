#!/usr/bin/env node
// `npm run fuzz [-- <runs>]`: the fuzz corpus of test/fuzz with many more seeds than `npm test`
// runs (default 40 per generator, 2000 cases per parser property), so it takes minutes, not seconds.
import { spawnSync } from 'node:child_process';

const runs = process.argv[2] ?? process.env.FUZZ_RUNS ?? '40';
if (!/^[1-9]\d*$/.test(runs)) {
  console.error(`error: the number of runs must be a whole number above 0, not "${runs}"`);
  process.exit(1);
}
const r = spawnSync('npx', ['vitest', 'run', 'test/fuzz'], { stdio: 'inherit', env: { ...process.env, FUZZ_RUNS: runs }, shell: process.platform === 'win32' });
process.exit(r.status ?? 1);
