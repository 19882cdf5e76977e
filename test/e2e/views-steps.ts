// The analysis views' e2e steps (run inside analysis-steps.ts): the overlay's colormap, heads and
// smoothing; the keys (a layer tile's arrows change the layer, not the image; the ? help); a reload
// that keeps folder, image, question, run and view; the Layers view on a range; Compare of two
// methods on a linked layer and heads; and `laser figure`'s PNG against its SVG drawn by the
// browser at the same size (the overlay as cells and smooth), and its PDF's text and fonts. The functions passed to $eval/evaluate
// run inside the page (typed by tsconfig.e2e.json's DOM lib).
import { Buffer } from 'node:buffer';
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Page } from 'playwright-core';
import sharp from 'sharp';
import { made, type E2EFixtures } from './fixtures.ts';
import { assert, byTestId, pageQueries, present, until, type Step } from './page-helpers.ts';

const run = promisify(execFile);

/** Every folder below `dir` holding a record.json. */
async function recordDirs(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await recordDirs(p)));
    else if (e.name === 'record.json') out.push(dir);
  }
  return out;
}

/** Mean absolute difference per channel (0..255) of two RGBA images of one size, and the share of pixels off by more than 64 in any channel. */
async function pixelDifference(a: Buffer, b: Buffer): Promise<{ mean: number; far: number; width: number; height: number }> {
  const [ra, rb] = await Promise.all([
    sharp(a).ensureAlpha().raw().toBuffer({ resolveWithObject: true }),
    sharp(b).ensureAlpha().raw().toBuffer({ resolveWithObject: true }),
  ]);
  assert(
    ra.info.width === rb.info.width && ra.info.height === rb.info.height,
    `sizes differ: ${ra.info.width}x${ra.info.height} vs ${rb.info.width}x${rb.info.height}`,
  );
  let sum = 0;
  let far = 0;
  const n = ra.info.width * ra.info.height;
  for (let i = 0; i < n; i++) {
    let worst = 0;
    for (let k = 0; k < 3; k++) {
      const d = Math.abs((ra.data[4 * i + k] ?? 0) - (rb.data[4 * i + k] ?? 0));
      sum += d;
      worst = Math.max(worst, d);
    }
    if (worst > 64) far++;
  }
  return { mean: sum / (3 * n), far: far / n, width: ra.info.width, height: ra.info.height };
}

