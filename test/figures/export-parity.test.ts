/**
 * Export parity: every figure the app exports (the overlay, the VAQ curve, the paper figure, VAQ per
 * head, the decoding table, the Inputs view, the Layers view and the Compare view) and the one
 * `laser figure` writes for the same record and options are the same file.
 * The app gets the record as the contract carries it (LaserResult, through JSON), opens it with
 * its default view or the view's choices (overlayModel + defaultViewSettings, the per-head maps of a
 * head choice as laser.headMaps answers them; `laser figure --map --layer --heads --opacity
 * --colormap --exclude-sinks`) and saves it as ExportButtons does
 * (figureView, overlayFigureFile, then figureBlob's SVG: withDescription); the CLI draws the
 * record folder with figuresForRecord. Given the same picture (the browser and sharp encode the
 * embedded JPEG differently, so the app's is taken from the CLI's file), the SVGs are the same
 * bytes, padding included: the fixture is pad-to-square (320 x 240 padded to 320 x 320), so the top
 * and bottom rows of cells lie partly on the padding, and both draw them whole over a padding band.
 */
import { cp, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LaserResult } from '../../src/common/contract/methods.ts';
import type { HeadMaps } from '../../src/common/contract/methods.ts';
import { decodingTableSvg, modelInputsSvg, vaqCurveSvg, vaqHeadsHeatmapSvg, withDescription } from '../../src/common/figures/index.ts';
import { headMapsKey, neededHeadMaps, type CompareSettings } from '../../src/common/laser/compare-panels.ts';
import { inputsFigure, inputsFigureAbout } from '../../src/common/laser/inputs-figure.ts';
import { byClass, findAll, parseXml } from '../../src/common/figures/testing/xml.ts';
import { overlayFigureFile, paperFigureFile, type Smoothing } from '../../src/common/laser/overlay-figure.ts';
import { figureProvenance } from '../../src/common/laser/provenance.ts';
import { decodingFigure, headsFigure, vaqFigure } from '../../src/common/laser/record-figures.ts';
import { RECORD_JSON, RECORD_TENSOR_FILE, recordSchema, recordToJson } from '../../src/common/laser/record.ts';
import { writeSafetensors, type TensorToWrite } from '../../src/engine/checkpoint/safetensors-writer.ts';
import { figuresForRecord } from '../../src/engine/figures/figures.ts';
import { SCENE, writeFixtureRecord, type FixtureRecord } from '../../src/engine/figures/testing/record-fixture.ts';
import { loadRecord } from '../../src/engine/laser/record-io.ts';
import { layerHeads } from '../../src/engine/laser/record-views.ts';
import { laserResult } from '../../src/engine/service/laser-views.ts';
import { makeSinkRecord } from '../e2e/sinks-fixture.ts';
import { compareViewFigure, comparePanels, defaultCompareSettings, differenceProblem, drawPanels } from '../../src/renderer/src/analysis/compare.ts';
import { finishedRuns, methodsTableFigure } from '../../src/renderer/src/analysis/comparison.ts';
import { layersNeedingHeads, layersViewFigure, type LayersViewChoice } from '../../src/renderer/src/analysis/layers-grid.ts';
import { defaultViewSettings, figureView, overlayModel, type ViewSettings } from '../../src/renderer/src/analysis/overlay.ts';

let root: string;
let fixture: FixtureRecord;
let other: FixtureRecord;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'laser-export-parity-'));
  fixture = await writeFixtureRecord(join(root, 'records'), 'laser', 'laser');
  other = await writeFixtureRecord(join(root, 'records'), 'static', 'static-layer');
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

/** The run as the app has it (the contract's JSON, parsed by its schema) and what its overlay shows with the view settings it opens with. */
async function appView(dir: string, truth: [number, number, number, number] | null = null) {
  const rec = await loadRecord(dir);
  const result = LaserResult.parse(JSON.parse(JSON.stringify(laserResult(rec.record, rec.tensors, false))));
  const view = defaultViewSettings;
  const shown = figureView(overlayModel(result, view, truth));
  if (!shown) throw new Error('the app shows no map');
  return { result, shown };
}

/** The app's overlay export of the record folder `dir` over `href`. */
async function appExport(dir: string, href: string, truth: [number, number, number, number] | null = null): Promise<string> {
  const { result, shown } = await appView(dir, truth);
  const { svg, about } = overlayFigureFile(result.record, { href, width: result.record.image.width, height: result.record.image.height }, shown);
  return withDescription(svg, about);
}

