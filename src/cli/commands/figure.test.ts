import { copyFile, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command, CommanderError } from 'commander';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { svgSize } from '../../engine/figures/rasterise.ts';
import { writeFixtureRecord, type FixtureRecord } from '../../engine/figures/testing/record-fixture.ts';
import { loadWorldDataset } from '../../engine/world/dataset.ts';
import { generateWorld } from '../../engine/world/generate.ts';
import { pdfTexts, pdfUncompressed } from '../../common/figures/testing/pdf.ts';
import { parseXml } from '../../common/figures/xml.ts';
import { parseHeads, parseLayerList, registerFigure } from './figure.ts';
import { byClass, texts } from '../../common/figures/xml.ts';

let root: string;
let laser: FixtureRecord;
let vanilla: FixtureRecord;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'laser-cli-figure-'));
  laser = await writeFixtureRecord(join(root, 'records'), 'laser', 'laser');
  vanilla = await writeFixtureRecord(join(root, 'records'), 'vanilla', 'vanilla');
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

function harness() {
  const out: string[] = [];
  const err: string[] = [];
  const program = new Command('laser').exitOverride().configureOutput({ writeErr: (s) => err.push(s), writeOut: (s) => out.push(s) });
  registerFigure(program, { stdout: (l) => out.push(l), stderr: (l) => err.push(l) });
  return { run: (...args: string[]) => program.parseAsync(['node', 'laser', 'figure', ...args]), out, err };
}

