// The attention sinks e2e step: a stored LASER run whose map has a sink (sinks-fixture.ts) is opened
// from the image's runs; leaving the sink out of the colour scale changes the scale and the cells'
// colours; the choice is recorded: a reload keeps it, and the exported figure's metadata says it.
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { made, type E2EFixtures } from './fixtures.ts';
import { assert, byTestId, groups, pageQueries, present, until, type Step } from './page-helpers.ts';

// beside the step screenshots run.ts takes: the map with its sink left out of the scale
const sinksShot = fileURLToPath(new URL('../../test-results/e2e/sinks-excluded.png', import.meta.url));

export function sinksSteps({ page, fixtures, serverUrl }: { page: Page; fixtures: E2EFixtures; serverUrl: () => string }): Step[] {
  const { count, visible } = pageQueries(page);
  const s = () => made(fixtures.sinks, 'sinks');
  const overlay = () => page.locator(byTestId('image-overlay'));
  const attr = (name: string) => overlay().getAttribute(name);
  /** The colour scale's ends as the overlay's legend shows them. */
  const scale = async () => (await page.locator('.colour-scale > .num').allInnerTexts()).join('..');
  const fills = () =>
    overlay()
      .locator('g[opacity] rect')
      .evaluateAll((rs) => rs.map((r) => r.getAttribute('fill')).join(' '));

  return [
    [
      'sinks-excluded-from-scale-and-recorded',
      async () => {
        if (!page.url().startsWith('http')) await page.goto(serverUrl());
        await page.keyboard.press('Escape');
        await page.keyboard.press('Escape');
        await page.click(byTestId('open-folder'));
        await page.fill(byTestId('path-input'), s().images);
        await page.click(byTestId('path-open'));
        await until('the scan', async () => (await page.locator(byTestId('scan-status')).getAttribute('data-state')) === 'done');
        await page.locator('[data-testid="tile"][title="sink-scene.png"]').click();
        await page.keyboard.press('Enter');
        await until('the image view', () => visible('image-view'));
        await page.click(byTestId('tab-analysis'));
        const rows = page.locator(byTestId('record-row'));
        await until('the stored run of this image', async () => (await rows.count()) === 1);
        await rows.first().click();
        await until('its map over the image', async () => (await count(byTestId('image-overlay'))) === 1 && (await attr('data-map')) === 'M');
        // the sink is flagged on the map
        await until('the sink flagged', async () => (await attr('data-sinks')) === String(s().sink));
        assert(Number(await page.locator(byTestId('overlay-sinks')).getAttribute('data-count')) === 1, 'the sink is marked on the map');
        const exclude = page.locator(byTestId('overlay-exclude-sinks'));
        assert((await attr('data-sinks-excluded')) === 'no' && !(await exclude.isChecked()), 'the sink starts in the scale');
        const before = { scale: await scale(), fills: await fills() };
        await exclude.check();
        await until('the sink out of the scale', async () => (await attr('data-sinks-excluded')) === 'yes');
        const after = { scale: await scale(), fills: await fills() };
        console.log(`     sink at cell ${s().sink}: colour scale ${before.scale} with it, ${after.scale} without`);
        assert(after.scale !== before.scale, `the colour scale is set without the sink (${before.scale} both ways)`);
        assert(after.fills !== before.fills, 'the cells are coloured on the new scale');
        await page.screenshot({ path: sinksShot });
        // recorded: a reload keeps it, and the exported figure's metadata says it
        await page.reload();
        await until('the map after the reload', async () => (await count(byTestId('image-overlay'))) === 1 && (await attr('data-map')) === 'M');
        await until('the sink still out of the scale', async () => (await attr('data-sinks-excluded')) === 'yes');
        assert(await page.locator(byTestId('overlay-exclude-sinks')).isChecked(), 'the switch is still on after the reload');
        assert((await scale()) === after.scale, `the same scale after the reload (${await scale()}, was ${after.scale})`);
        const [d] = await Promise.all([page.waitForEvent('download'), page.click(byTestId('export-overlay-svg'))]);
        const svg = await readFile(present(await d.path(), 'the exported SVG'), 'utf8');
        const desc = groups(/<desc>([^<]*)<\/desc>/, svg, "the exported overlay's metadata")[0] ?? '';
        assert(desc.includes(`attention sinks excluded from the scale: cells ${s().sink}`), `the SVG's metadata records the choice: ${desc}`);
        // back in the scale for whatever comes next
        await page.locator(byTestId('overlay-exclude-sinks')).uncheck();
        await until('the sink back in the scale', async () => (await attr('data-sinks-excluded')) === 'no');
        await page.keyboard.press('Escape');
      },
      ['sinks'],
    ],
  ];
}