function embeddedPicture(svg: string): string {
  return embeddedPictures(svg)[0];
}

/** Every picture a figure embeds, in document order: the app's are taken from the CLI's file (the browser and sharp encode them differently). */
function embeddedPictures(svg: string): string[] {
  return findAll(parseXml(svg), (e) => e.name === 'image').map((e) => e.attrs['xlink:href']);
}

/** The app's paper figure as ExportButtons writes it, from the pictures the CLI's file embeds (the encodings differ): the original as JPEG, the crop as PNG. */
function appPaper(result: LaserResult, shown: Parameters<typeof paperFigureFile>[2], cliPaper: string): string {
  const pictures = embeddedPictures(cliPaper);
  const crop = result.inputImages.find((i) => i.role === 'crop');
  const cropHref = crop ? pictures.find((h) => h.startsWith('data:image/png')) : undefined;
  const r = result.record;
  const file = paperFigureFile(
    r,
    { href: pictures.find((h) => h.startsWith('data:image/jpeg'))!, width: r.image.width, height: r.image.height },
    shown,
    crop && cropHref ? { href: cropHref, width: crop.width, height: crop.height } : null,
  );
  return withDescription(file.svg, file.about);
}

let sinkDir: string | null = null;
/** The e2e's record with an attention sink in I's a_q, and the no-query pass a_0 (the plain fixture records neither input attention nor a_0). */
async function sinkRecord(): Promise<string> {
  if (sinkDir) return sinkDir;
  await makeSinkRecord(join(root, 'sinks-overlay'), join(root, 'sink-overlay-data'));
  const [two] = await readdir(join(root, 'sink-overlay-data', 'records'));
  const [key] = await readdir(join(root, 'sink-overlay-data', 'records', two!));
  sinkDir = join(root, 'sink-overlay-data', 'records', two!, key!);
  return sinkDir;
}

let passesDir: string | null = null;
/**
 * The plain fixture with the head means of a_q and a_0 at l* (a_q.layer_mean, a_0.layer_mean), as
 * a real record has them, so the overlay can show a_q, a_0 and the signed a_q − a_0: a_q leans to
 * the ball's cells (M), a_0 is a gentle ramp, so a_q − a_0 has both signs.
 */
async function passesRecord(): Promise<string> {
  if (passesDir) return passesDir;
  const dir = join(root, 'passes', 'laser');
  await cp(fixture.dir, dir, { recursive: true });
  const { record, tensors } = await loadRecord(dir);
  const M = Array.from(tensors.M!.data);
  const n = M.length;
  const a0 = Float32Array.from(M, (_, j) => (0.5 + (j % 7) / 6) / n);
  const aq = Float32Array.from(M, (m, j) => 0.5 * m + 0.5 * (a0[j] ?? 0));
  const toWrite: Record<string, TensorToWrite> = {};
  for (const [name, t] of Object.entries(tensors)) toWrite[name] = { dtype: t.dtype, shape: t.shape, data: t.data };
  const [gh, gw] = [record.geometry.gridHeight, record.geometry.gridWidth];
  toWrite['a_q.layer_mean'] = { dtype: 'F32', shape: [gh, gw], data: aq };
  toWrite['a_0.layer_mean'] = { dtype: 'F32', shape: [gh, gw], data: a0 };
  await writeSafetensors(join(dir, RECORD_TENSOR_FILE), toWrite);
  const grid = { input: 'image' as const, grid: [gh, gw] as [number, number] };
  const names = [...new Set([...record.tensors.names, 'a_q.layer_mean', 'a_0.layer_mean'])].sort();
  await writeFile(
    join(dir, RECORD_JSON),
    recordToJson({ ...record, tensors: { ...record.tensors, names, maps: { ...record.tensors.maps, 'a_q.layer_mean': grid, 'a_0.layer_mean': grid } } }),
  );
  passesDir = dir;
  return dir;
}

/** The run as the app has it: laser.record's answer, through JSON and the contract's schema. */
async function appResult(dir: string) {
  const rec = await loadRecord(dir);
  return LaserResult.parse(JSON.parse(JSON.stringify(laserResult(rec.record, rec.tensors, false))));
}

