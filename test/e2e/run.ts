// Browser end-to-end test of serve mode: a real `laser serve` on a folder of generated images, and
// Debian's chromium driven by playwright-core, through the same steps a researcher takes. Each
// step saves a screenshot to test-results/e2e/<nn>-<step>.png. Prints `E2E: N passed, M failed`
// last and exits non-zero on any failure. Needs a built renderer (`npm run build`). Run with tsx
// (`npm run test:e2e`, or `npx tsx test/e2e/run.ts`); type-checked by tsconfig.e2e.json.
// LASER_E2E_ONLY=<step>[,<step>...] runs only those steps and makes only the fixtures they need
// (the library and the runs always; the 20,000-image folder, the analysis models and the record
// with an attention sink only for a step that lists them among its needs).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { clearTimeout } from 'node:timers';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { makeAnalysisFixtures } from './analysis-fixtures.ts';
import { analysisSteps } from './analysis-steps.ts';
import { modelsSteps } from './models-steps.ts';
import { makeSinkRecord } from './sinks-fixture.ts';
import { sinksSteps } from './sinks-steps.ts';
import { made, makeFixtures, makeLargeFolder, type E2EFixtures } from './fixtures.ts';
import type { Need, Step } from './page-helpers.ts';
import { makeRunsFixtures } from './runs-fixtures.ts';
import { runsSteps } from './runs-steps.ts';
import { startServer, type E2EServer } from './server.ts';
import { steps } from './steps.ts';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const screenshotDir = join(repoRoot, 'test-results', 'e2e');
const chromiumPath = process.env.LASER_E2E_CHROMIUM ?? '/usr/bin/chromium';
const globalTimeoutMs = 600_000;
const stepTimeoutMs = 20_000;
const largeFolderImages = 20_000;

const results: { name: string; ok: boolean }[] = [];
const pageProblems: string[] = [];
let server: E2EServer | null = null;
let browser: Browser | null = null;
let tmp: string | null = null;

async function cleanup() {
  await browser?.close().catch(() => {});
  browser = null;
  await server?.stop();
  server = null;
  if (tmp) await rm(tmp, { recursive: true, force: true }).catch(() => {});
  tmp = null;
}

/** The last lines the server printed, for a failure's report. */
function serverTail(): string {
  return server ? `server output (last lines):\n${server.output().split('\n').slice(-20).join('\n')}` : 'the server did not start';
}

function report(): number {
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

/** A setup problem the user can fix (no build, no chromium or poppler, a step name that does not exist): reported in one line, without a stack. */
class SetupError extends Error {}

async function main(): Promise<void> {
  if (!existsSync(join(repoRoot, 'out', 'renderer', 'index.html'))) {
    throw new SetupError('There is no built renderer in out/renderer; run `npm run build` first.');
  }
  if (!existsSync(chromiumPath)) {
    throw new SetupError(`No chromium at ${chromiumPath}; install it (apt-get install chromium) or set LASER_E2E_CHROMIUM.`);
  }
  for (const tool of ['pdftotext', 'pdffonts']) {
    if (spawnSync(tool, ['-v']).error)
      throw new SetupError(`No ${tool} on PATH (the export steps read PDFs with it); install poppler-utils (apt-get install poppler-utils).`);
  }
  await rm(screenshotDir, { recursive: true, force: true });
  await mkdir(screenshotDir, { recursive: true });
  tmp = await mkdtemp(join(tmpdir(), 'laser-e2e-'));
  const only = process.env.LASER_E2E_ONLY ? process.env.LASER_E2E_ONLY.split(',').map((s) => s.trim()) : null;
  const dataDir = join(tmp, 'data');
  // The steps read their fixtures when they run; the costly ones are made below for the steps chosen.
  const fixtures: E2EFixtures = { ...(await makeFixtures(join(tmp, 'images'))), dataDir };
  const page = await openBrowser();
  // The server starts once the fixtures are made, after the steps are put together.
  const serverUrl = (): string => made(server, 'server').url;
  let allSteps: Step[] = steps({ page, fixtures, serverUrl, stopServer: () => made(server, 'server').stop() });
  // The analysis, models, sinks and runs steps go before the step that stops the server.
  const serverLoss = allSteps.findIndex(([name]) => name === 'server-loss-shows-banner');
  allSteps.splice(
    serverLoss < 0 ? allSteps.length : serverLoss,
    0,
    ...analysisSteps({ page, fixtures, repoRoot }),
    ...modelsSteps({ page, repoRoot, serverUrl }),
    ...sinksSteps({ page, fixtures, serverUrl }),
    ...runsSteps({ page, serverUrl, fixtures }),
  );
  if (only !== null) {
    const unknown = only.filter((name) => !allSteps.some(([n]) => n === name));
    if (unknown.length > 0)
      throw new SetupError(`LASER_E2E_ONLY names no step called ${unknown.join(', ')}; the steps are: ${allSteps.map(([n]) => n).join(', ')}`);
    allSteps = allSteps.filter(([name]) => only.includes(name));
  }
  const needs = new Set<Need>(allSteps.flatMap(([, , n]) => n ?? []));
  if (needs.has('large')) fixtures.large = await makeLargeFolder(join(tmp, 'large'), largeFolderImages);
  if (needs.has('analysis')) fixtures.analysis = await makeAnalysisFixtures(join(tmp, 'analysis'), repoRoot);
  if (needs.has('sinks')) fixtures.sinks = await makeSinkRecord(join(tmp, 'sinks'), dataDir);
  fixtures.runs = await makeRunsFixtures(join(tmp, 'runs'), repoRoot, dataDir, fixtures.analysis?.bundle ?? null);
  console.log(
    `e2e: ${fixtures.library.files.length} images in ${fixtures.library.root}${fixtures.large ? `, ${fixtures.large.count} in ${fixtures.large.root}` : ''}`,
  );

  server = await startServer({ repoRoot, dataDir, defaultFolder: fixtures.samples.root });
  console.log(`e2e: server at ${server.url.replace(/token=[^&]+/, 'token=…')}`);
  // Steps chosen by name start where the first step leaves the page: the app open.
  if (only !== null) await page.goto(server.url);

  let failedAt: string | null = null;
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
  if (failedAt !== null) console.log(serverTail());
}

/** Chromium with one page, its uncaught errors and CSP refusals collected for the last check. */
async function openBrowser() {
  browser = await chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  const page = await browser.newPage({ viewport: { width: 1280, height: 820 } });
  page.setDefaultTimeout(stepTimeoutMs);
  // tsx compiles these files with esbuild's keepNames, which wraps a named function inside a callback
  // in `__name(fn, "name")`; playwright sends only the callback's source to the page, where that
  // helper does not exist. The same helper, a no-op there, in every frame before its scripts run.
  await page.addInitScript('globalThis.__name = (fn) => fn;');
  page.on('pageerror', (e) => pageProblems.push(`uncaught: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' && /Content Security Policy|Refused to/i.test(m.text())) pageProblems.push(`csp: ${m.text()}`);
  });
  return page;
}

let exitCode = 1;
try {
  await main();
  exitCode = report();
} catch (e) {
  console.error(`e2e: ${e instanceof SetupError ? e.message : e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
  if (server) console.error(serverTail());
  results.push({ name: 'setup', ok: false });
  exitCode = report() || 1;
} finally {
  await cleanup();
  clearTimeout(watchdog);
}
process.exit(exitCode);
