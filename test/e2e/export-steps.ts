// Export from every view of the app (run inside analysis-steps.ts): the result panel's paper
// figure, VAQ per head and decoding table, the Inputs view, the overlay and the Inputs view drawn
// smooth, the Layers view and the Compare view, each as PNG at a chosen DPI, SVG and PDF. Each file is checked as a user would open it: the PNG
// decodes at DPI / 96 times the figure's size and says its DPI, the SVG parses with vector paths and
// carries the run's provenance, the PDF opens (pdftotext reads its text, pdffonts finds every font
// embedded). The smooth overlay and inputs, the Layers and Compare exports are also drawn by `laser figure` from the same records
// with the options the view showed, and the two SVGs must be the same bytes but for the embedded
// pictures (the browser and sharp encode those differently).
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Page } from 'playwright-core';
import sharp from 'sharp';
import { byClass, findAll, parseXml } from '../../src/common/figures/testing/xml.ts';
import { made, type E2EFixtures } from './fixtures.ts';
import { assert, byTestId, groups, pageQueries, until, type Step } from './page-helpers.ts';

const run = promisify(execFile);

interface Saved {
  name: string;
  bytes: Buffer;
}

interface RecordFolder {
  dir: string;
  cacheKey: string;
  method: string;
  sample: string;
  createdAt: string;
}

/** Every record folder below `dir`, with its record.json. */
async function records(dir: string): Promise<RecordFolder[]> {
  const out: RecordFolder[] = [];
  for (const e of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await records(p)));
    else if (e.name === 'record.json') {
      const r = JSON.parse(await readFile(p, 'utf8'));
      out.push({ dir, cacheKey: String(r.cacheKey), method: String(r.method), sample: `${r.image?.hash} ${r.question}`, createdAt: String(r.createdAt) });
    }
  }
  return out;
}

/** The record folders of the runs a figure's provenance names ("record <16 hex>"), in its order. */
async function recordsOf(svg: string, dataDir: string): Promise<string[]> {
  const desc = groups(/<desc>([^<]*)<\/desc>/, svg, "the figure's provenance")[0] ?? '';
  const ids = [...desc.matchAll(/record ([0-9a-f]{16})/g)].map((m) => m[1] ?? '');
  assert(ids.length > 0, `the provenance names its records: ${desc.slice(0, 200)}`);
  const all = await records(dataDir);
  return ids.map((id) => {
    const r = all.find((x) => x.cacheKey.startsWith(id));
    assert(r, `no record ${id} under ${dataDir}`);
    return r.dir;
  });
}

/** The figure with its embedded pictures left out: what must match between the app and laser figure. */
function withoutPictures(svg: string): string {
  return svg.replace(/xlink:href="data:image\/[^"]*"/g, 'xlink:href="(picture)"');
}

