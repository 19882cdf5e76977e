#!/usr/bin/env node
// Browser end-to-end test of serve mode: a real `laser serve` on a folder of generated images, and
// Debian's chromium driven by playwright-core, through the same steps a researcher takes. Each
// step saves a screenshot to test-results/e2e/<nn>-<step>.png. Prints `E2E: N passed, M failed`
// last and exits non-zero on any failure. Needs a built renderer (`npm run build`).
// LASER_E2E_ONLY=<step>[,<step>...] runs only those steps and makes only the fixtures they need
// (the library and the runs; not the 20,000-image folder nor the analysis models).
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { clearTimeout } from 'node:timers';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { makeAnalysisFixtures } from './analysis-fixtures.js';
import { makeFixtures, makeLargeFolder } from './fixtures.js';
import { makeRunsFixtures } from './runs-fixtures.js';
import { startServer } from './server.js';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const screenshotDir = join(repoRoot, 'test-results', 'e2e');
const chromiumPath = process.env.LASER_E2E_CHROMIUM ?? '/usr/bin/chromium';
const globalTimeoutMs = 600_000;
const stepTimeoutMs = 20_000;
const largeFolderImages = 20_000;

const results = [];
const pageProblems = [];
let server = null;
let browser = null;
let tmp = null;

async function cleanup() {
  await browser?.close().catch(() => {});
  browser = null;
  await server?.stop();
  server = null;
  if (tmp) await rm(tmp, { recursive: true, force: true }).catch(() => {});
  tmp = null;
}

function report() {
  const passed = results.filter((r) => r.ok).length;
  const failed = results.length - passed;
  console.log(`E2E: ${passed} passed, ${failed} failed`);
  return failed === 0 && passed > 0 ? 0 : 1;
}

const watchdog = setTimeout(() => {
  console.error(`e2e: gave up after ${globalTimeoutMs / 1000} s (global timeout)`);
  results.push({ name: 'global timeout', ok: false });
  cleanup().finally(() => process.exit(report() || 1));
}, globalTimeoutMs);

async function main() {
  if (!existsSync(join(repoRoot, 'out', 'renderer', 'index.html'))) {
    throw new Error('There is no built renderer in out/renderer; run `npm run build` first.');
  }
  if (!existsSync(chromiumPath)) {
    throw new Error(`No chromium at ${chromiumPath}; install it (apt-get install chromium) or set LASER_E2E_CHROMIUM.`);
  }
  await rm(screenshotDir, { recursive: true, force: true });
  await mkdir(screenshotDir, { recursive: true });
  tmp = await mkdtemp(join(tmpdir(), 'laser-e2e-'));
  const only = process.env.LASER_E2E_ONLY ? process.env.LASER_E2E_ONLY.split(',').map((s) => s.trim()) : null;
  const fixtures = await makeFixtures(join(tmp, 'images'));
  if (only === null) {
    fixtures.large = await makeLargeFolder(join(tmp, 'large'), largeFolderImages);
    fixtures.analysis = await makeAnalysisFixtures(join(tmp, 'analysis'), repoRoot);
  }
  fixtures.runs = await makeRunsFixtures(join(tmp, 'runs'), repoRoot, join(tmp, 'data'), fixtures.analysis?.bundle ?? null);
  console.log(
    `e2e: ${fixtures.library.files.length} images in ${fixtures.library.root}${fixtures.large ? `, ${fixtures.large.count} in ${fixtures.large.root}` : ''}`,
  );

  server = await startServer({ repoRoot, dataDir: join(tmp, 'data'), defaultFolder: fixtures.samples.root });
  console.log(`e2e: server at ${server.url.replace(/token=[^&]+/, 'token=…')}`);

  browser = await chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  const page = await browser.newPage({ viewport: { width: 1280, height: 820 } });
  page.setDefaultTimeout(stepTimeoutMs);
  page.on('pageerror', (e) => pageProblems.push(`uncaught: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' && /Content Security Policy|Refused to/i.test(m.text())) pageProblems.push(`csp: ${m.text()}`);
  });

  const { steps } = await import('./steps.js');
  const { analysisSteps } = await import('./analysis-steps.js');
  const { runsSteps } = await import('./runs-steps.js');
  let allSteps = steps({ page, fixtures, serverUrl: server.url, stopServer: () => server.stop() });
  // The analysis and runs steps go before the step that stops the server.
  const serverLoss = allSteps.findIndex(([name]) => name === 'server-loss-shows-banner');
  fixtures.dataDir = join(tmp, 'data');
  allSteps.splice(
    serverLoss < 0 ? allSteps.length : serverLoss,
    0,
    ...(only === null ? analysisSteps({ page, fixtures, repoRoot }) : []),
    ...runsSteps({ page, serverUrl: server.url, fixtures }),
  );
  if (only !== null) {
    allSteps = allSteps.filter(([name]) => only.includes(name));
    if (allSteps.length === 0) throw new Error(`LASER_E2E_ONLY names no step (${only.join(', ')})`);
  }
  let failedAt = null;
  for (const [i, [name, run]] of allSteps.entries()) {
    const nn = String(i + 1).padStart(2, '0');
    if (failedAt !== null) {
      results.push({ name, ok: false });
      console.log(`FAIL ${nn} ${name}: not run, step ${failedAt} failed first`);
      continue;
    }
    try {
      await run();
      results.push({ name, ok: true });
      console.log(`ok   ${nn} ${name}`);
    } catch (e) {
      failedAt = nn;
      results.push({ name, ok: false });
      console.log(`FAIL ${nn} ${name}: ${e instanceof Error ? e.message : String(e)}`);
    } finally {
      await page.screenshot({ path: join(screenshotDir, `${nn}-${name}.png`) }).catch(() => {});
    }
  }
  const problems = pageProblems.length === 0;
  results.push({ name: 'no uncaught errors or CSP violations in the page', ok: problems });
  console.log(`${problems ? 'ok  ' : 'FAIL'} -- no uncaught errors or CSP violations in the page`);
  for (const p of pageProblems) console.log(`     ${p}`);
  if (failedAt !== null) console.log(`server output (last lines):\n${server.output().split('\n').slice(-20).join('\n')}`);
}

let exitCode = 1;
try {
  await main();
  exitCode = report();
} catch (e) {
  console.error(`e2e: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
  if (server) console.error(`server output (last lines):\n${server.output().split('\n').slice(-20).join('\n')}`);
  results.push({ name: 'setup', ok: false });
  exitCode = report() || 1;
} finally {
  await cleanup();
  clearTimeout(watchdog);
}
process.exit(exitCode);