export function viewsSteps({ page, fixtures, repoRoot }: { page: Page; fixtures: E2EFixtures; repoRoot: string }): {
  onLaserResult: Step[];
  afterAllSix: Step[];
} {
  const a = () => made(fixtures.analysis, 'analysis');
  const { text, count } = pageQueries(page);
  const overlay = () => page.locator(byTestId('image-overlay'));
  const attr = (name: string) => overlay().getAttribute(name);
  const selectedLayer = async () => page.locator('[data-testid="layer-tile"].selected').getAttribute('data-layer');
  const fillsOf = () =>
    overlay()
      .locator('g[opacity] rect')
      .evaluateAll((rs) => rs.map((r) => r.getAttribute('fill')).join(' '));

  const onLaserResult: Step[] = [
    [
      'views-colormap-heads-smooth',
      async () => {
        // the colormap: magma over the image and in the colour scale
        await page.selectOption(byTestId('overlay-colormap'), 'magma');
        await until(
          'magma over the image',
          async () => (await attr('data-colormap')) === 'magma' && (await page.locator(byTestId('overlay-gradient')).getAttribute('data-colormap')) === 'magma',
        );
        // heads: A at the chosen layer, the mean of the 4 heads, then head 1 alone (from laser.headMaps)
        await page.click(byTestId('map-A'));
        await until('A over the image', async () => (await attr('data-map')) === 'A');
        const mean = await fillsOf();
        assert((await attr('data-heads')) === 'mean of heads', `heads ${await attr('data-heads')}`);
        await page.selectOption(byTestId('overlay-heads'), JSON.stringify({ kind: 'head', head: 1 }));
        await until('head 1 over the image', async () => (await attr('data-heads')) === 'head 1');
        const one = await fillsOf();
        assert(one !== mean, 'one head colours the cells otherwise than the head mean');
        await page.selectOption(byTestId('overlay-heads'), JSON.stringify({ kind: 'top', k: 4 }));
        await until('the top-4 heads', async () => /^top-4 heads by VAQ \(0, 1, 2, 3\)$/.test((await attr('data-heads')) ?? ''));
        assert((await fillsOf()) === mean, 'all four heads give the head mean again');
        // smooth: the grid upsampled bicubically into one bitmap over the grid's extent
        await page.selectOption(byTestId('overlay-smooth'), 'bicubic');
        await until('the smooth map', async () => (await attr('data-smooth')) === 'bicubic' && (await count(byTestId('overlay-smooth-map'))) === 1);
        const href = present(await page.locator(byTestId('overlay-smooth-map')).getAttribute('href'), "the smooth map's href");
        assert(/^data:image\/png;base64,/.test(href) && href.length > 2000, 'the smooth map is a bitmap');
        await page.selectOption(byTestId('overlay-heads'), JSON.stringify({ kind: 'head', head: 2 }));
        await until('head 2, smooth', async () => (await attr('data-heads')) === 'head 2' && (await attr('data-smooth')) === 'bicubic');
      },
    ],
    [
      'views-keyboard-layer-and-help',
      async () => {
        const position = await text('image-position');
        await page.locator(byTestId('section-layers')).scrollIntoViewIfNeeded();
        const first = page.locator('[data-testid="layer-tile"][data-layer="0"]');
        await first.click();
        await until('layer 0 picked', async () => (await selectedLayer()) === '0');
        await first.focus();
        await page.keyboard.press('ArrowRight');
        await until('the arrow on a layer tile to step the layer', async () => (await selectedLayer()) === '1');
        assert((await text('image-position')) === position, 'the arrow did not go to another image');
        await page.keyboard.press('ArrowLeft');
        await until('back to layer 0', async () => (await selectedLayer()) === '0');
        // ] steps the layer from anywhere; h steps the heads; ? lists the keys
        await page.locator(byTestId('image-stage')).click({ position: { x: 5, y: 5 } });
        await page.keyboard.press(']');
        await until('] to step the layer', async () => (await selectedLayer()) === '1');
        assert((await text('image-position')) === position, '] stays on the image');
        await page.keyboard.press('h');
        await until('h to step the heads', async () => (await attr('data-heads')) === 'head 3');
        await page.keyboard.press('?');
        await until('the keys overlay', async () => (await count(byTestId('key-help'))) === 1);
        const keys = await text('key-help');
        assert(
          /next layer/.test(keys) && /head/.test(keys) && /colormap/.test(keys),
          `the keys overlay lists layer, head and colormap keys: ${keys.slice(0, 200)}`,
        );
        await page.keyboard.press('Escape');
        await until('the keys overlay to close', async () => (await count(byTestId('key-help'))) === 0);
        assert((await count(byTestId('image-view'))) === 1, 'Escape closed the overlay, not the image');
      },
    ],
    [
      'views-reload-keeps-state',
      async () => {
        const before = {
          layer: await selectedLayer(),
          heads: await attr('data-heads'),
          colormap: await attr('data-colormap'),
          smooth: await attr('data-smooth'),
          map: await attr('data-map'),
          position: await text('image-position'),
        };
        const question = await page.inputValue(byTestId('analysis-question'));
        await page.reload();
        await until(
          'the same image, open again',
          async () => (await count(byTestId('image-view'))) === 1 && (await text('image-position')) === before.position,
        );
        await until('the same run and view', async () => (await count(byTestId('image-overlay'))) === 1 && (await attr('data-heads')) === before.heads);
        const after = {
          layer: await selectedLayer(),
          heads: await attr('data-heads'),
          colormap: await attr('data-colormap'),
          smooth: await attr('data-smooth'),
          map: await attr('data-map'),
          position: await text('image-position'),
        };
        assert(JSON.stringify(after) === JSON.stringify(before), `after the reload ${JSON.stringify(after)}, before ${JSON.stringify(before)}`);
        assert((await page.inputValue(byTestId('analysis-question'))) === question, 'the question is still in the form');
        assert((await text('current-folder')) === a().images, 'the same folder is open');
        // back to the plain view for the steps after
        await page.selectOption(byTestId('overlay-colormap'), 'viridis');
        await page.selectOption(byTestId('overlay-smooth'), 'cells');
        await page.selectOption(byTestId('overlay-heads'), JSON.stringify({ kind: 'mean' }));
        await until('the head mean in cells', async () => (await attr('data-heads')) === 'mean of heads' && (await attr('data-smooth')) === 'cells');
      },
    ],
    [
      'views-layers-grid-range',
      async () => {
        await page.click(byTestId('main-view-layers'));
        await until('the Layers view', async () => Number(await page.locator(byTestId('layers-view')).getAttribute('data-layers')) === a().layers);
        await page.fill(byTestId('layers-range'), '1-2');
        await until(
          'layers 1 and 2 only',
          async () => (await page.locator(byTestId('layers-view-tile')).evaluateAll((ts) => ts.map((t) => t.getAttribute('data-layer')).join(','))) === '1,2',
        );
        const width = await page
          .locator(byTestId('layers-view-tile'))
          .first()
          .evaluate((t) => t.getBoundingClientRect().width);
        assert(width >= 160, `tiles are large enough to read (${width} px)`);
        await page.fill(byTestId('layers-range'), '2-9');
        await until('an out-of-range layer refused', async () => (await page.locator(byTestId('layers-range')).getAttribute('aria-invalid')) === 'true');
        await page.fill(byTestId('layers-range'), '');
        await page.click(byTestId('main-view-image'));
        await until('the image again', async () => (await count(byTestId('image-overlay'))) === 1);
      },
    ],
  ];

  const afterAllSix: Step[] = [
    [
      'views-compare-two-methods-linked',
      async () => {
        const show = async (m: string) => {
          await page.locator(`[data-testid="comparison-row"][data-method="${m}"]`).click();
          await until(`the ${m} result`, async () => (await page.locator(byTestId('analysis-result')).getAttribute('data-method')) === m);
        };
        await show('laser');
        await page.click(byTestId('pin-result'));
        await show('static-layer');
        await page.click(byTestId('pin-result'));
        const view = page.locator(byTestId('compare-view'));
        await until('two pinned runs side by side', async () => Number(await view.getAttribute('data-pins')) === 2);
        await page.locator(byTestId('section-compare')).scrollIntoViewIfNeeded();
        await page.click(byTestId('compare-map-A'));
        // the layer slider as a user moves it: Home is layer 0, one step right is layer 1
        await page.locator(byTestId('compare-layer')).focus();
        await page.keyboard.press('Home');
        await page.keyboard.press('ArrowRight');
        const panels = page.locator(byTestId('compare-panel'));
        await until(
          'both panels at the linked layer 1',
          async () => (await panels.evaluateAll((ps) => ps.map((p) => p.getAttribute('data-layer')).join(','))) === '1,1',
        );
        await page.selectOption(byTestId('compare-heads'), JSON.stringify({ kind: 'head', head: 0 }));
        await until(
          'both panels drawn on head 0',
          async () =>
            (await panels.evaluateAll((ps: HTMLElement[]) =>
              ps.every((p) => /head 0/.test(p.innerText) && !/loading/.test(p.innerText) && p.getAttribute('data-domain') !== ''),
            )) === true,
        );
        const shared = await panels.evaluateAll((ps) => ps.map((p) => p.getAttribute('data-domain')));
        assert(shared[0] === shared[1] && shared[0] !== '', `one shared scale: ${shared.join(' | ')}`);
        await page.click(byTestId('compare-per-panel'));
        await until('each its own scale', async () => (await view.getAttribute('data-scale')) === 'per-panel');
        await page.click(byTestId('compare-per-panel'));
      },
    ],
    [
      'views-figure-png-matches-svg-pdf-has-text',
      async () => {
        const dirs: string[] = [];
        for (const d of await recordDirs(fixtures.dataDir)) {
          const r = JSON.parse(await readFile(join(d, 'record.json'), 'utf8'));
          if (r.method === 'laser') dirs.push(d);
        }
        assert(dirs.length > 0, `no laser record under ${fixtures.dataDir}`);
        // the figures as they are, and the overlay drawn smooth (its thousands of sub-cells through librsvg and the browser alike)
        for (const [figureKinds, more] of [
          [['overlay', 'vaq', 'paper'], []],
          [['overlay'], ['--smooth', 'bicubic']],
        ] as const) {
          const out = await mkdtemp(join(tmpdir(), 'laser-e2e-fig-'));
          await run(
            process.execPath,
            ['bin/laser.js', 'figure', dirs[0], '--kind', figureKinds.join(','), '--format', 'png,svg,pdf', '--scale', '1', ...more, '--out', out],
            { cwd: repoRoot },
          );
          const files = await readdir(out);
          if (kinds(files) < 3 * figureKinds.length) throw new Error(`expected ${3 * figureKinds.length} files, got ${files.join(', ')}`);
          for (const kind of figureKinds) {
            const svgName = files.find((f) => f.includes(kind) && f.endsWith('.svg'));
            assert(svgName, `no ${kind} SVG among ${files.join(', ')}`);
            const png = await readFile(join(out, svgName.replace(/\.svg$/, '.png')));
            const svg = await readFile(join(out, svgName), 'utf8');
            // the browser draws the SVG at the PNG's size, as the app's PNG export does
            const { width, height } = await sharp(png).metadata();
            const drawn = await page.evaluate(
              async ({ svg, width, height }: { svg: string; width: number; height: number }) => {
                const url = URL.createObjectURL(new Blob([svg], { type: 'image/svg+xml' }));
                const img = new Image();
                await new Promise((resolve, reject) => {
                  img.onload = resolve;
                  img.onerror = () => reject(new Error('the SVG did not load'));
                  img.src = url;
                });
                const c = document.createElement('canvas');
                c.width = width;
                c.height = height;
                const ctx = c.getContext('2d');
                if (ctx === null) throw new Error('no 2d canvas in the page');
                ctx.fillStyle = '#ffffff';
                ctx.fillRect(0, 0, width, height);
                ctx.drawImage(img, 0, 0, width, height);
                URL.revokeObjectURL(url);
                return c.toDataURL('image/png');
              },
              { svg, width, height },
            );
            const flat = await sharp(png).flatten({ background: '#ffffff' }).png().toBuffer();
            const d = await pixelDifference(flat, Buffer.from(drawn.split(',')[1], 'base64'));
            console.log(
              `     ${kind}${more.length > 0 ? ` (${more.join(' ')})` : ''}: librsvg PNG vs the browser's drawing of the SVG at ${d.width}x${d.height}: mean ${d.mean.toFixed(2)}/255 per channel, ${(d.far * 100).toFixed(2)} % of pixels off by more than 64`,
            );
            assert(d.mean < 4 && d.far < 0.02, `${kind}: the PNG differs from its SVG (mean ${d.mean.toFixed(2)}, ${(d.far * 100).toFixed(2)} % far)`);
            // the PDF has its text as text, in fonts it embeds
            const pdf = join(out, svgName.replace(/\.svg$/, '.pdf'));
            const { stdout: words } = await run('pdftotext', [pdf, '-']);
            assert(words.replace(/\s+/g, ' ').length > 10, `${kind}: pdftotext finds text`);
            const { stdout: fonts } = await run('pdffonts', [pdf]);
            const rows = fonts
              .split('\n')
              .slice(2)
              .filter((l) => l.trim());
            console.log(
              `     ${kind}.pdf: ${(await readFile(pdf)).length} bytes; fonts: ${rows
                .map((l) =>
                  l
                    .trim()
                    .split(/\s+/)
                    .slice(0, 1)
                    .concat(l.includes(' yes ') ? 'embedded' : 'not embedded')
                    .join(' '),
                )
                .join('; ')}`,
            );
            assert(
              rows.length > 0 && rows.every((l) => /\byes\s+(yes|no)\s+(yes|no)\s+\d+\s+\d+\s*$/.test(l)),
              `${kind}: every font of the PDF is embedded:\n${fonts}`,
            );
          }
        }
      },
    ],
  ];
  return { onLaserResult, afterAllSix };
}

function kinds(files: string[]): number {
  return files.filter((f) => /\.(png|svg|pdf)$/.test(f)).length;
}