export function exportSteps({ page, fixtures, repoRoot }: { page: Page; fixtures: E2EFixtures; repoRoot: string }): {
  afterExport: Step[];
  afterLayers: Step[];
  afterCompare: Step[];
} {
  const a = () => made(fixtures.analysis, 'analysis');
  const { text, count } = pageQueries(page);

  async function download(button: string): Promise<Saved> {
    const [d] = await Promise.all([page.waitForEvent('download'), page.click(byTestId(button))]);
    const path = await d.path();
    assert(path, `${button}: the download was not saved (${await d.failure()})`);
    return { name: d.suggestedFilename(), bytes: await readFile(path) };
  }

  /**
   * Exports `id` (buttons export-<id>-png|svg|pdf) with the PNG at `dpi` (chosen in `dpiSelect`)
   * and checks each file; `words`: text the PDF must have; `status`: the test id of the line that says it was saved. Returns the SVG.
   */
  async function exportEach(
    id: string,
    dpiSelect: string,
    dpi: number,
    name: RegExp,
    words: readonly string[],
    minPaths = 1,
    status = `${id}-export-status`,
  ): Promise<string> {
    await page.selectOption(byTestId(dpiSelect), String(dpi));
    const svgFile = await download(`export-${id}-svg`);
    assert(name.test(svgFile.name), `${id} SVG file name ${svgFile.name}`);
    const svg = svgFile.bytes.toString('utf8');
    const doc = parseXml(svg);
    assert(doc.name === 'svg', `${id}: the SVG parses to an <svg> document`);
    const paths = findAll(doc, (e) => e.name === 'path' && (e.attrs.d ?? '').length > 0).length;
    assert(paths >= minPaths, `${id}: the SVG draws with vector paths (${paths}, at least ${minPaths})`);
    const shapes = findAll(doc, (e) => ['path', 'rect', 'line', 'polyline'].includes(e.name)).length;
    assert(shapes > 1, `${id}: the SVG is vector shapes, not one picture (${shapes})`);
    assert(/<desc>[^<]*model [^<]*method /.test(svg), `${id}: the SVG carries the run's provenance`);
    const width = Number(doc.attrs.width);
    const height = Number(doc.attrs.height);

    const png = await download(`export-${id}-png`);
    assert(png.name === svgFile.name.replace(/\.svg$/, '.png'), `${id} PNG file name ${png.name}`);
    const meta = await sharp(png.bytes).metadata();
    const want = [Math.round((width * dpi) / 96), Math.round((height * dpi) / 96)];
    assert(
      meta.format === 'png' && Math.abs((meta.width ?? 0) - (want[0] ?? 0)) <= 1 && Math.abs((meta.height ?? 0) - (want[1] ?? 0)) <= 1,
      `${id}: the PNG decodes at ${meta.width}x${meta.height}, ${dpi} dpi of a ${width}x${height} figure is ${want.join('x')}`,
    );
    const phys = png.bytes.indexOf('pHYs');
    assert(phys > 0 && Math.round(png.bytes.readUInt32BE(phys + 4) * 0.0254) === dpi, `${id}: the PNG says ${dpi} dpi`);

    const pdf = await download(`export-${id}-pdf`);
    assert(pdf.name === svgFile.name.replace(/\.svg$/, '.pdf'), `${id} PDF file name ${pdf.name}`);
    const out = await mkdtemp(join(tmpdir(), 'laser-e2e-export-'));
    const file = join(out, pdf.name);
    await writeFile(file, pdf.bytes);
    const { stdout } = await run('pdftotext', [file, '-']);
    const said = stdout.replace(/\s+/g, ' ');
    for (const w of words) assert(said.includes(w), `${id}: the PDF has "${w}" as text (pdftotext: ${said.slice(0, 160)})`);
    const { stdout: fonts } = await run('pdffonts', [file]);
    const rows = fonts
      .split('\n')
      .slice(2)
      .filter((l) => l.trim());
    assert(rows.length > 0 && rows.every((l) => /\byes\s+(yes|no)\s+(yes|no)\s+\d+\s+\d+\s*$/.test(l)), `${id}: every font of the PDF is embedded:\n${fonts}`);
    await rm(out, { recursive: true, force: true });
    assert(/\/Subject \(/.test(pdf.bytes.toString('latin1')), `${id}: the PDF carries the provenance`);
    console.log(
      `     ${id}: ${svgFile.name} ${width}x${height}, ${paths} paths, ${svgFile.bytes.length} B; PNG ${meta.width}x${meta.height} at ${dpi} dpi, ${png.bytes.length} B; PDF ${pdf.bytes.length} B, ${rows.length} embedded fonts`,
    );
    await until(`${id}: the export's status line to say it was saved`, async () => /Saved/.test(await text(status)));
    return svg;
  }

  /** `laser figure` of the records the app's figure names, with `args`: its SVG. */
  async function cliFigure(appSvg: string, kind: string, args: string[]): Promise<string> {
    const [first, ...more] = await recordsOf(appSvg, fixtures.dataDir);
    assert(first, 'the figure names a record');
    const out = await mkdtemp(join(tmpdir(), 'laser-e2e-cli-'));
    const withArgs = more.length > 0 ? ['--with', more.join(',')] : [];
    try {
      await run(process.execPath, ['bin/laser.js', 'figure', first, '--kind', kind, '--format', 'svg', ...withArgs, ...args, '--out', out], { cwd: repoRoot });
      return await readFile(join(out, `${kind}.svg`), 'utf8');
    } finally {
      await rm(out, { recursive: true, force: true });
    }
  }

  const afterExport: Step[] = [
    [
      'export-paper-heads-decoding',
      async () => {
        await page.locator(byTestId('export')).scrollIntoViewIfNeeded();
        const q = a().question.slice(0, 11);
        const paper = await exportEach('paper', 'export-dpi', 150, /^scene-0-laser-paper\.svg$/, [q, 'VAQ'], 10, 'export-status');
        assert(findAll(parseXml(paper), (e) => e.name === 'image').length >= 2, 'the paper figure embeds the picture and the crop');
        await exportEach('heads', 'export-dpi', 300, /^scene-0-laser-heads\.svg$/, ['VAQ per head'], 1, 'export-status');
        await exportEach('decoding', 'export-dpi', 96, /^scene-0-laser-decoding\.svg$/, ['Decoding'], 0, 'export-status');
      },
    ],
    [
      'export-inputs-view',
      async () => {
        await page.locator(byTestId('section-inputs')).scrollIntoViewIfNeeded();
        const svg = await exportEach('inputs', 'export-inputs-dpi', 150, /^scene-0-laser-inputs\.svg$/, ['What the model got'], 4);
        assert(byClass(parseXml(svg), 'input').length === 4, 'the inputs figure has the four inputs of a laser run');
      },
    ],
  ];

  // the overlay and the Inputs view drawn smooth, exported as drawn: vector sub-cells, and laser figure --smooth's file
  afterExport.push([
    'export-smooth-overlay-inputs',
    async () => {
      const overlay = page.locator(byTestId('image-overlay'));
      await page.selectOption(byTestId('overlay-smooth'), 'bilinear');
      await page.waitForFunction(() => document.querySelector('[data-testid="image-overlay"]')?.getAttribute('data-smooth') === 'bilinear');
      const cells = Number(await overlay.getAttribute('data-cells'));
      assert((await overlay.getAttribute('data-map')) === 'M' && cells > 0, `M over the image in ${cells} cells`);
      await page.locator(byTestId('export')).scrollIntoViewIfNeeded();
      const svg = await exportEach('overlay', 'export-dpi', 150, /^scene-0-laser-overlay-M\.svg$/, [a().question.slice(0, 11)], cells + 1, 'export-status');
      const heat = byClass(parseXml(svg), 'heatmap');
      const rects = heat.reduce((n, g) => n + g.children.reduce((k, p) => k + ((p.attrs.d ?? '').match(/M/g) ?? []).length, 0), 0);
      assert(heat.length === 1 && heat[0]?.attrs['data-smooth'] === 'bilinear', 'the exported map is drawn smooth, not as cells');
      assert(rects > cells, `the smooth map is finer than the grid: ${rects} rectangles for ${cells} cells`);
      assert(/drawn with bilinear upsampling/.test(svg) && !/drawn as cells/.test(svg), 'the metadata says the map was drawn with bilinear upsampling');
      const cli = await cliFigure(svg, 'overlay', ['--smooth', 'bilinear']);
      assert(withoutPictures(cli) === withoutPictures(svg), "the app's smooth overlay SVG is laser figure --smooth bilinear's, but for the embedded picture");
      const other = await cliFigure(svg, 'overlay', ['--smooth', 'bicubic']);
      assert(withoutPictures(other) !== withoutPictures(svg), 'laser figure --smooth bicubic draws another map than the bilinear overlay');
      console.log(
        `     overlay (bilinear): ${rects} rectangles for ${cells} cells; the app's SVG and laser figure's are the same ${svg.length} bytes but for the picture`,
      );

      // the Inputs view's own smoothing, at the layer in view
      await page.locator(byTestId('section-inputs')).scrollIntoViewIfNeeded();
      await page.selectOption(byTestId('inputs-smooth'), 'bicubic');
      const inputs = (await download('export-inputs-svg')).bytes.toString('utf8');
      const panels = byClass(parseXml(inputs), 'heatmap');
      assert(panels.length > 0 && panels.every((g) => g.attrs['data-smooth'] === 'bicubic'), `every input's map is drawn bicubic (${panels.length})`);
      const layer = groups(/attention at layer (\d+)/, inputs, "the inputs figure's layer")[0] ?? '';
      const cliInputs = await cliFigure(inputs, 'inputs', ['--smooth', 'bicubic', '--layer', layer]);
      assert(
        withoutPictures(cliInputs) === withoutPictures(inputs),
        "the app's smooth inputs SVG is laser figure --kind inputs --smooth bicubic's, but for the pictures",
      );
      console.log(`     inputs (bicubic, layer ${layer}): the app's SVG and laser figure's are the same ${inputs.length} bytes but for the pictures`);
      // back to cells for the steps after
      await page.selectOption(byTestId('inputs-smooth'), 'cells');
      await page.selectOption(byTestId('overlay-smooth'), 'cells');
      await page.waitForFunction(() => document.querySelector('[data-testid="image-overlay"]')?.getAttribute('data-smooth') === 'cells');
    },
  ]);

  const afterLayers: Step[] = [
    [
      'export-layers-view',
      async () => {
        // the Layers view on a range, each layer its own scale, on the overlay's magma
        await page.selectOption(byTestId('overlay-colormap'), 'magma');
        await page.click(byTestId('main-view-layers'));
        await page.fill(byTestId('layers-range'), '1-2');
        await page.waitForFunction(() => document.querySelectorAll('[data-testid="layers-view-tile"]').length === 2);
        await page.locator('[data-testid="layers-view"] button', { hasText: 'per layer' }).click();
        const svg = await exportEach('layers', 'export-layers-dpi', 150, /^scene-0-laser-layers-1-2\.svg$/, ['Contrastive attention per layer', 'L1', 'L2'], 2);
        const doc = parseXml(svg);
        assert(byClass(doc, 'panel').length === 2, 'the exported strip has the two layers of the range');
        assert(byClass(doc, 'colorbar').length === 0, 'each layer on its own scale: no shared colour bar');
        // laser figure draws the same strip from the record with the view's options
        const cli = await cliFigure(svg, 'layers', ['--layer-heads', 'mean', '--layers', '1-2', '--own-scale', '--colormap', 'magma']);
        assert(withoutPictures(cli) === withoutPictures(svg), "the app's layers SVG is laser figure's, but for the embedded picture");
        console.log(`     layers: the app's SVG and laser figure's are the same ${svg.length} bytes but for the picture`);
        // each layer's top-k heads by VAQ (from laser.headMaps): laser figure's default strip
        await page.click(byTestId('layers-heads-top'));
        await page.waitForFunction(() => {
          const v = document.querySelector('[data-testid="layers-view"]');
          return v?.getAttribute('data-heads') === 'top' && v.getAttribute('data-loading') === 'false';
        });
        const top = (await download('export-layers-svg')).bytes.toString('utf8');
        assert(top !== svg, 'the top-k strip differs from the head mean');
        const cliTop = await cliFigure(top, 'layers', ['--layers', '1-2', '--own-scale', '--colormap', 'magma']);
        assert(withoutPictures(cliTop) === withoutPictures(top), "the app's top-k layers SVG is laser figure's default strip, but for the picture");
        console.log(`     layers (top-k): the app's SVG and laser figure's are the same ${top.length} bytes but for the picture`);
        // the view as it was exported (the step's own screenshot is taken back on the image)
        await page.screenshot({ path: join(repoRoot, 'test-results', 'e2e', 'export-layers-view-shown.png') });
        await page.click(byTestId('layers-heads-mean'));
        await page.fill(byTestId('layers-range'), '');
        await page.click(byTestId('main-view-image'));
        await page.selectOption(byTestId('overlay-colormap'), 'viridis');
        assert((await count(byTestId('layers-view'))) === 0, 'back on the image');
      },
    ],
  ];

  const afterCompare: Step[] = [
    [
      'export-methods-table',
      async () => {
        // the "All six methods" table as laser figure --kind compare draws it
        await page.locator(byTestId('section-comparison')).scrollIntoViewIfNeeded();
        const svg = await exportEach('methods', 'export-methods-dpi', 150, /^scene-0-methods\.svg$/, ['Method', 'Answer', 'laser'], 0);
        const methods = findAll(parseXml(svg), (e) => e.name === 'text' && e.attrs.class === 'method').map((e) => e.text);
        assert(methods.length === 6 && methods[0] === 'vanilla' && methods.includes('laser'), `a row per method: ${methods.join(', ')}`);
        // the table's runs in its order: the first one the provenance names, then the latest record of each other method of this sample
        const [first] = await recordsOf(svg, fixtures.dataDir);
        const all = await records(fixtures.dataDir);
        const head = all.find((r) => r.dir === first);
        assert(head, 'the first run is a record');
        const others = methods.slice(1).flatMap((m) => {
          if (m === head.method) return [];
          const mine = all.filter((r) => r.method === m && r.sample === head.sample).sort((x, y) => x.createdAt.localeCompare(y.createdAt));
          const latest = mine.at(-1);
          assert(latest, `a ${m} record of the sample`);
          return [latest.dir];
        });
        const out = await mkdtemp(join(tmpdir(), 'laser-e2e-cli-'));
        await run(process.execPath, ['bin/laser.js', 'figure', head.dir, '--kind', 'compare', '--format', 'svg', '--with', others.join(','), '--out', out], {
          cwd: repoRoot,
        });
        const cli = await readFile(join(out, 'compare.svg'), 'utf8');
        await rm(out, { recursive: true, force: true });
        assert(withoutPictures(cli) === withoutPictures(svg), "the app's methods SVG is laser figure's compare, but for the embedded picture");
        console.log(`     methods: the app's SVG and laser figure's compare are the same ${svg.length} bytes but for the picture`);
      },
    ],
    [
      'export-compare-view',
      async () => {
        // as views-compare-two-methods-linked leaves it: laser and static-layer, A at layer 1 on head 0, one scale
        const view = page.locator(byTestId('compare-view'));
        assert(Number(await view.getAttribute('data-pins')) === 2, 'two runs pinned');
        await page.locator(byTestId('section-compare')).scrollIntoViewIfNeeded();
        const svg = await exportEach('compare', 'export-compare-dpi', 150, /^scene-0-compare-2-runs\.svg$/, ['Runs compared', 'laser', 'static-layer'], 2);
        const doc = parseXml(svg);
        assert(byClass(doc, 'input').length === 2 && byClass(doc, 'colorbar').length === 1, 'two panels on one colour scale with its bar');
        const cli = await cliFigure(svg, 'compare-maps', ['--compare-map', 'A', '--compare-layer', '1', '--compare-heads', '0']);
        assert(withoutPictures(cli) === withoutPictures(svg), "the app's compare SVG is laser figure's compare-maps, but for the embedded pictures");
        console.log(`     compare: the app's SVG and laser figure's compare-maps are the same ${svg.length} bytes but for the pictures`);
        assert(/Saved/.test(await text('compare-export-status')), 'the view says the file was saved');
      },
    ],
  ];
  return { afterExport, afterLayers, afterCompare };
}
