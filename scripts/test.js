#!/usr/bin/env node
// `npm test`: everything CI checks, in order, stopping at the first failure. CI (.ci/run) only adds
// the installs. Each step prints its own header so a failure is easy to place.
import { spawnSync } from 'node:child_process';

const steps = [
  ['typecheck (common, node, web, e2e)', 'npm', ['run', '-s', 'typecheck']],
  ['lint', 'npx', ['eslint', '.']],
  ['format (prettier --check; `npm run format` fixes)', 'npm', ['run', '-s', 'format:check']],
  ['unit and integration tests (vitest)', 'npx', ['vitest', 'run']],
  ['build (electron-vite: main, preload, renderer)', 'npx', ['electron-vite', 'build']],
  ['browser end-to-end tests (chromium against serve mode)', 'npm', ['run', '-s', 'test:e2e']],
];

const only = process.argv.slice(2);
for (const [name, cmd, args] of steps) {
  if (only.length && !only.some((o) => name.startsWith(o))) continue;
  const started = Date.now();
  console.log(`\n=== ${name}`);
  const r = spawnSync(cmd, args, { stdio: 'inherit', env: process.env });
  const secs = ((Date.now() - started) / 1000).toFixed(1);
  if (r.status !== 0) {
    console.error(`\n=== FAILED: ${name} (exit ${r.status ?? r.signal}, ${secs}s)`);
    process.exit(1);
  }
  console.log(`=== ok: ${name} (${secs}s)`);
}
