// The analysis e2e steps: models registered through the Models panel (a checkpoint compiled in the
// app, a bundle registered as it is, one removed), then questions asked of a picture in the image
// view: errors with their hints, a laser run with its answer, VAQ chart, overlay and layer strip,
// picking a layer, zoom, export (and from every view: export-steps.ts), all six methods, re-opening a stored run, and a generated world's
// questions with their truth. The functions passed
// to $eval/evaluate run inside the page (typed by tsconfig.e2e.json's DOM lib). Every step needs the
// analysis fixtures, so LASER_E2E_ONLY on one of them makes those.
import { readFile, rename } from 'node:fs/promises';
import type { Page } from 'playwright-core';
import { pdfTexts } from '../../src/common/figures/testing/pdf.ts';
import { made, type E2EFixtures } from './fixtures.ts';
import { assert, byTestId, groups, pageQueries, present, until, type Step } from './page-helpers.ts';
import { exportSteps } from './export-steps.ts';
import { viewsSteps } from './views-steps.ts';

export function analysisSteps({ page, fixtures, repoRoot }: { page: Page; fixtures: E2EFixtures; repoRoot: string }): Step[] {
  const a = () => made(fixtures.analysis, 'analysis');
  const views = viewsSteps({ page, fixtures, repoRoot });
  const exports = exportSteps({ page, fixtures, repoRoot });
  const { text, count, visible } = pageQueries(page);
  const modelRows = () => page.locator(byTestId('model-row'));
  const compiledRow = () => page.locator('[data-testid="model-row"][data-source="compiled"]');

  /** Adds a model folder through the path field and waits for the note that it was added. */
  async function addModel(path: string): Promise<void> {
    await page.fill(byTestId('model-path'), path);
    await page.click(byTestId('model-add'));
    await until(
      `${path} to be added`,
      async () => {
        if ((await count(byTestId('model-add-error'))) > 0) throw new Error(await text('model-add-error'));
        return visible('model-added');
      },
      60_000,
    );
  }

  /** Saves what `button` exports and returns the file's name and bytes. */
  async function download(button: string): Promise<{ name: string; bytes: Buffer }> {
    const [d] = await Promise.all([page.waitForEvent('download'), page.click(byTestId(button))]);
    const path = await d.path();
    assert(path, `${button}: the download was not saved (${await d.failure()})`);
    return { name: d.suggestedFilename(), bytes: await readFile(path) };
  }

  /** Opens `folder` through the path field, opens the image whose tile is titled `tile`, and shows its analysis tab. */
  async function openImageAnalysis(folder: string, tile: string): Promise<void> {
    await page.click(byTestId('open-folder'));
    await page.fill(byTestId('path-input'), folder);
    await page.click(byTestId('path-open'));
    await until(`the scan of ${folder}`, async () => (await page.locator(byTestId('scan-status')).getAttribute('data-state')) === 'done');
    await page.locator(`[data-testid="tile"][title="${tile}"]`).click();
    await page.keyboard.press('Enter');
    await until(`the image view of ${tile}`, () => visible('image-view'));
    await page.click(byTestId('tab-analysis'));
  }

  const run = async () => {
    await page.click(byTestId('analysis-run'));
    await until('the run to finish', async () => (await count(byTestId('run-progress'))) === 0, 60_000);
  };

  const all: Step[] = [
    [
      'analysis-models-panel',
      async () => {
        await page.click(byTestId('open-models'));
        await until('the Models panel', () => visible('models-panel'));
        await until('the model list', async () => (await count(byTestId('models-table'))) + (await count(byTestId('models-empty'))) > 0);
      },
    ],
    [
      'analysis-compile-can-be-cancelled',
      async () => {
        // The first compile also starts the inference worker, so it is still going when Cancel is clicked.
        await page.fill(byTestId('model-path'), a().checkpoint);
        await page.click(byTestId('model-add'));
        await page.click(byTestId('compile-cancel'), { timeout: 5000 });
        await until('the compile to stop', async () => {
          if ((await count(byTestId('model-add-error'))) > 0) throw new Error(await text('model-add-error'));
          return visible('model-add-cancelled');
        });
        assert((await count(byTestId('compile-progress'))) === 0, 'the progress bar is gone');
        assert((await compiledRow().count()) === 0, 'a cancelled compile registers nothing');
      },
    ],
    [
      'analysis-checkpoint-compiles-in-app',
      async () => {
        await addModel(a().checkpoint);
        const row = compiledRow();
        await until('the compiled checkpoint in the list', async () => (await row.count()) === 1);
        assert((await row.getAttribute('data-status')) === 'ready', `status ${await row.getAttribute('data-status')}`);
        const cells = await row.locator('td').allInnerTexts();
        assert(cells.includes(`${a().layers} × ${a().heads}`), `layers × heads in ${cells.join(' | ')}`);
        assert(cells.includes(`${a().grid[0]} × ${a().grid[1]}`), `grid in ${cells.join(' | ')}`);
        assert(/compiled here/.test(cells.join(' ')), `a checkpoint compiled by the app says so: ${cells.join(' | ')}`);
      },
    ],
    [
      'analysis-bundle-registers-from-browser',
      async () => {
        // Found with the host's folder browser, as in serve mode a researcher would.
        await page.fill(byTestId('model-path'), a().bundle.replace(/\/[^/]+$/, ''));
        await page.click(byTestId('model-browse'));
        await page.locator(`${byTestId('add-model')} ${byTestId('browser-dir')}`, { hasText: 'tiny-bundle' }).click();
        await until(
          'the bundle folder in the browser',
          async () => (await page.locator(`${byTestId('add-model')} ${byTestId('browser-path')}`).innerText()) === a().bundle,
        );
        await page.locator(`${byTestId('add-model')} ${byTestId('browser-open')}`).click();
        await until('the bundle to be added', () => visible('model-added'));
        await until('two models listed', async () => (await modelRows().count()) >= 2);
        const bundleRow = modelRows().filter({ hasText: a().bundle });
        assert((await bundleRow.count()) === 1, 'the bundle is listed with its folder');
        assert(/bundle/.test(await bundleRow.innerText()), 'a registered bundle says where it came from');
        assert(await bundleRow.locator(byTestId('model-use')).isChecked(), 'the model just added is the one runs use');
      },
    ],
    [
      'analysis-moved-model-is-unavailable',
      async () => {
        await addModel(a().movingBundle);
        const row = page.locator(byTestId('model-row')).filter({ hasText: a().movingBundle });
        await until('the second bundle listed', async () => (await row.count()) === 1);
        await rename(a().movingBundle, `${a().movingBundle}-moved`);
        // Reopening the panel reads the list again.
        await page.click(byTestId('models-close'));
        await page.click(byTestId('open-models'));
        await until('the moved bundle marked unavailable', async () => (await row.getAttribute('data-status')) === 'unavailable');
        const problem = await row.innerText();
        assert(/moving-bundle/.test(problem) && (await row.locator('.model-problem').count()) === 1, `the reason is shown: ${problem}`);
        assert(await row.locator(byTestId('model-use')).isDisabled(), 'an unavailable model cannot be chosen');
        assert(!(await row.locator(byTestId('model-use')).isChecked()), 'runs fall back to a model that can run');
      },
    ],
    [
      'analysis-remove-model',
      async () => {
        const row = compiledRow();
        await row.locator(byTestId('model-remove')).click();
        await row.locator(byTestId('model-remove-confirm')).click();
        await until('the compiled checkpoint to be gone', async () => (await compiledRow().count()) === 0);
        const moved = page.locator('[data-testid="model-row"][data-status="unavailable"]');
        await moved.locator(byTestId('model-remove')).click();
        await moved.locator(byTestId('model-remove-confirm')).click();
        await until('the unavailable model to be gone', async () => (await moved.count()) === 0);
        await until('one model to be left: the bundle', async () => (await modelRows().count()) === 1);
        await page.keyboard.press('Escape');
        await until('the panel to close', async () => (await count(byTestId('models-panel'))) === 0);
        assert((await text('current-model')) !== 'none', 'the top bar names the model runs use');
      },
    ],
    [
      'analysis-open-image',
      async () => {
        await openImageAnalysis(a().images, a().goodImage.name);
        await until('the methods', async () => (await page.locator(`${byTestId('analysis-method')} option`).count()) === 6);
        await until('the model in the panel', async () => (await page.locator(byTestId('analysis-model')).count()) === 1);
        assert(await visible('analysis-empty'), 'before any run the panel says what a run shows');
      },
    ],
    [
      'analysis-empty-question-is-refused',
      async () => {
        await page.fill(byTestId('analysis-question'), '');
        await run();
        const error = page.locator(byTestId('analysis-error'));
        await until('the refusal', () => error.isVisible());
        const message = await error.innerText();
        assert(/question/i.test(message), `the error is about the question: ${message}`);
        assert((await error.locator('.error-hint').count()) === 1, 'the error has a hint');
      },
    ],
    [
      'analysis-bad-knob-is-named',
      async () => {
        await page.fill(byTestId('analysis-question'), a().question);
        await page.click(byTestId('knobs-toggle'));
        await page.fill(byTestId('knob-kHead'), '0');
        await until('the knob to be marked', () => visible('knob-error-kHead'));
        await run();
        const error = page.locator(byTestId('analysis-error'));
        await until('the error naming the knob', async () => /kHead/.test(await error.innerText()));
        assert((await error.locator('.error-hint').count()) === 1, 'the error has a hint');
        await page.click(byTestId('knobs-reset-all'));
        await until('the knob back at its default', async () => (await page.inputValue(byTestId('knob-kHead'))) === '8');
        await page.click(byTestId('knobs-toggle'));
      },
    ],
    [
      'analysis-run-can-be-cancelled',
      async () => {
        // The first run opens the model in the inference worker, so it is still going when Cancel is clicked.
        await page.fill(byTestId('analysis-question'), a().question);
        await page.selectOption(byTestId('analysis-method'), 'laser');
        await page.click(byTestId('analysis-run'));
        await page.click(byTestId('run-cancel'), { timeout: 5000 });
        await until('the run to stop', () => visible('run-cancelled'));
        assert((await count(byTestId('run-progress'))) === 0, 'the progress is gone');
        assert((await count(byTestId('analysis-result'))) === 0, 'a cancelled run shows no result');
        assert((await count(byTestId('image-overlay'))) === 0, 'and draws nothing over the image');
      },
    ],
    [
      'analysis-laser-run',
      async () => {
        await run();
        assert((await count(byTestId('analysis-error'))) === 0, `no error: ${(await count(byTestId('analysis-error'))) ? await text('analysis-error') : ''}`);
        await until('the answer', async () => (await text('analysis-answer')).length > 0);
        const result = page.locator(byTestId('analysis-result'));
        assert((await result.getAttribute('data-method')) === 'laser', 'the result is the laser run');
        const chosen = Number(await result.getAttribute('data-layer'));
        assert(chosen >= 0 && chosen < a().layers, `chosen layer ${chosen}`);
        assert((await text('analysis-baseline')).length > 0, 'the baseline answer is shown');
        // The VAQ chart drew on its canvas.
        await until('the VAQ chart', () =>
          page
            .locator(`${byTestId('vaq-chart')} canvas`)
            .first()
            .isVisible(),
        );
        // The overlay covers the picture exactly, with a cell per grid cell, the crop box and the masked cells.
        const overlay = page.locator(byTestId('image-overlay'));
        await until('the overlay', async () => Number(await overlay.getAttribute('data-cells')) === a().grid[0] * a().grid[1]);
        assert((await overlay.getAttribute('data-map')) === 'M', 'the overlay shows M first');
        assert((await count(byTestId('overlay-box'))) === 1, 'the crop box is drawn');
        assert((await count(byTestId('overlay-masked'))) === 1, 'the masked cells are drawn');
        // The layer strip has every layer, the chosen one framed.
        const strip = page.locator(byTestId('layer-strip'));
        assert(Number(await strip.getAttribute('data-layers')) === a().layers, 'a tile per layer');
        assert((await strip.locator('.layer-tile.chosen').getAttribute('data-layer')) === String(chosen), 'the chosen layer is framed');
        assert((await text('decoding-table')).length > 0, 'the decoding steps are listed');
      },
    ],
    [
      'analysis-vaq-chart-and-layer-strip',
      async () => {
        await page.locator(byTestId('section-vaq')).scrollIntoViewIfNeeded();
        const canvas = page.locator(`${byTestId('vaq-chart')} canvas`).first();
        const size = await canvas.evaluate((c: HTMLCanvasElement) => [c.width, c.height]);
        assert(size[0] > 100 && size[1] > 100, `the VAQ chart canvas is ${size.join(' × ')}`);
        // Every strip tile drew its map on a canvas the size of its thumbnail.
        const tiles = await page
          .locator(`${byTestId('layer-tile')} canvas`)
          .evaluateAll((cs: HTMLCanvasElement[]) => cs.map((c) => c.width > 0 && c.height > 0));
        assert(tiles.length === a().layers && tiles.every(Boolean), `strip canvases: ${tiles.join(',')}`);
        const labels = await page.locator(byTestId('layer-tile')).allInnerTexts();
        assert(
          labels.every((t, l) => t.includes(`L${l}`)),
          `tiles are labelled by layer: ${labels.join(' | ')}`,
        );
      },
    ],
    [
      'analysis-pick-a-layer',
      async () => {
        const chosen = Number(await page.locator(byTestId('analysis-result')).getAttribute('data-layer'));
        const other = (chosen + 1) % a().layers;
        await page.locator(`[data-testid="layer-tile"][data-layer="${other}"]`).click();
        const overlay = page.locator(byTestId('image-overlay'));
        await until('A at the picked layer over the image', async () => (await overlay.getAttribute('data-map')) === 'A');
        assert((await page.locator(byTestId('map-A')).innerText()).includes(`L${other}`), 'the map toggle names the picked layer');
        await until('the tile to be selected', async () => (await page.locator('.layer-tile.selected').getAttribute('data-layer')) === String(other));
        // Clicking the VAQ chart anywhere above a layer picks it: near the right end is the last layer.
        const chart = page.locator(byTestId('vaq-chart'));
        const box = present(await chart.boundingBox(), "the VAQ chart's box");
        await chart.click({ position: { x: box.width - 30, y: box.height / 2 } });
        await until(
          'the last layer picked from the chart',
          async () => (await page.locator('.layer-tile.selected').getAttribute('data-layer')) === String(a().layers - 1),
        );
        await page.locator(byTestId('section-layers')).scrollIntoViewIfNeeded();
      },
    ],
    [
      'analysis-heads-decoding-timings',
      async () => {
        await page.locator(byTestId('section-timings')).locator('summary').click();
        await page.locator(byTestId('section-heads')).scrollIntoViewIfNeeded();
        await until('the VAQ per head heatmap', () =>
          page
            .locator(`${byTestId('heads-chart')} canvas`)
            .first()
            .isVisible(),
        );
        const steps = await page.locator(`${byTestId('decoding-table')} tr.step-first`).count();
        const chosen = await page.locator(`${byTestId('decoding-table')} tr.chosen`).count();
        assert(steps > 0 && chosen === steps, `one chosen token per step (${chosen} of ${steps})`);
        const timings = await text('timings');
        assert(/Query pass/.test(timings) && /Decode/.test(timings) && /Total/.test(timings), `timings: ${timings}`);
      },
    ],
    [
      'analysis-inputs-view',
      async () => {
        // Every image the model got, as the encoder got it, each with its own attention on its own grid.
        const section = page.locator(byTestId('section-inputs'));
        await section.scrollIntoViewIfNeeded();
        const tiles = page.locator(byTestId('input-tile'));
        const roles = await tiles.evaluateAll((ts) => ts.map((t) => t.getAttribute('data-role')));
        assert(roles.join(',') === 'image,crop,masked,vat-contrast', `the inputs of a laser run: ${roles.join(',')}`);
        await until(
          'every input picture to load',
          async () => (await tiles.locator('img').evaluateAll((is: HTMLImageElement[]) => is.every((i) => i.complete && i.naturalWidth > 0))) === true,
        );
        const sizes = await tiles.locator('img').evaluateAll((is: HTMLImageElement[]) => is.map((i) => `${i.naturalWidth}x${i.naturalHeight}`));
        assert(new Set(sizes).size === 1 && sizes[0] !== '0x0', `each picture is the encoder's input, all one size for this model: ${sizes.join(', ')}`);
        const grids = await tiles.evaluateAll((ts) => ts.map((t) => t.getAttribute('data-grid')));
        assert(
          grids.every((g) => g === `${a().grid[0]}x${a().grid[1]}`),
          `each input's own grid: ${grids.join(', ')}`,
        );
        const maps = await tiles.locator('canvas').count();
        assert(maps === 4, `an attention map over each fed input (${maps})`);
        await page.locator('[data-testid="input-tile"][data-role="crop"]').click();
        await until('the crop shown large', async () => (await page.locator(byTestId('input-detail')).getAttribute('data-role')) === 'crop');
        const layers = page.locator(byTestId('input-layers'));
        assert(Number(await layers.getAttribute('data-layers')) === a().layers, 'the crop has its attention at every layer');
        await page.locator(`[data-testid="input-layer-tile"][data-layer="1"]`).click();
        await until(
          'the whole panel at layer 1',
          async () => (await page.locator('.layer-tile.selected[data-testid="layer-tile"]').getAttribute('data-layer')) === '1',
        );
        await page.locator(byTestId('input-detail')).scrollIntoViewIfNeeded();
      },
    ],
    [
      'analysis-overlay-follows-zoom',
      async () => {
        // The overlay covers the picture and, for this pad-to-square model, the padding above and below it
        // (data-extent, in image pixels): 640 x 420 padded to 640 x 640 reaches 110 px past each long side.
        const aligned = async (where: string) => {
          const overlay = page.locator(byTestId('image-overlay'));
          const [imgBox, svgBox, extentAttr] = await Promise.all([
            page.locator(byTestId('image-original')).boundingBox(),
            overlay.boundingBox(),
            overlay.getAttribute('data-extent'),
          ]);
          const img = present(imgBox, `${where}: the picture's box`);
          const svg = present(svgBox, `${where}: the overlay's box`);
          const extent = present(extentAttr, `${where}: the overlay's data-extent`);
          const [x0 = NaN, y0 = NaN, x1 = NaN, y1 = NaN] = extent.split(',').map(Number);
          const { width: w, height: h } = a().goodImage;
          assert(Math.abs(y0 + 110) < 1 && Math.abs(y1 - 530) < 1 && x0 === 0 && x1 === w, `${where}: the overlay spans ${extent}, not the padded square`);
          assert(
            (await overlay.getAttribute('data-padded')) === 'yes' && (await count(byTestId('overlay-padding'))) === 1,
            `${where}: the padding is drawn as padding`,
          );
          const want = {
            x: img.x + (x0 / w) * img.width,
            y: img.y + (y0 / h) * img.height,
            width: ((x1 - x0) / w) * img.width,
            height: ((y1 - y0) / h) * img.height,
          };
          for (const k of ['x', 'y', 'width', 'height'] as const)
            assert(Math.abs(want[k] - svg[k]) < 1, `${where}: overlay ${k} ${svg[k]} vs ${want[k]} (the picture and its padding)`);
        };
        await page.locator(byTestId('image-stage')).click({ position: { x: 5, y: 5 } });
        await page.keyboard.press('0');
        await until('fit', async () => (await text('zoom-level')).startsWith('Fit'));
        await aligned('fit');
        await page.keyboard.press('1');
        await page.keyboard.press('+');
        await page.keyboard.press('+');
        await until('zoomed to 200%', async () => (await text('zoom-level')) === '200%');
        await aligned('200%');
      },
    ],
    [
      'analysis-export',
      async () => {
        await page.click(byTestId('map-M'));
        await until('M over the image', async () => (await page.locator(byTestId('image-overlay')).getAttribute('data-map')) === 'M');
        const png = await download('export-overlay-png');
        assert(/^scene-0-laser-overlay-M\.png$/.test(png.name), `overlay PNG name ${png.name}`);
        assert(png.bytes.subarray(1, 4).toString() === 'PNG' && png.bytes.length > 2000, `overlay PNG: ${png.bytes.length} bytes`);
        const svg = await download('export-overlay-svg');
        const doc = svg.bytes.toString();
        assert(doc.startsWith('<svg') || doc.startsWith('<?xml'), 'the overlay SVG is an SVG document');
        assert(/<image\b[^>]*href="data:image\//.test(doc), 'the picture is embedded in the SVG');
        assert(/class="crop-box"/.test(doc), 'the crop box is in the exported overlay');
        const vaqSvg = await download('export-vaq-svg');
        assert(vaqSvg.name === 'scene-0-laser-vaq.svg' && /<svg[\s>]/.test(vaqSvg.bytes.toString()), `VAQ SVG ${vaqSvg.name}`);
        const vaqPng = await download('export-vaq-png');
        assert(vaqPng.bytes.subarray(1, 4).toString() === 'PNG', 'the VAQ chart PNG is a PNG');
        await until('the saved note', async () => /Saved/.test(await text('export-status')));
        // PNG at a chosen DPI: sized DPI / 96 times the figure, and tagged with it
        await page.selectOption(byTestId('export-dpi'), '150');
        const png150 = await download('export-overlay-png');
        const ihdrWidth = png150.bytes.readUInt32BE(16);
        const svgWidth = Number(groups(/<svg\b[^>]*\swidth="([\d.]+)"/, doc, "the overlay SVG's width")[0]);
        assert(Math.abs(ihdrWidth - Math.round((svgWidth * 150) / 96)) <= 1, `PNG at 150 dpi is ${ihdrWidth} px wide for a ${svgWidth} px figure`);
        const phys = png150.bytes.indexOf('pHYs');
        assert(phys > 0 && Math.round(png150.bytes.readUInt32BE(phys + 4) * 0.0254) === 150, 'the PNG says 150 dpi');
        // PDF: a vector file with the figure's text and the run's provenance
        for (const [button, name, words] of [
          ['export-overlay-pdf', 'scene-0-laser-overlay-M.pdf', a().question.slice(0, 11)],
          ['export-vaq-pdf', 'scene-0-laser-vaq.pdf', 'VAQ per layer'],
        ]) {
          const pdf = await download(button);
          const body = pdf.bytes.toString('latin1');
          assert(pdf.name === name, `PDF name ${pdf.name}`);
          assert(body.startsWith('%PDF-1.4') && body.trimEnd().endsWith('%%EOF'), `${name} has a PDF header and trailer`);
          assert(
            body.slice(Number(groups(/startxref\n(\d+)/, body, `${name}'s startxref`)[0])).startsWith('xref'),
            `${name}: startxref points at the xref table`,
          );
          // the text as a reader extracts it, through the fonts' ToUnicode CMaps
          assert(
            pdfTexts(pdf.bytes).some((t) => t.startsWith(words)),
            `${name} has its text as text`,
          );
          assert(
            /\/Subtype \/Type0 \/BaseFont \/[A-Z]{6}\+LiberationSans /.test(body) && /\/FontFile2 \d+ 0 R/.test(body),
            `${name} embeds the host's Liberation Sans, as laser figure's PDFs do`,
          );
          assert(/\/Subject \(model /.test(body) && /method laser/.test(body), `${name} carries the run's provenance`);
        }
        assert((await download('export-vaq-svg')).bytes.toString().includes('<desc>model '), 'the SVG carries the provenance too');
      },
    ],
    ...exports.afterExport,
    ...views.onLaserResult,
    ...exports.afterLayers,
    [
      'analysis-run-all-six',
      async () => {
        await page.click(byTestId('analysis-run-all'));
        const rows = page.locator(byTestId('comparison-row'));
        await until('a row per method', async () => (await rows.count()) === 6);
        // While they run, the progress names the method and its stage.
        const stagesSeen = new Set();
        await until(
          'every method to finish',
          async () => {
            const progress = page.locator(byTestId('run-progress'));
            if ((await progress.count()) > 0) stagesSeen.add(await progress.getAttribute('data-stage').catch(() => ''));
            const states = await rows.evaluateAll((els) => els.map((e) => e.getAttribute('data-status')));
            return states.every((s) => s === 'ok' || s === 'error') && (await progress.count()) === 0;
          },
          120_000,
        );
        stagesSeen.delete('');
        stagesSeen.delete(null);
        console.log(`     stages seen in progress: ${[...stagesSeen].join(', ')}`);
        assert(stagesSeen.size > 0, 'the progress reported the stages of the runs');
        const states = await rows.evaluateAll((els: HTMLElement[]) =>
          els.map((e): [string | null, string | null, string] => [
            e.getAttribute('data-method'),
            e.getAttribute('data-status'),
            e.innerText.replace(/\s+/g, ' '),
          ]),
        );
        for (const [m, s, t] of states) console.log(`     ${m}: ${s} · ${t.length > 90 ? `${t.slice(0, 90)}…` : t}`);
        assert(
          states.every(([, s]) => s === 'ok'),
          'every method ran',
        );
        await until(
          'the laser result shown after the run',
          async () => (await page.locator(byTestId('analysis-result')).getAttribute('data-method')) === 'laser',
        );
      },
    ],
    ...views.afterAllSix.filter(([name]) => name === 'views-compare-two-methods-linked'),
    ...exports.afterCompare,
    ...views.afterAllSix.filter(([name]) => name !== 'views-compare-two-methods-linked'),
    [
      'analysis-show-vicrop-rel',
      async () => {
        await page.locator('[data-testid="comparison-row"][data-method="vicrop-rel"]').click();
        await until('the vicrop-rel result', async () => (await page.locator(byTestId('analysis-result')).getAttribute('data-method')) === 'vicrop-rel');
      },
    ],
    [
      'analysis-previous-runs',
      async () => {
        const rows = page.locator(byTestId('record-row'));
        await until('the stored runs of this image', async () => (await rows.count()) >= 6);
        await rows.filter({ hasText: 'vanilla' }).first().click();
        await until('the stored vanilla run', async () => (await page.locator(byTestId('analysis-result')).getAttribute('data-method')) === 'vanilla');
        assert((await count(byTestId('vaq-chart'))) === 0, 'vanilla has no VAQ chart');
        await page.locator(byTestId('section-records')).scrollIntoViewIfNeeded();
      },
    ],
    [
      'analysis-centre-crop-model-veils-unseen',
      async () => {
        await page.click(byTestId('analysis-manage-models'));
        await until('the Models panel', () => visible('models-panel'));
        await addModel(a().cropBundle);
        await page.keyboard.press('Escape');
        await until('the panel to close', async () => (await count(byTestId('models-panel'))) === 0);
        // Both bundles are named after the checkpoint; the menus tell them apart by folder.
        const model = await page.locator(byTestId('analysis-model')).inputValue();
        const label = await page.locator(`${byTestId('analysis-model')} option[value="${model}"]`).innerText();
        assert(label.includes('(tiny-crop-bundle)'), `the crop model is the one runs use: ${label}`);
        assert((await text('current-model')).includes('tiny-crop-bundle'), `the top bar names it: ${await text('current-model')}`);
        await page.selectOption(byTestId('analysis-method'), 'laser');
        await run();
        await until("the crop model's result", async () => (await count(byTestId('analysis-result'))) === 1);
        // scene-0 is 640 x 420: a centre crop keeps about the middle 420 x 420 (the resize to the model's
        // 56 px rounds, so not exactly 110..530) and veils the sides.
        await until('the unseen sides veiled', async () => (await count(byTestId('overlay-unseen'))) === 1);
        const d = present(await page.locator(byTestId('overlay-unseen')).getAttribute('d'), "the veil's path");
        const [x0, y0, y1, x1] = groups(/M([\d.]+) ([\d.]+)V([\d.]+)H([\d.]+)V[\d.]+Z$/, d, "the veil's path").map(Number);
        assert(Math.abs(x0 - 110) < 8 && Math.abs(x1 - 530) < 8 && y0 === 0 && y1 === 420, `the seen part is about x 110..530, all of y: ${d}`);
      },
    ],
    [
      'analysis-corrupt-image-is-explained',
      async () => {
        await page.keyboard.press('Escape');
        await page.locator(`[data-testid="tile"][title="${a().brokenImage}"]`).click();
        await page.keyboard.press('Enter');
        await until('the image view of the broken file', () => visible('image-view'));
        await page.fill(byTestId('analysis-question'), a().question);
        await page.selectOption(byTestId('analysis-method'), 'laser');
        await run();
        const error = page.locator(byTestId('analysis-error'));
        await until('the error', () => error.isVisible());
        const code = await error.getAttribute('data-code');
        assert(code === 'corrupt-image' || code === 'unsupported-image', `error code ${code}: ${await error.innerText()}`);
        assert((await error.locator('.error-hint').count()) === 1, 'the error has a hint');
      },
    ],
    [
      'analysis-world-questions-with-truth',
      async () => {
        assert((await count(byTestId('section-world-questions'))) === 0, 'an ordinary picture offers no questions');
        await page.keyboard.press('Escape');
        await openImageAnalysis(a().world, a().worldImage.rel);
        const rows = page.locator(byTestId('world-question'));
        await until("the world's questions", async () => (await rows.count()) === a().worldImage.questions.length);
        const listed = await rows.locator('td:first-child').allInnerTexts();
        assert(
          JSON.stringify(listed) === JSON.stringify(a().worldImage.questions.map((q) => q.question)),
          `the scene's questions in order: ${listed.join(' | ')}`,
        );
        // a click asks it; the run then shows the truth beside the answers, and whether each matches
        const at = a().worldImage.questions.findIndex((q) => q.box !== null);
        assert(at >= 0, 'the fixture scene has a question about an object');
        const pick = a().worldImage.questions[at];
        const pickBox = present(pick.box, "the picked question's box");
        await rows.nth(at).click();
        assert((await page.inputValue(byTestId('analysis-question'))) === pick.question, 'the question box holds the picked question');
        await page.selectOption(byTestId('analysis-method'), 'vanilla');
        await run();
        await until('the truth beside the answer', () => visible('analysis-truth'));
        const truth = await text('analysis-truth');
        assert(truth.includes(pick.answer), `the truth row names "${pick.answer}": ${truth}`);
        assert(/answer (right|wrong)/.test(truth) && /baseline (right|wrong)/.test(truth), `a verdict for the answer and the baseline: ${truth}`);
        const answer = (await text('analysis-answer'))
          .trim()
          .toLowerCase()
          .replace(/[.!?]$/, '');
        assert(truth.includes(answer === pick.answer ? 'answer right' : 'answer wrong'), `the verdict agrees with the answer "${answer}": ${truth}`);
        // the true box lies over the picture, and its switch hides it
        await until('the true box on the image', async () => (await page.locator(byTestId('overlay-truth')).getAttribute('data-box')) === pickBox.join(','));
        await page.click(byTestId('show-truth'));
        await until('the true box hidden', async () => (await count(byTestId('overlay-truth'))) === 0);
        await page.click(byTestId('show-truth'));
        await until('the true box back', async () => (await count(byTestId('overlay-truth'))) === 1);
      },
    ],
    [
      'analysis-qwen-model-own-grid',
      async () => {
        await page.keyboard.press('Escape');
        await openImageAnalysis(a().images, a().goodImage.name);
        await page.click(byTestId('analysis-manage-models'));
        await until('the Models panel', () => visible('models-panel'));
        await addModel(a().qwenBundle);
        const row = modelRows().filter({ hasText: a().qwenBundle });
        assert(/per image/.test(await row.innerText()), `an any-resolution model lists its grid as per image: ${await row.innerText()}`);
        await page.keyboard.press('Escape');
        await until('the panel to close', async () => (await count(byTestId('models-panel'))) === 0);
        await page.fill(byTestId('analysis-question'), a().question);
        await page.selectOption(byTestId('analysis-method'), 'laser');
        await run();
        assert((await count(byTestId('analysis-error'))) === 0, `no error: ${(await count(byTestId('analysis-error'))) ? await text('analysis-error') : ''}`);
        const [gh, gw] = a().qwenGrid;
        const overlay = page.locator(byTestId('image-overlay'));
        await until("the overlay on the image's own 3 x 4 grid", async () => Number(await overlay.getAttribute('data-cells')) === gh * gw);
        assert((await count(byTestId('overlay-box'))) === 1, 'the crop box is drawn');
        assert((await page.locator('body').innerText()).includes(`${gh} × ${gw} grid`), "the overlay caption names this image's grid");
        await page.locator(byTestId('section-facts')).locator('summary').click();
        await until('how the run was made', async () => (await text('section-facts')).includes('model'));
        const shown = await text('section-facts');
        assert(shown.includes(`grid ${gh} × ${gw} (this image; each view its own)`), "the run's model line says each view has its own grid");
      },
    ],
  ];
  return all.map(([name, run]) => [name, run, ['analysis']]);
}