/** What `laser figure` writes for one kind with these options. */
async function cliFigure(kind: string, o: Omit<Parameters<typeof figuresForRecord>[1], 'formats' | 'outDir' | 'kinds'>, dir = fixture.dir): Promise<string> {
  const out = await mkdtemp(join(root, `cli-${kind}-`));
  await figuresForRecord(dir, { ...o, kinds: [kind as never], formats: ['svg'], outDir: out });
  return readFile(join(out, `${kind}.svg`), 'utf8');
}

describe('the overlay from the app and from laser figure', () => {
  it('is the same SVG, byte for byte, for the same record, view and picture', async () => {
    const out = join(root, 'cli');
    await figuresForRecord(fixture.dir, { formats: ['svg'], kinds: ['overlay'], outDir: out });
    const cli = await readFile(join(out, 'overlay.svg'), 'utf8');
    expect(await appExport(fixture.dir, embeddedPicture(cli))).toBe(cli);
  });

  it('is the same on the colormap the user picked (laser figure --colormap)', async () => {
    const cli = await cliFigure('overlay', { colormap: 'magma' });
    const { result } = await appView(fixture.dir);
    const view = { ...defaultViewSettings, colormap: 'magma' as const };
    const shown = figureView(overlayModel(result, view, null));
    if (!shown) throw new Error('the app shows no map');
    expect(shown.cmap.name).toBe('magma');
    const { svg, about } = overlayFigureFile(
      result.record,
      { href: embeddedPicture(cli), width: result.record.image.width, height: result.record.image.height },
      shown,
    );
    expect(withDescription(svg, about)).toBe(cli);
  });

  it('is the same with the true box of a generated world question drawn', async () => {
    const truth: [number, number, number, number] = [200, 130, 270, 200];
    const out = join(root, 'cli-truth');
    await figuresForRecord(fixture.dir, { formats: ['svg'], kinds: ['overlay'], outDir: out, truthBox: truth });
    const cli = await readFile(join(out, 'overlay.svg'), 'utf8');
    expect(cli).toContain('class="truth-box"');
    expect(await appExport(fixture.dir, embeddedPicture(cli), truth)).toBe(cli);
  });

  it('the paper figure, VAQ per head and the decoding table are the same SVG too', async () => {
    const out = join(root, 'cli-more');
    await figuresForRecord(fixture.dir, { formats: ['svg'], kinds: ['paper', 'heads', 'decoding'], outDir: out });
    const cli = async (k: string) => readFile(join(out, `${k}.svg`), 'utf8');
    const { result, shown } = await appView(fixture.dir);
    // as ExportButtons: the paper from the picture and the crop input (both taken from the CLI's file: the encodings differ)
    const paper = await cli('paper');
    expect(appPaper(result, shown, paper)).toBe(paper);
    const r = result.record;
    const provenance = figureProvenance(r);
    expect(withDescription(vaqHeadsHeatmapSvg(headsFigure(r, true)), provenance)).toBe(await cli('heads'));
    const d = decodingFigure(recordSchema.parse(r), true);
    expect(withDescription(decodingTableSvg(d.steps, d.options), provenance)).toBe(await cli('decoding'));
  });

  /** The app's overlay export of `dir` with `view`, the per-head maps of a head choice fetched as laser.headMaps answers them. */
  async function appOverlay(dir: string, view: ViewSettings, cli: string): Promise<{ svg: string; shown: NonNullable<ReturnType<typeof figureView>> }> {
    const result = await appResult(dir);
    const { tensors } = await loadRecord(dir);
    const needs = view.map === 'A' && view.heads.kind !== 'mean' && view.layer !== null;
    const headMaps: HeadMaps | null = needs ? JSON.parse(JSON.stringify({ layer: view.layer, heads: layerHeads(tensors.A!, view.layer!) })) : null;
    const model = overlayModel(result, view, null, headMaps);
    expect(model.headsPending).toBe(false);
    const shown = figureView(model);
    if (!shown) throw new Error('the app shows no map');
    const { svg, about } = overlayFigureFile(
      result.record,
      { href: embeddedPicture(cli), width: result.record.image.width, height: result.record.image.height },
      shown,
    );
    return { svg: withDescription(svg, about), shown };
  }

  const viewCases: [string, Partial<ViewSettings>, Parameters<typeof figuresForRecord>[1]['overlay'] & { layer?: number; colormap?: 'magma' }][] = [
    [
      'A at layer 1 on the top-2 heads by VAQ, opacity 0.8 (--map A --layer 1 --heads top-2 --opacity 0.8)',
      { map: 'A', layer: 1, heads: { kind: 'top', k: 2 }, opacity: 0.8 },
      { map: 'A', layer: 1, heads: { kind: 'top', k: 2 }, opacity: 0.8 },
    ],
    [
      'A at layer 6 on head 1, on magma (--map A --layer 6 --heads 1 --colormap magma)',
      { map: 'A', layer: 6, heads: { kind: 'head', head: 1 }, colormap: 'magma' },
      { map: 'A', layer: 6, heads: { kind: 'head', head: 1 }, colormap: 'magma' },
    ],
    ['M at opacity 0.3 (--opacity 0.3)', { map: 'M', opacity: 0.3 }, { opacity: 0.3 }],
    // these three from the fixture with the head means of a_q and a_0 (passesRecord)
    ['the signed a_q − a_0, on coolwarm whatever the colormap (--map d --colormap magma)', { map: 'd', colormap: 'magma' }, { map: 'd', colormap: 'magma' }],
    ['the no-query attention a_0 at opacity 0.3 (--map a0 --opacity 0.3)', { map: 'a0', opacity: 0.3 }, { map: 'a0', opacity: 0.3 }],
    ['the query attention a_q on magma (--map aq --colormap magma)', { map: 'aq', colormap: 'magma' }, { map: 'aq', colormap: 'magma' }],
  ];
  for (const [what, view, o] of viewCases)
    it(`is the same with the view's choices: ${what}`, async () => {
      const dir = view.map === 'A' || view.map === 'M' ? fixture.dir : await passesRecord();
      const { layer, colormap, ...overlay } = o;
      const cli = await cliFigure('overlay', { overlay, ...(layer !== undefined ? { layer } : {}), ...(colormap ? { colormap } : {}) }, dir);
      const v: ViewSettings = { ...defaultViewSettings, layer: (await loadRecord(dir)).record.layer, ...view };
      const { svg, shown } = await appOverlay(dir, v, cli);
      expect(shown.map.id).toBe(view.map);
      expect(shown.opacity).toBe(view.opacity ?? 0.6);
      if (view.map === 'd') {
        expect(shown.cmap.name).toBe('coolwarm');
        expect(Math.min(...shown.map.values)).toBeLessThan(0);
      }
      expect(svg).toBe(cli);
      // and not the default view's figure: the choice reached it
      expect(cli).not.toBe(await cliFigure('overlay', {}, dir));
    });

  it('is the same with the sinks left out of the scale (--exclude-sinks), on M and on A over the top-2 heads; the paper figure too', async () => {
    const dir = await sinkRecord();
    const result = await appResult(dir);
    const l = result.record.layer;
    for (const [view, overlay] of [
      [{}, {}],
      [
        { map: 'A', heads: { kind: 'top', k: 2 } },
        { map: 'A', heads: { kind: 'top', k: 2 } },
      ],
    ] as [Partial<ViewSettings>, NonNullable<Parameters<typeof figuresForRecord>[1]['overlay']>][]) {
      const cli = await cliFigure('overlay', { excludeSinks: true, overlay }, dir);
      const { svg, shown } = await appOverlay(dir, { ...defaultViewSettings, layer: l, excludeSinks: true, ...view }, cli);
      expect(shown.sinks.length).toBeGreaterThan(0);
      expect(shown.sinksExcluded).toBe(true);
      expect(cli).toContain('attention sinks excluded from the scale');
      expect(svg).toBe(cli);
    }
    const paper = await cliFigure('paper', { excludeSinks: true, overlay: { opacity: 0.8 } }, dir);
    const view = { ...defaultViewSettings, layer: l, excludeSinks: true, opacity: 0.8 };
    const shown = figureView(overlayModel(result, view))!;
    expect(appPaper(result, shown, paper)).toBe(paper);
  });

  for (const smooth of ['bilinear', 'bicubic'] as const)
    it(`is the same drawn smooth as the view shows it (--smooth ${smooth}), the overlay and the paper figure, and says so`, async () => {
      const cli = await cliFigure('overlay', { smooth });
      const result = await appResult(fixture.dir);
      const view: ViewSettings = { ...defaultViewSettings, layer: result.record.layer, smooth };
      const { svg, shown } = await appOverlay(fixture.dir, view, cli);
      expect(shown.smooth).toBe(smooth);
      const heat = byClass(parseXml(cli), 'heatmap');
      expect(heat.map((g) => g.attrs['data-smooth'])).toEqual([smooth]);
      // finer than the 12 x 12 grid: more rectangles than cells
      expect(
        (
          heat[0]!.children
            .map((p) => p.attrs.d)
            .join('')
            .match(/M/g) ?? []
        ).length,
      ).toBeGreaterThan(result.views.cells.length);
      expect(cli).toContain(`drawn with ${smooth} upsampling of the grid's cells at opacity 0.6`);
      expect(cli).not.toContain('drawn as cells');
      expect(svg).toBe(cli);
      // the paper figure's overlay panel, smooth the same way
      const paper = await cliFigure('paper', { smooth });
      expect(byClass(parseXml(paper), 'heatmap').map((g) => g.attrs['data-smooth'])).toEqual([smooth]);
      expect(appPaper(result, shown, paper)).toBe(paper);
    });

  it('fails parity when the smoothing differs: the app drawing one and laser figure another is not the same file', async () => {
    const result = await appResult(fixture.dir);
    const l = result.record.layer;
    const bicubic = await cliFigure('overlay', { smooth: 'bicubic' });
    const cells = await cliFigure('overlay', {});
    for (const [smooth, cli] of [
      ['bilinear', bicubic],
      ['cells', bicubic],
      ['bicubic', cells],
    ] as const) {
      const { svg } = await appOverlay(fixture.dir, { ...defaultViewSettings, layer: l, smooth }, cli);
      expect(svg, `the app's ${smooth} against another smoothing`).not.toBe(cli);
    }
    // what differs is the map and the line that says how it was drawn, not the rest of the figure
    const { svg: bilinear } = await appOverlay(fixture.dir, { ...defaultViewSettings, layer: l, smooth: 'bilinear' }, bicubic);
    const rest = (svg: string) => svg.replace(/<g class="heatmap".*?<\/g>/s, '').replace(/drawn with \w+ upsampling/, 'drawn smooth');
    expect(rest(bilinear)).toBe(rest(bicubic));
  });

  it('draws the padding of pad-to-square as padding, with the edge cells whole, not clipped at the picture', async () => {
    const out = join(root, 'cli');
    const doc = parseXml(await readFile(join(out, 'overlay.svg'), 'utf8'));
    const img = findAll(doc, (e) => e.name === 'image')[0];
    const [ix, iy, iw, ih] = ['x', 'y', 'width', 'height'].map((k) => Number(img.attrs[k]));
    const s = iw / SCENE.width;
    expect(ih).toBeCloseTo(SCENE.height * s, 1);
    // the padding: 40 px of the 320 x 320 square above and below the picture, in two bands
    const bands = byClass(doc, 'padding');
    expect(bands.length).toBeGreaterThan(0);
    const band = findAll(bands[0], (e) => e.name === 'path')[0].attrs.d;
    const starts = [...band.matchAll(/M([\d.]+) ([\d.]+)/g)].map((m) => [Number(m[1]), Number(m[2])]);
    expect(starts[0][1]).toBeCloseTo(iy - 40 * s, 1);
    expect(starts[1]).toEqual([expect.closeTo(ix, 1), expect.closeTo(iy, 1)]);
    // the heat cells reach into the padding: the top row starts 40 px above the picture
    const heat = byClass(doc, 'heatmap')[0];
    const tops = findAll(heat, (e) => e.name === 'path').flatMap((p) => [...p.attrs.d.matchAll(/M[\d.]+ ([\d.]+)h/g)].map((m) => Number(m[1])));
    expect(Math.min(...tops)).toBeCloseTo(iy - 40 * s, 1);
    // clipped to the grid's extent, not to the picture
    const clip = findAll(doc, (e) => e.name === 'clipPath' && e.attrs.id === heat.attrs['clip-path'].slice(5, -1))[0];
    expect(Number(clip.children.find((c) => typeof c !== 'string' && c.name === 'rect')!.attrs.height)).toBeCloseTo(320 * s, 1);
  });
});