describe('laser figure', () => {
  it('prints the files it wrote, into <record-dir>/figures by default', async () => {
    const h = harness();
    await h.run(laser.dir, '--kind', 'overlay,vaq', '--format', 'svg');
    expect(h.out).toEqual([join(laser.dir, 'figures', 'overlay.svg'), join(laser.dir, 'figures', 'vaq.svg')]);
    for (const f of h.out) expect((await stat(f)).isFile()).toBe(true);
  });

  it('writes PNGs at the asked scale into --out', async () => {
    const h = harness();
    const out = join(root, 'png');
    await h.run(laser.dir, '--out', out, '--kind', 'heads', '--format', 'svg,png', '--scale', '3', '--no-titles');
    expect(h.out).toEqual([join(out, 'heads.svg'), join(out, 'heads.png')]);
    const { width, height } = svgSize(await readFile(h.out[0], 'utf8'));
    const png = await sharp(h.out[1]).metadata();
    expect([png.width, png.height]).toEqual([3 * width, 3 * height]);
  });

  it('writes every kind in every format: PNG, SVG that parses with the provenance in it, vector PDF with the text', async () => {
    const h = harness();
    const out = join(root, 'all-formats');
    await h.run(laser.dir, '--out', out, '--format', 'png,svg,pdf');
    const kinds = ['overlay', 'vaq', 'layers', 'heads', 'decoding', 'compare', 'inputs', 'paper'];
    expect(h.out).toEqual(kinds.flatMap((k) => ['png', 'svg', 'pdf'].map((f) => join(out, `${k}.${f}`))));
    for (const k of kinds) {
      const png = await readFile(join(out, `${k}.png`));
      expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
      const svg = await readFile(join(out, `${k}.svg`), 'utf8');
      const doc = parseXml(svg);
      const desc = doc.children.find((c) => c.name === 'desc')?.text ?? '';
      expect(desc).toContain('method laser; layer 5 (argmax of VAQ); knobs kHead=2');
      const pdfBytes = await readFile(join(out, `${k}.pdf`));
      const pdf = pdfBytes.toString('latin1');
      expect(pdf.startsWith('%PDF-1.4')).toBe(true);
      expect(pdf.trimEnd().endsWith('%%EOF')).toBe(true);
      expect(pdf.slice(Number(/startxref\n(\d+)/.exec(pdf)![1])).startsWith('xref')).toBe(true);
      expect(pdf).toContain('/Subject (model fixture');
      // vector: text as text, and the only rasters are the photo (none in the charts)
      const title = doc.children.find((c) => c.name === 'title')!.text;
      if (k !== 'decoding') expect(pdfTexts(pdfBytes).find((t) => t.startsWith(title.slice(0, 20)))).toBeDefined();
      // its fonts are in it, on any machine (the repository ships them): a subset of Liberation Sans as a CIDFont with a TrueType font file, never a named standard font
      expect(pdf).toMatch(/\/Subtype \/Type0 \/BaseFont \/[A-Z]{6}\+LiberationSans /);
      expect(pdf).toMatch(/\/FontFile2 \d+ 0 R/);
      expect(pdf).not.toMatch(/\/Subtype \/Type1 \/BaseFont/);
      const images = pdf.match(/\/Subtype \/Image/g)?.length ?? 0;
      expect(images).toBe(['overlay', 'layers', 'compare', 'inputs', 'paper'].includes(k) ? 1 : 0);
      const { width } = svgSize(svg);
      for (const m of pdf.matchAll(/\/Subtype \/Image \/Width (\d+)/g)) expect(Number(m[1])).toBeLessThanOrEqual(2 * width);
    }
    // the map is drawn cell by cell (a rectangle per cell of the 12 x 12 grid, one re each), not as a picture
    expect(pdfUncompressed(await readFile(join(out, 'overlay.pdf'))).match(/ re\n/g)?.length ?? 0).toBeGreaterThan(100);
  });

  it("draws the app's Layers and Compare views with their options: --layer-heads, --layers, --colormap, --own-scale, --compare-*", async () => {
    const h = harness();
    const out = join(root, 'views');
    await h.run(
      laser.dir,
      '--out',
      out,
      '--format',
      'svg,pdf',
      '--kind',
      'compare-maps,layers',
      '--with',
      vanilla.dir,
      '--compare-map',
      'aq',
      '--compare-layer',
      '2',
      '--own-scale',
      '--layer-heads',
      'mean',
      '--layers',
      '1-2',
      '--colormap',
      'magma',
    );
    expect(h.out).toEqual(['compare-maps', 'layers'].flatMap((k) => ['svg', 'pdf'].map((f) => join(out, `${k}.${f}`))));
    const compare = parseXml(await readFile(join(out, 'compare-maps.svg'), 'utf8'));
    expect(byClass(compare, 'input')).toHaveLength(2);
    expect(byClass(compare, 'colorbar')).toHaveLength(0);
    expect(texts(compare)).toEqual(expect.arrayContaining(['query attention a_q at layer 2']));
    expect((await readFile(join(out, 'compare-maps.pdf'))).toString('latin1')).toMatch(/\/Subject \(run 1: model .* \| run 2: model .*method vanilla/);
    const layers = parseXml(await readFile(join(out, 'layers.svg'), 'utf8'));
    expect(byClass(layers, 'panel').map((p) => p.attrs['data-layer'])).toEqual(['1', '2']);
    expect(texts(layers).join(' ')).toContain('mean over heads, chosen layer framed');
    for (const bad of [
      ['--compare-heads', 'some'],
      ['--colormap', 'jet'],
      ['--layer-heads', 'max'],
      ['--compare-map', 'B'],
    ]) {
      await expect(harness().run(laser.dir, '--out', out, '--kind', 'compare-maps', '--with', vanilla.dir, ...bad)).rejects.toBeInstanceOf(CommanderError);
    }
    // compare-maps is not drawn without runs to compare with
    await expect(harness().run(laser.dir, '--out', out, '--kind', 'compare-maps')).rejects.toMatchObject({ message: expect.stringContaining('--with') });
  });

  it("draws the overlay and the paper figure with the overlay view's choices (--map, --layer, --heads, --opacity), and takes --layer for the inputs", async () => {
    const h = harness();
    const out = join(root, 'overlay-view');
    await h.run(
      laser.dir,
      '--out',
      out,
      '--format',
      'svg',
      '--kind',
      'overlay,paper,inputs',
      '--map',
      'A',
      '--layer',
      '1',
      '--heads',
      'top-2',
      '--opacity',
      '0.8',
    );
    expect(h.out).toEqual(['overlay', 'paper', 'inputs'].map((k) => join(out, `${k}.svg`)));
    for (const k of ['overlay', 'paper']) {
      const svg = await readFile(join(out, `${k}.svg`), 'utf8');
      expect(svg).toMatch(/view: map A at layer 1; heads top-2 heads by VAQ \(\d, \d\); .* at opacity 0\.8/);
      expect(svg).toContain('class="heatmap" opacity="0.8"');
    }
    expect(await readFile(join(out, 'overlay.svg'), 'utf8')).toContain('A · L1 · top-2 heads by VAQ');
  });

  it('draws the overlay, the paper figure and the inputs smooth with --smooth, as the views draw them, and only those', async () => {
    const h = harness();
    const out = join(root, 'smooth');
    await h.run(laser.dir, '--out', out, '--format', 'svg', '--kind', 'overlay,paper,inputs,layers', '--smooth', 'bicubic');
    const svg = async (k: string) => readFile(join(out, `${k}.svg`), 'utf8');
    for (const k of ['overlay', 'paper']) {
      expect(await svg(k)).toContain('class="heatmap" data-smooth="bicubic" opacity="0.6"');
      expect(await svg(k)).toMatch(/view: map M; .* drawn with bicubic upsampling of the grid's cells at opacity 0\.6/);
    }
    expect(await svg('inputs')).toContain("maps drawn with bicubic upsampling of each input's grid");
    // the Layers view has no smoothing: its strip stays cells
    expect(await svg('layers')).not.toContain('data-smooth');
    // the default is cells, as before
    const plain = join(root, 'smooth-default');
    await harness().run(laser.dir, '--out', plain, '--format', 'svg', '--kind', 'overlay');
    const cells = await readFile(join(plain, 'overlay.svg'), 'utf8');
    expect(cells).not.toContain('data-smooth');
    expect(cells).toContain('drawn as cells at opacity 0.6');
    await harness().run(laser.dir, '--out', plain, '--format', 'svg', '--kind', 'overlay', '--smooth', 'cells');
    expect(await readFile(join(plain, 'overlay.svg'), 'utf8')).toBe(cells);
  });

  it('refuses a bad view choice, naming what is valid', async () => {
    const out = join(root, 'overlay-bad');
    const refused = async (args: string[], message: RegExp) => {
      const h = harness();
      await expect(h.run(laser.dir, '--out', out, '--format', 'svg', '--kind', 'overlay', ...args)).rejects.toThrow();
      expect([...h.err].join(' ')).toMatch(message);
    };
    await refused(['--map', 'B'], /--map is one of M, A, aq, a0, d, not "B"/);
    await refused(['--opacity', '1.5'], /--opacity is a number in 0\.\.1/);
    await refused(['--opacity', 'half'], /--opacity is a number in 0\.\.1/);
    await refused(['--heads', 'some'], /--heads is mean, top-<k>/);
    await refused(['--layer', 'l3'], /--layer is a layer number/);
    await refused(['--smooth', 'nearest'], /--smooth is one of cells, bilinear, bicubic, not "nearest"/);
    // what only the record can say
    const fails = async (args: string[], message: RegExp) =>
      expect(harness().run(laser.dir, '--out', out, '--format', 'svg', '--kind', 'overlay', ...args)).rejects.toMatchObject({
        message: expect.stringMatching(message),
      });
    await fails(['--layer', '8'], /Layer 8 is not one of the model's layers/);
    await fails(['--map', 'A', '--heads', '9'], /head 9 is not one of the layer's heads 0\.\.3/);
    await fails(['--map', 'd'], /has no map d to draw/);
    await fails(['--heads', 'top-2'], /heads of A, and the overlay shows M/);
  });

  it('reads the heads of A as the Compare view names them', () => {
    expect(parseHeads('mean')).toEqual({ kind: 'mean' });
    expect(parseHeads('top-8')).toEqual({ kind: 'top', k: 8 });
    expect(parseHeads('3')).toEqual({ kind: 'head', head: 3 });
    for (const bad of ['top-0', 'top', '-1', 'all']) expect(() => parseHeads(bad)).toThrow(/mean, top-<k>/);
  });

  it('exports every record of a folder, each into its own folder, with a progress line per record', async () => {
    const h = harness();
    const out = join(root, 'batch');
    await h.run(join(root, 'records'), '--out', out, '--format', 'svg', '--kind', 'vaq,decoding');
    expect(h.out).toEqual([join(out, 'laser', 'vaq.svg'), join(out, 'laser', 'decoding.svg'), join(out, 'vanilla', 'decoding.svg')]);
    expect(h.err).toHaveLength(2);
    expect(h.err[0]).toMatch(/^records 1\/2 \(50\.0%\), elapsed .* \| laser: 2 files$/);
    expect(h.err[1]).toMatch(/^records 2\/2 \(100\.0%\), elapsed .* \| vanilla: 1 file$/);
    const only = harness();
    await only.run(join(root, 'records'), '--out', join(root, 'batch-vaq'), '--format', 'svg', '--kind', 'vaq');
    expect(only.err[1]).toMatch(/^vanilla: none of vaq .* can be drawn from it, skipped$/);
    expect(only.err[2]).toMatch(/^records 2\/2 .* \| vanilla: skipped$/);
  });

  it('gives a batch the --quiet and --json of the other long commands', async () => {
    const quiet = harness();
    await quiet.run(join(root, 'records'), '--out', join(root, 'batch-q'), '--format', 'svg', '--kind', 'vaq', '--quiet');
    // the skipped record is still said; the progress is not
    expect(quiet.err).toEqual([expect.stringMatching(/^vanilla: none of vaq .* skipped$/)]);
    const json = harness();
    await json.run(join(root, 'records'), '--out', join(root, 'batch-j'), '--format', 'svg', '--kind', 'vaq,decoding', '--json');
    const events = json.err.map((l) => JSON.parse(l) as { event: string; task: string; done: number; total: number; detail: string });
    expect(events.map((e) => [e.event, e.task, e.done, e.total, e.detail])).toEqual([
      ['progress', 'records', 1, 2, 'laser: 2 files'],
      ['progress', 'records', 2, 2, 'vanilla: 1 file'],
    ]);
    await expect(harness().run(join(root, 'records'), '--quiet', '--json')).rejects.toThrow();
  });

  it('lists the kinds a record cannot give on stderr', async () => {
    const h = harness();
    await h.run(vanilla.dir, '--out', join(root, 'v'), '--format', 'svg');
    expect(h.out).toEqual([join(root, 'v', 'decoding.svg'), join(root, 'v', 'inputs.svg')]);
    expect(h.err).toContain('skipped vaq: a vanilla record has no VAQ per layer');
  });

  it('rejects unknown kinds, formats and scales before doing anything', async () => {
    for (const args of [
      ['--kind', 'pie'],
      ['--format', 'eps'],
      ['--scale', '0'],
      ['--scale', 'big'],
      ['--layers', '5-2'],
    ]) {
      const h = harness();
      await expect(h.run(laser.dir, ...args)).rejects.toBeInstanceOf(CommanderError);
    }
  });

  it("draws the true box on the overlay when the record's image and question are a generated world's", async () => {
    // a world whose first image is the fixture's picture, and the fixture record pointed at it and at one of its questions
    const world = join(root, 'world');
    await generateWorld({ seed: 5, count: 1, out: world });
    const q = (await loadWorldDataset(world)).samples.find((s) => s.targets.length > 0)!;
    await copyFile(laser.imagePath, q.imagePath);
    const rec = await writeFixtureRecord(join(root, 'world-record'), 'laser', 'laser');
    const json = JSON.parse(await readFile(join(rec.dir, 'record.json'), 'utf8')) as { question: string; image: { path: string } };
    json.question = q.text;
    json.image.path = q.imagePath;
    await writeFile(join(rec.dir, 'record.json'), JSON.stringify(json));
    const h = harness();
    await h.run(rec.dir, '--kind', 'overlay', '--format', 'svg');
    const svg = await readFile(h.out[0], 'utf8');
    expect(svg).toContain('class="truth-box"');
    expect(svg).toContain('true box');
    // the same record asked something else: no truth to draw
    json.question = 'What is not a question of this world?';
    await writeFile(join(rec.dir, 'record.json'), JSON.stringify(json));
    const again = harness();
    await again.run(rec.dir, '--kind', 'overlay', '--format', 'svg', '--out', join(root, 'no-truth'));
    expect(await readFile(again.out[0], 'utf8')).not.toContain('truth-box');
  });

  it('prints Greek and maths in the PDF as they are, and warns of a character the fonts lack, naming the file', async () => {
    const rec = await writeFixtureRecord(join(root, 'greek-record'), 'laser', 'laser');
    const json = JSON.parse(await readFile(join(rec.dir, 'record.json'), 'utf8')) as { question: string };
    json.question = 'Is α ≥ β → λ, or is it 中?';
    await writeFile(join(rec.dir, 'record.json'), JSON.stringify(json));
    const h = harness();
    const out = join(root, 'greek');
    await h.run(rec.dir, '--kind', 'paper', '--format', 'pdf', '--out', out);
    expect(h.out).toEqual([join(out, 'paper.pdf')]);
    expect(pdfTexts(await readFile(join(out, 'paper.pdf')))).toContain('Is α ≥ β → λ, or is it 中?');
    // only 中 is missing (Liberation has no CJK), and only in the faces the question is set in
    expect(h.err.length).toBeGreaterThan(0);
    for (const line of h.err)
      expect(line).toMatch(new RegExp(`^warning ${join(out, 'paper.pdf')}: LiberationSans(-Bold)? has no glyph for 中 U\\+4E2D: drawn as its \\.notdef glyph`));
  });

  it('reports a folder that is not a record', async () => {
    const h = harness();
    await expect(h.run(join(root, 'none'))).rejects.toMatchObject({ code: 'not-found' });
  });

  it('reads layer lists with ranges', () => {
    expect(parseLayerList('0-3,8, 10,2')).toEqual([0, 1, 2, 3, 8, 10]);
    expect(() => parseLayerList('a')).toThrow();
    expect(() => parseLayerList(',')).toThrow();
  });
});
