// The Models panel's compile options e2e step: the demo checkpoint (resources/models/laser-demo)
// added with int8 compiles a bundle of its own, listed with its dtype and block size; the same
// options again give that bundle; options the contract refuses show its message and add nothing.
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { assert, byTestId, pageQueries, until, type Step } from './page-helpers.ts';

// beside the step screenshots run.ts takes: the list with the int8 bundle in it
const listedShot = fileURLToPath(new URL('../../test-results/e2e/models-int8-listed.png', import.meta.url));

export function modelsSteps({ page, repoRoot, serverUrl }: { page: Page; repoRoot: string; serverUrl: () => string }): Step[] {
  const { text, count, visible } = pageQueries(page);
  const demo = join(repoRoot, 'resources', 'models', 'laser-demo');
  const int8Rows = () => page.locator('[data-testid="model-row"][data-dtype="int8"]');

  async function add(): Promise<void> {
    // The note of an add before this one goes while this one runs: wait for it to go first, or a slow
    // machine reads the old note as this add's and moves on while the add still runs.
    const previous = await page.$(byTestId('model-added'));
    await page.fill(byTestId('model-path'), demo);
    await page.click(byTestId('model-add'));
    if (previous) await until('the note of the add before to go', async () => !(await previous.evaluate((e) => e.isConnected)), 60_000);
    await until(
      'the demo checkpoint to be added',
      async () => {
        if ((await count(byTestId('model-add-error'))) > 0) throw new Error(await text('model-add-error'));
        // the note of this add (the one before it goes while adding), and the list read again after it
        return (await count(byTestId('compile-progress'))) === 0 && (await visible('model-added')) && (await count(byTestId('models-table'))) === 1;
      },
      60_000,
    );
  }

  return [
    [
      'models-compile-options-int8',
      async () => {
        if (!page.url().startsWith('http')) await page.goto(serverUrl());
        await page.keyboard.press('Escape');
        await page.click(byTestId('open-models'));
        await until('the Models panel', () => visible('models-panel'));
        await page.locator(`${byTestId('compile-options')} > summary`).click();
        assert((await text('compile-summary')) === 'fp32', `the options start at the defaults: ${await text('compile-summary')}`);
        // the contract's refusal, on its field, and nothing is added
        await page.fill(byTestId('compile-min-pixels'), '5000');
        await page.fill(byTestId('compile-max-pixels'), '4000');
        await until('the refusal on min pixels', async () => (await count(byTestId('compile-error-minPixels'))) === 1);
        const refusal = await text('compile-error-minPixels');
        assert(refusal === 'minPixels (5000) is larger than maxPixels (4000)', `the contract's message: ${refusal}`);
        const rows = await count(byTestId('model-row'));
        await page.fill(byTestId('model-path'), demo);
        await page.click(byTestId('model-add'));
        assert((await count(byTestId('compile-progress'))) === 0 && (await count(byTestId('model-row'))) === rows, 'refused options add nothing');
        await page.fill(byTestId('compile-min-pixels'), '');
        await page.fill(byTestId('compile-max-pixels'), '');
        await until('the refusal gone', async () => (await count(byTestId('compile-error-minPixels'))) === 0);
        // int8 at the default blocks: a bundle of its own, listed with its dtype
        await page.selectOption(byTestId('compile-dtype'), 'int8');
        await until('the quantisation options', () => visible('compile-block-size'));
        assert((await page.inputValue(byTestId('compile-block-size'))) === '32', 'block size starts at its default, 32');
        assert(await page.locator(byTestId('compile-lmHead')).isChecked(), 'lm_head is quantised by default');
        assert(!(await page.locator(byTestId('compile-vision')).isChecked()), 'the vision tower is not by default');
        // (the demo's hidden size, 96, takes blocks of 32, not 64)
        assert((await text('compile-summary')) === 'int8, block 32', `summary ${await text('compile-summary')}`);
        await add();
        assert(/int8/.test(await text('model-added')), `the note names the dtype: ${await text('model-added')}`);
        await until('the int8 bundle in the list', async () => (await int8Rows().count()) === 1);
        const row = int8Rows();
        const dtype = (await row.locator(byTestId('model-dtype')).innerText()).replace(/\s+/g, ' ').trim();
        assert(dtype === 'int8 block 32', `the dtype cell: ${dtype}`);
        assert(
          (await row.getAttribute('data-source')) === 'compiled' && (await row.getAttribute('data-model-id')) === 'laser-demo-int8',
          'compiled here, as laser-demo-int8',
        );
        await page.screenshot({ path: listedShot });
        // the same options again: the same bundle, nothing compiled
        await add();
        // The list as read after this add: the add's note and the reload it asks for land in one render, and
        // add() waits for the table to be back. (Reopening the panel to read it again raced: the panel shows
        // the list it had for a moment, then reloads, so a check could land in the reload and count none.)
        const ids = await int8Rows().evaluateAll((rows) => rows.map((r) => r.getAttribute('data-model-id')));
        assert(ids.length === 1, `the same options give the bundle made before: int8 rows ${JSON.stringify(ids)}`);
        assert((await page.locator('[data-testid="model-row"][data-model-id^="laser-demo-int8-"]').count()) === 0, 'no second int8 bundle');
        await row.locator(byTestId('model-remove')).click();
        await row.locator(byTestId('model-remove-confirm')).click();
        await until('the int8 bundle removed', async () => (await int8Rows().count()) === 0);
        await page.keyboard.press('Escape');
        await until('the panel to close', async () => (await count(byTestId('models-panel'))) === 0);
      },
    ],
  ];
}