describe('the views laser figure draws the way the app exports them', () => {
  it('the VAQ curve and the Inputs view are the same SVG', async () => {
    const result = await appResult(fixture.dir);
    const r = result.record;
    expect(withDescription(vaqCurveSvg(vaqFigure(r, true)), figureProvenance(r))).toBe(await cliFigure('vaq', {}));
    // as InputsView exports it, at the layer in view (the run's l* when it opens)
    const cli = await cliFigure('inputs', {});
    const app = modelInputsSvg(inputsFigure(r, result.inputImages, embeddedPictures(cli), r.layer, true));
    expect(embeddedPictures(cli)).toHaveLength(result.inputImages.length);
    expect(withDescription(app, figureProvenance(r))).toBe(cli);
  });

  it('the Inputs view at another layer in view is laser figure --kind inputs --layer', async () => {
    const dir = await sinkRecord();
    const result = await appResult(dir);
    const r = result.record;
    expect(r.layer).not.toBe(3);
    const cli = await cliFigure('inputs', { layer: 3 }, dir);
    expect(cli).toContain('attention at layer 3');
    const app = modelInputsSvg(inputsFigure(r, result.inputImages, embeddedPictures(cli), 3, true));
    expect(withDescription(app, figureProvenance(r))).toBe(cli);
  });

  it('the Inputs view with the sinks left out of the scales is laser figure --exclude-sinks', async () => {
    // the e2e's record with an attention sink in I's a_q (the plain fixture records no input attention)
    await makeSinkRecord(join(root, 'sinks'), join(root, 'sink-data'));
    const [two] = await readdir(join(root, 'sink-data', 'records'));
    const [key] = await readdir(join(root, 'sink-data', 'records', two!));
    const sinkFixture = join(root, 'sink-data', 'records', two!, key!);
    const { record } = await loadRecord(sinkFixture);
    const result = await appResult(sinkFixture);
    const cli = await cliFigure('inputs', { excludeSinks: true }, sinkFixture);
    const plain = await cliFigure('inputs', {}, sinkFixture);
    // the fixture's picture has a sink, so leaving it out changes the colours
    const fills = (svg: string) => byClass(parseXml(svg), 'heatmap').map((g) => g.children.map((c) => c.attrs.fill).join(' '));
    expect(fills(cli)).not.toEqual(fills(plain));
    expect(cli).toContain('(attention sinks left out of it)');
    const app = modelInputsSvg(inputsFigure(result.record, result.inputImages, embeddedPictures(cli), record.layer, true, true));
    expect(withDescription(app, figureProvenance(result.record))).toBe(cli);
  });

  for (const smooth of ['bilinear', 'bicubic'] as const)
    it(`the Inputs view drawn smooth is laser figure --kind inputs --smooth ${smooth}, and a swapped smoothing is not`, async () => {
      // the e2e's record with an attention sink (the plain fixture records no input attention)
      const dir = await sinkRecord();
      const result = await appResult(dir);
      const r = result.record;
      const cli = await cliFigure('inputs', { smooth }, dir);
      const app = (s: Smoothing) =>
        withDescription(modelInputsSvg(inputsFigure(r, result.inputImages, embeddedPictures(cli), r.layer, true, false, s)), inputsFigureAbout(r, s));
      const heat = byClass(parseXml(cli), 'heatmap');
      expect(heat.length).toBeGreaterThan(0);
      expect(new Set(heat.map((g) => g.attrs['data-smooth']))).toEqual(new Set([smooth]));
      expect(cli).toContain(`maps drawn with ${smooth} upsampling of each input's grid`);
      expect(app(smooth)).toBe(cli);
      expect(app(smooth === 'bilinear' ? 'bicubic' : 'bilinear')).not.toBe(cli);
      expect(app('cells')).toBe(await cliFigure('inputs', {}, dir));
    });

  it('the "All six methods" table is the method comparison of laser figure --kind compare, the others given with --with in the table\'s order', async () => {
    const cli = await cliFigure('compare', { compareWith: [other.dir] });
    const [laser, staticLayer] = await Promise.all([appResult(fixture.dir), appResult(other.dir)]);
    const runs = finishedRuns({ laser: { status: 'ok', result: laser }, 'static-layer': { status: 'ok', result: staticLayer }, vcd: { status: 'running' } });
    expect(runs).toHaveLength(2);
    const { svg, about } = methodsTableFigure(runs, embeddedPicture(cli));
    expect(withDescription(svg, about)).toBe(cli);
  });

  const layerCases: [string, LayersViewChoice, Parameters<typeof figuresForRecord>[1]][] = [
    [
      'every layer on the head mean, one scale (the view as it opens)',
      { from: 0, to: 7, heads: 'mean', scale: 'shared', colormap: 'viridis' },
      { formats: ['svg'], outDir: '', layerHeads: 'mean' },
    ],
    [
      'a range, each layer its own scale, on magma',
      { from: 2, to: 5, heads: 'mean', scale: 'per-layer', colormap: 'magma' },
      { formats: ['svg'], outDir: '', layerHeads: 'mean', layers: [2, 3, 4, 5], colormap: 'magma', ownScale: true },
    ],
    [
      "each layer's top-k heads by VAQ, M at l* (laser figure's default strip)",
      { from: 0, to: 7, heads: 'top', scale: 'shared', colormap: 'viridis' },
      { formats: ['svg'], outDir: '' },
    ],
    [
      'top-k on a range around l*',
      { from: 4, to: 6, heads: 'top', scale: 'per-layer', colormap: 'magma' },
      { formats: ['svg'], outDir: '', layers: [4, 5, 6], colormap: 'magma', ownScale: true },
    ],
  ];
  for (const [what, choice, flags] of layerCases)
    it(`the Layers view is laser figure's layer strip: ${what}`, async () => {
      const result = await appResult(fixture.dir);
      expect(result.record.bundle.layers).toBe(8);
      const cli = await cliFigure('layers', flags);
      // the per-head maps the view fetches for top-k, as laser.headMaps answers them
      const { tensors } = await loadRecord(fixture.dir);
      const headMaps = new Map<number, HeadMaps>();
      for (const l of layersNeedingHeads(result, choice, headMaps)) headMaps.set(l, JSON.parse(JSON.stringify({ layer: l, heads: layerHeads(tensors.A!, l) })));
      expect(headMaps.size).toBe(choice.heads === 'top' ? choice.to - choice.from : 0);
      const { svg, about } = layersViewFigure(result, embeddedPicture(cli), choice, headMaps);
      expect(withDescription(svg, about)).toBe(cli);
    });

  /** The Compare view's export of `pins` with `s`, the per-head maps fetched as laser.headMaps answers them. */
  async function compareExport(dirs: string[], s: CompareSettings, hrefs: string[]): Promise<string> {
    const pins = await Promise.all(dirs.map(appResult));
    const headMaps = new Map<string, HeadMaps>();
    for (const n of neededHeadMaps(pins, s)) {
      const { tensors } = await loadRecord(dirs[pins.findIndex((p) => p.id === n.id)]);
      headMaps.set(headMapsKey(n.id, n.layer), JSON.parse(JSON.stringify({ layer: n.layer, heads: layerHeads(tensors.A!, n.layer) })));
    }
    // as CompareView: no difference where the two cannot be subtracted
    const settings = pins.length >= 2 && differenceProblem(pins[0], pins[1]) === null ? s : { ...s, difference: false };
    const { svg, about } = compareViewFigure(pins, drawPanels(comparePanels(pins, settings, headMaps), settings), settings, hrefs);
    return withDescription(svg, about);
  }

  const compareCases: [string, CompareSettings, Parameters<typeof figuresForRecord>[1]][] = [
    ['each map M at its own l*, one scale', defaultCompareSettings, { formats: ['svg'], outDir: '' }],
    [
      'A at a linked layer on the top-2 heads, each its own scale',
      { ...defaultCompareSettings, map: 'A', layer: 2, heads: { kind: 'top', k: 2 }, scale: 'per-panel' },
      { formats: ['svg'], outDir: '', ownScale: true, compare: { map: 'A', layer: 2, heads: { kind: 'top', k: 2 } } },
    ],
    [
      'A at layer 6 on head 1',
      { ...defaultCompareSettings, map: 'A', layer: 6, heads: { kind: 'head', head: 1 } },
      { formats: ['svg'], outDir: '', compare: { map: 'A', layer: 6, heads: { kind: 'head', head: 1 } } },
    ],
    ['the query attention at layer 3', { ...defaultCompareSettings, map: 'aq', layer: 3 }, { formats: ['svg'], outDir: '', compare: { map: 'aq', layer: 3 } }],
    ['the difference of the two', { ...defaultCompareSettings, difference: true }, { formats: ['svg'], outDir: '', compare: { difference: true } }],
  ];
  for (const [what, s, o] of compareCases)
    it(`the Compare view is compare-maps: ${what}`, async () => {
      const cli = await cliFigure('compare-maps', { ...o, compareWith: [other.dir] });
      const app = await compareExport([fixture.dir, other.dir], s, embeddedPictures(cli));
      expect(app).toBe(cli);
    });
});
