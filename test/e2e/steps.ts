// The e2e steps, in order; each leaves the page where the next one starts. The functions passed to
// $eval/$$eval run inside the page (typed by tsconfig.e2e.json's DOM lib).
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import type { Page } from 'playwright-core';
import { made, type E2EFixtures } from './fixtures.ts';
import { assert, byTestId, pageQueries, present, until, type Step } from './page-helpers.ts';

export function steps({
  page,
  fixtures,
  serverUrl,
  stopServer,
}: {
  page: Page;
  fixtures: E2EFixtures;
  serverUrl: () => string;
  stopServer: () => Promise<void>;
}): Step[] {
  const { text, count, visible } = pageQueries(page);
  const selectedIndex = async (): Promise<number | null> => {
    const tiles = page.locator('[data-testid="tile"][data-selected="true"]');
    return (await tiles.count()) === 1 ? Number(await tiles.getAttribute('data-index')) : null;
  };
  const scanDone = () => until('the scan to finish', async () => (await page.locator(byTestId('scan-status')).getAttribute('data-state')) === 'done');
  const library = fixtures.library;
  const large = () => made(fixtures.large, 'large folder');
  const selectedTitle = async (): Promise<string> =>
    present(await page.locator('[data-testid="tile"][data-selected="true"]').getAttribute('title'), "the selected tile's title");
  const expectedPixelSize = (rel: string) => {
    const f = library.files.find((x) => x.rel === rel);
    assert(f && !f.broken, `no fixture image ${rel}`);
    return { file: f, label: `${f.width} × ${f.height} px` };
  };

  /** The visible thumbnails when at least `min` are visible and all have loaded, else false. */
  async function visibleThumbnailsLoaded(min: number): Promise<{ loaded: boolean; src: string | null }[] | false> {
    const imgs = await page.$$eval('[data-testid="tile-thumb"]', (els: HTMLImageElement[]) =>
      els
        .filter((el) => {
          const r = el.getBoundingClientRect();
          return r.bottom > 0 && r.top < window.innerHeight;
        })
        .map((el) => ({ loaded: el.complete && el.naturalWidth > 0, src: el.getAttribute('src') })),
    );
    return imgs.length >= min && imgs.every((i) => i.loaded) ? imgs : false;
  }

  /** Scrolls the grid from the top until the tile for `rel` is rendered (the grid is virtualised). */
  async function revealTile(rel: string) {
    const tile = page.locator(`[data-testid="tile"][title="${rel}"]`);
    const grid = page.locator(byTestId('image-grid'));
    await grid.evaluate((el) => el.scrollTo(0, 0));
    for (let i = 0; i < 200 && (await tile.count()) === 0; i++) {
      const atEnd = await grid.evaluate((el) => {
        const before = el.scrollTop;
        el.scrollBy(0, el.clientHeight * 0.8);
        return el.scrollTop === before;
      });
      if (atEnd) break;
      await delay(50);
    }
    assert((await tile.count()) === 1, `no tile for ${rel} anywhere in the grid`);
    await tile.scrollIntoViewIfNeeded();
    return tile;
  }

  return [
    [
      'first-start-opens-default-folder',
      async () => {
        await page.goto(serverUrl());
        await until('the library of the default folder', () => visible('scan-status'));
        await scanDone();
        assert(
          (await text('scan-found')) === String(fixtures.samples.files.length),
          `expected ${fixtures.samples.files.length} images, saw ${await text('scan-found')}`,
        );
        assert((await text('current-folder')) === fixtures.samples.root, `current folder is "${await text('current-folder')}"`);
      },
    ],
    [
      'start-screen-lists-recent-folders',
      async () => {
        await page.click(byTestId('open-folder'));
        await until('the start screen', () => visible('start-screen'));
        await until('the samples folder among the recent folders', async () =>
          (await page.locator(byTestId('recent-folder')).allInnerTexts()).some((t) => t.includes(fixtures.samples.root)),
        );
      },
    ],
    [
      'folder-browser',
      async () => {
        await page.fill(byTestId('path-input'), fixtures.base);
        await page.click(byTestId('browse-toggle'));
        await until('the sub-folders of the fixture folder', async () => {
          const names = await page.locator(byTestId('browser-dir')).allInnerTexts();
          return names.some((n) => n.includes('library')) && names.some((n) => n.includes('samples'));
        });
        await page.locator(byTestId('browser-dir'), { hasText: 'library' }).click();
        await until('the library folder in the browser', async () => (await text('browser-path')) === library.root);
        await until('its image count', async () => (await text('browser-image-count')) === `${library.topLevelImages} images here`);
        const subfolders = await page.locator(byTestId('browser-dir')).allInnerTexts();
        assert(subfolders.some((n) => n.includes('animals')) && subfolders.some((n) => n.includes('plots')), `sub-folders: ${subfolders.join(', ')}`);
        assert((await page.inputValue(byTestId('path-input'))) === library.root, 'the path field follows the browser');
        await page.click(byTestId('browser-up'));
        await until('the parent folder after going up', async () => (await text('browser-path')) === fixtures.base);
      },
    ],
    [
      'missing-folder-shows-error',
      async () => {
        await page.click(byTestId('browse-toggle'));
        const missing = join(fixtures.base, 'no-such-folder');
        await page.fill(byTestId('path-input'), missing);
        await page.click(byTestId('path-open'));
        const error = page.locator(byTestId('scan-error'));
        await until('the error panel', () => error.isVisible());
        const message = await error.innerText();
        assert(message.includes('no-such-folder'), `the error does not name the folder: ${message}`);
        assert((await error.locator('.error-hint').count()) === 1, 'the error has no hint');
      },
    ],
    [
      'scan-library-via-path-field',
      async () => {
        await page.locator(byTestId('scan-error')).getByRole('button', { name: 'Choose another folder' }).click();
        await until('the start screen again', () => visible('start-screen'));
        await page.fill(byTestId('path-input'), library.root);
        await page.click(byTestId('path-open'));
        await scanDone();
        const found = Number((await text('scan-found')).replace(/,/g, ''));
        const broken = Number(await text('scan-broken'));
        assert(found === library.files.length, `expected ${library.files.length} images found, saw ${found}`);
        assert(broken >= 1, `expected at least 1 broken image (broken.png), saw ${broken}`);
        assert((await text('current-folder')) === library.root, 'the top bar names the opened folder');
        await page.click(byTestId('scan-warnings-toggle'));
        const warnings = await text('scan-warnings');
        assert(/animals\/loop/.test(warnings), `the link loop is among the warnings: ${warnings}`);
      },
    ],
    [
      'thumbnails-load',
      async () => {
        const states = await until('the visible thumbnails to load', () => visibleThumbnailsLoaded(12));
        assert(
          states.every((s) => s.src !== null && s.src.startsWith('/media?') && s.src.includes('kind=thumbnail') && s.src.includes('size=256')),
          'thumbnails come from /media at size 256',
        );
      },
    ],
    [
      'keyboard-moves-selection',
      async () => {
        const columns = Number(await page.locator(byTestId('image-grid')).getAttribute('data-columns'));
        assert(columns >= 2, `expected several columns, saw ${columns}`);
        await page.keyboard.press('ArrowRight');
        await until('the first tile to be selected', async () => (await selectedIndex()) === 0);
        await page.keyboard.press('ArrowRight');
        await until('the second tile', async () => (await selectedIndex()) === 1);
        await page.keyboard.press('ArrowDown');
        await until('a row down', async () => (await selectedIndex()) === 1 + columns);
        await page.keyboard.press('ArrowUp');
        await until('a row up', async () => (await selectedIndex()) === 1);
        await page.keyboard.press('ArrowLeft');
        await until('back to the first tile', async () => (await selectedIndex()) === 0);
        // Move onto an image that is not broken, for the image view.
        for (let i = 0; i < library.files.length; i++) {
          const rel = await selectedTitle();
          const f = library.files.find((x) => x.rel === rel);
          if (f && !f.broken) break;
          await page.keyboard.press('ArrowRight');
          await delay(30);
        }
        const rel = await selectedTitle();
        assert((await text('statusbar')).includes(rel), 'the status bar names the selected image');
      },
    ],
    [
      'enter-opens-image-view',
      async () => {
        const rel = await selectedTitle();
        const { file, label } = expectedPixelSize(rel);
        await page.keyboard.press('Enter');
        await until('the image view', () => visible('image-view'));
        await until(`the pixel size ${label}`, async () => (await text('details-pixel-size')) === label);
        assert((await text('details-path')).endsWith(rel), `details path ${await text('details-path')}`);
        assert((await text('details-format')).toLowerCase() === file.format, `format ${await text('details-format')}`);
        await until('the original image to load at full size', () =>
          page.$eval(byTestId('image-original'), (img: HTMLImageElement, w) => img.complete && img.naturalWidth === w, file.width),
        );
      },
    ],
    [
      'zoom',
      async () => {
        await page.keyboard.press('1');
        await until('1:1', async () => (await text('zoom-level')) === '100%');
        await page.keyboard.press('+');
        await until('zoomed in', async () => (await text('zoom-level')) === '150%');
        await page.keyboard.press('-');
        await page.keyboard.press('-');
        await until('zoomed out', async () => (await text('zoom-level')) === '75%');
        await page.click(byTestId('zoom-fit'));
        await until('fit to window', async () => (await text('zoom-level')).startsWith('Fit'));
        await page.click(byTestId('zoom-in'));
        await page.click(byTestId('zoom-in'));
        await until('zoomed in past fit', async () => /^\d+%$/.test(await text('zoom-level')));
      },
    ],
    [
      'arrow-goes-to-next-image',
      async () => {
        await page.keyboard.press('0');
        await until('fit again', async () => (await text('zoom-level')).startsWith('Fit'));
        const before = await text('image-position');
        const index = Number(before.split('/')[0]);
        await page.keyboard.press('ArrowRight');
        await until('the next image', async () => (await text('image-position')) === `${index + 1} / ${library.files.length}`);
      },
    ],
    [
      'escape-returns-to-grid',
      async () => {
        const position = Number((await text('image-position')).split('/')[0]);
        await page.keyboard.press('Escape');
        await until('the grid without the image view', async () => (await count(byTestId('image-view'))) === 0);
        assert(await visible('image-grid'), 'the grid is visible');
        await until('the selection kept', async () => (await selectedIndex()) === position - 1);
      },
    ],
    [
      'broken-files-show-reasons',
      async () => {
        for (const f of library.files.filter((x) => x.broken)) {
          const tile = await revealTile(f.rel);
          await until(`${f.rel} to show as broken`, async () => (await tile.getAttribute('data-broken')) === 'true');
          const reason = await until(`the reason ${f.rel} is broken`, async () => {
            const t = (await tile.locator(byTestId('tile-broken-reason')).innerText()).trim();
            return t.length > 10 && !/finding out why/.test(t) ? t : false;
          });
          console.log(`     ${f.rel}: ${reason.replace(/\s+/g, ' ')}`);
        }
        // Both count as broken: the one the scan could not read and the one whose pixels are cut off.
        const want = library.files.filter((x) => x.broken).length;
        await until(`the status line to count ${want} broken files`, async () => Number(await text('scan-broken')) === want);
        // The broken tile opens too, and the image view says why instead of showing nothing.
        const tile = await revealTile('broken.png');
        await tile.click();
        await until('the image view to explain the broken file', async () => (await count(byTestId('image-broken'))) === 1);
        await until('the details to explain it too', async () => (await count(byTestId('details-error'))) === 1);
      },
    ],
    [
      'large-folder-streams-into-grid',
      async () => {
        await page.keyboard.press('Escape');
        await page.click(byTestId('open-folder'));
        await page.fill(byTestId('path-input'), large().root);
        await page.click(byTestId('path-open'));
        // Tiles appear while the scan is still running: entries stream in as progress events.
        await until('tiles in the grid while the scan runs', async () => {
          const state = await page.locator(byTestId('scan-status')).getAttribute('data-state');
          const tiles = await count(byTestId('tile'));
          const found = Number((await text('scan-found')).replace(/,/g, ''));
          if (state !== 'scanning') throw new Error(`the scan is ${state} already`);
          return tiles > 0 && found > 0 && found < large().count;
        });
        assert(await visible('scan-cancel'), 'a running scan has a Cancel button');
      },
      ['large'],
    ],
    [
      'cancel-scan',
      async () => {
        await page.click(byTestId('scan-cancel'));
        await until('the scan to stop', async () => (await page.locator(byTestId('scan-status')).getAttribute('data-state')) === 'cancelled');
        const found = Number((await text('scan-found')).replace(/,/g, ''));
        assert(found < large().count, `a cancelled scan stopped early (found ${found})`);
        assert((await count(byTestId('tile'))) > 0, 'what was found before the cancel stays in the grid');
      },
      ['large'],
    ],
    [
      'large-folder-scan-completes',
      async () => {
        await page.locator(byTestId('scan-status')).getByRole('button', { name: 'Scan again' }).click();
        await until('the large scan to finish', async () => (await page.locator(byTestId('scan-status')).getAttribute('data-state')) === 'done', 90_000);
        const found = Number((await text('scan-found')).replace(/,/g, ''));
        assert(found === large().count, `expected ${large().count} images, saw ${found}`);
        const tiles = await count(byTestId('tile'));
        assert(tiles > 0 && tiles < 400, `only the rows on screen are in the DOM (saw ${tiles} tiles for ${found} images)`);
      },
      ['large'],
    ],
    [
      'large-folder-keyboard-and-scroll',
      async () => {
        await page.keyboard.press('End');
        const last = large().count - 1;
        await until('the last image selected', async () => (await selectedIndex()) === last);
        const tile = page.locator(`[data-testid="tile"][data-index="${last}"]`);
        assert(await tile.isVisible(), 'the last tile is scrolled into view');
        await until('its thumbnail to load', () => tile.locator('img').evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0));
        await page.keyboard.press('Home');
        await until('the first image selected', async () => (await selectedIndex()) === 0);
        // Scroll through the whole grid, a big step per animation frame, and time the frames.
        const frames = await page.locator(byTestId('image-grid')).evaluate(
          (el) =>
            new Promise<number[]>((resolve) => {
              const times: number[] = [];
              let previous = performance.now();
              const step = () => {
                const now = performance.now();
                times.push(now - previous);
                previous = now;
                if (el.scrollTop + el.clientHeight >= el.scrollHeight - 1 || times.length > 240) return resolve(times);
                el.scrollBy(0, el.scrollHeight / 120);
                window.requestAnimationFrame(step);
              };
              window.requestAnimationFrame(step);
            }),
        );
        const sorted = [...frames].slice(1).sort((a, b) => a - b);
        const median = sorted[Math.floor(sorted.length / 2)];
        const p90 = sorted[Math.floor(sorted.length * 0.9)];
        console.log(`     scrolling ${large().count} images: ${frames.length} frames, median ${median.toFixed(1)} ms, p90 ${p90.toFixed(1)} ms`);
        // Generous for a loaded, GPU-less CI machine; a grid that rendered every tile would take seconds per frame.
        assert(median < 100, `scroll frames take ${median.toFixed(0)} ms (median)`);
        assert((await count(byTestId('tile'))) < 400, 'the DOM stays small after scrolling');
        // Thumbnails of the tiles flown past must not hold up the ones where the scroll stopped.
        const started = Date.now();
        await until('the thumbnails where the scroll stopped', () => visibleThumbnailsLoaded(8), 30_000);
        console.log(`     thumbnails at the end of the scroll loaded ${Date.now() - started} ms after it stopped`);
      },
      ['large'],
    ],
    [
      'server-loss-shows-banner',
      async () => {
        await stopServer();
        await until('the lost-connection banner', () => visible('connection-banner'));
        // The countdown never exceeds the longest backoff (5 s).
        await until('the banner to count down a retry', async () => {
          const m = /Reconnecting in (\d+) s|Reconnecting…/.exec(await text('connection-banner'));
          return m && (m[1] === undefined || Number(m[1]) <= 5);
        });
        assert(await visible('image-grid'), 'the grid stays on screen while the server is away');
      },
    ],
  ];
}
