/**
 * Export parity: the overlay (and the paper figure, VAQ per head and decoding table) the app exports
 * and the ones `laser figure` writes are the same file.
 * The app gets the record as the contract carries it (LaserResult, through JSON), opens it with
 * its default view (overlayModel + defaultViewSettings) and saves it as ExportButtons does
 * (figureView, overlayFigureFile, then figureBlob's SVG: withDescription); the CLI draws the
 * record folder with figuresForRecord. Given the same picture (the browser and sharp encode the
 * embedded JPEG differently, so the app's is taken from the CLI's file), the SVGs are the same
 * bytes, padding included: the fixture is pad-to-square (320 x 240 padded to 320 x 320), so the top
 * and bottom rows of cells lie partly on the padding, and both draw them whole over a padding band.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LaserResult } from '../../src/common/contract/methods.ts';
import { decodingTableSvg, vaqHeadsHeatmapSvg, withDescription } from '../../src/common/figures/index.ts';
import { byClass, findAll, parseXml } from '../../src/common/figures/testing/xml.ts';
import { overlayFigureFile, paperFigureFile } from '../../src/common/laser/overlay-figure.ts';
import { figureProvenance } from '../../src/common/laser/provenance.ts';
import { decodingFigure, headsFigure } from '../../src/common/laser/record-figures.ts';
import { recordSchema } from '../../src/common/laser/record.ts';
import { figuresForRecord } from '../../src/engine/figures/figures.ts';
import { SCENE, writeFixtureRecord, type FixtureRecord } from '../../src/engine/figures/testing/record-fixture.ts';
import { loadRecord } from '../../src/engine/laser/record-io.ts';
import { laserResult } from '../../src/engine/service/laser-views.ts';
import { defaultViewSettings, figureView, overlayModel } from '../../src/renderer/src/analysis/overlay.ts';

let root: string;
let fixture: FixtureRecord;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'laser-export-parity-'));
  fixture = await writeFixtureRecord(join(root, 'records'), 'laser', 'laser');
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

/** The run as the app has it (the contract's JSON, parsed by its schema) and what its overlay shows with the view settings it opens with. */
async function appView(dir: string, truth: [number, number, number, number] | null = null) {
  const rec = await loadRecord(dir);
  const result = LaserResult.parse(JSON.parse(JSON.stringify(laserResult(rec.record, rec.tensors, false))));
  const view = defaultViewSettings;
  const shown = figureView(overlayModel(result, view, truth), view);
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
  return findAll(parseXml(svg), (e) => e.name === 'image')[0].attrs['xlink:href'];
}

describe('the overlay from the app and from laser figure', () => {
  it('is the same SVG, byte for byte, for the same record, view and picture', async () => {
    const out = join(root, 'cli');
    await figuresForRecord(fixture.dir, { formats: ['svg'], kinds: ['overlay'], outDir: out });
    const cli = await readFile(join(out, 'overlay.svg'), 'utf8');
    expect(await appExport(fixture.dir, embeddedPicture(cli))).toBe(cli);
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
    const pictures = findAll(parseXml(paper), (e) => e.name === 'image').map((e) => e.attrs['xlink:href']);
    const crop = result.inputImages.find((i) => i.role === 'crop');
    const cropHref = crop ? pictures.find((h) => h.startsWith('data:image/png')) : undefined;
    const r = result.record;
    const file = paperFigureFile(
      r,
      { href: pictures.find((h) => h.startsWith('data:image/jpeg'))!, width: r.image.width, height: r.image.height },
      shown,
      crop && cropHref ? { href: cropHref, width: crop.width, height: crop.height } : null,
    );
    expect(withDescription(file.svg, file.about)).toBe(paper);
    const provenance = figureProvenance(r);
    expect(withDescription(vaqHeadsHeatmapSvg(headsFigure(r, true)), provenance)).toBe(await cli('heads'));
    const d = decodingFigure(recordSchema.parse(r), true);
    expect(withDescription(decodingTableSvg(d.steps, d.options), provenance)).toBe(await cli('decoding'));
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
