// The Runs view's e2e step: the data folder's run folders with their progress, a finished run's
// report (laser report's HTML in a frame), and from one of its rows that sample's analysis.
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { made, type E2EFixtures } from './fixtures.ts';
import { assert, byTestId, pageQueries, until, type Step } from './page-helpers.ts';

// beside the step screenshots run.ts takes (it takes the one of the end of the step)
const reportShot = fileURLToPath(new URL('../../test-results/e2e/runs-view-report.png', import.meta.url));

export function runsSteps({ page, serverUrl, fixtures }: { page: Page; serverUrl: () => string; fixtures: E2EFixtures }): Step[] {
  const { text, visible } = pageQueries(page);
  const runs = () => made(fixtures.runs, 'runs');
  return [
    [
      'runs-view-progress-report-and-sample',
      async () => {
        if (!page.url().startsWith('http')) await page.goto(serverUrl());
        await page.locator(byTestId('open-runs')).click();
        await until('the two run folders', async () => (await page.locator(byTestId('run-row')).count()) === 2);
        const rows = page.locator(byTestId('run-row'));
        const states = await rows.evaluateAll((els) => els.map((el) => [el.querySelector('td')?.textContent, el.getAttribute('data-state')]));
        assert(
          JSON.stringify(states) ===
            JSON.stringify([
              ['pope-live', 'running'],
              ['tiny-vqa', 'complete'],
            ]),
          `runs and states: ${JSON.stringify(states)}`,
        );
        // the running one: 3 of 20 rows, a rate and an ETA, the mean score so far
        const live = rows.nth(0);
        const progress = (await live.locator(byTestId('run-progress')).innerText()).trim();
        assert(/^3 \/ 20 \(15\.0 %\)/.test(progress) && /rows\/(s|min)/.test(progress) && /ETA /.test(progress), `progress of the running run: ${progress}`);
        assert((await live.locator(byTestId('run-metric')).innerText()).trim() === '66.7 %', 'the running metric');
        // a folder of shards opened here joins the list
        await page.locator(byTestId('runs-folder')).fill(runs().cluster);
        await page.locator(byTestId('runs-open-folder')).click();
        await until("the opened folder's shard", async () => (await rows.count()) === 3);
        const shard = (await rows.nth(2).locator('td').first().innerText()).trim();
        assert(shard === 'pope/shard-0 shard 0/2', `the shard's row: ${shard}`);
        assert((await text('runs-roots')).includes(runs().cluster), 'the opened folder is among the roots searched');
        const done = rows.nth(1);
        assert((await done.locator(byTestId('run-progress')).innerText()).trim().startsWith('4 / 4 (100 %)'), 'the finished run has all its rows');
        await done.click();
        await until('its four rows', async () => (await page.locator(byTestId('run-result')).count()) === 4);
        await page.locator(byTestId('run-open-report')).click();
        const frame = page.frameLocator(byTestId('run-report'));
        await until('the report in its frame', async () => (await frame.locator('h1').innerText()) === 'LASER evaluation report');
        assert((await frame.locator('svg').count()) >= 1, 'the report has its chart');
        assert((await frame.locator('text=Accuracy (%, 95 % bootstrap interval)').count()) === 1, 'the report has its accuracy table');
        await page.screenshot({ path: reportShot });
        // a row's sample: the image view with that run's record on screen
        await page.locator(byTestId('run-open-sample')).nth(1).click();
        await until('the sample in the image view', () => visible('tab-analysis'));
        await page.locator(byTestId('tab-analysis')).click();
        await until('its analysis', () => visible('analysis-panel'));
        // the second row is the first question's laser run: its record is the result on screen
        await until('its record as the result', async () => (await page.locator(byTestId('analysis-result')).getAttribute('data-method')) === 'laser', 30_000);
        assert((await text('analysis-answer')).length > 0, "the run's answer is shown");
        await page.locator(byTestId('image-close')).click();
        await until('back to the runs', () => visible('runs-view'));
        await page.locator(byTestId('open-runs')).click();
      },
    ],
  ];
}
