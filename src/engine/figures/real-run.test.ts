/**
 * Figures from records the orchestrator itself wrote: every method run on the tiny test model
 * (random weights, so the answers are nonsense, but the records are real), so a change in what
 * records hold shows up here rather than as a broken `laser figure`.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pdfTexts } from '../../common/figures/testing/pdf.ts';
import { byClass, parseXml } from '../../common/figures/testing/xml.ts';
import { cellBoxes } from '../../common/geometry/index.ts';
import { METHOD_IDS, type MethodId } from '../../common/laser/index.ts';
import { writeRecordFolder } from '../laser/record-io.ts';
import { runMethod } from '../laser/run-method.ts';
import { compileTinyLaserBundle, IMAGE_500x375, type TinyLaserBundle } from '../../../test/laser/support/tiny-laser-bundle.ts';
import { figuresForRecord } from './figures.ts';
import { field, first } from '../../../test/support/index-access.ts';

let tiny: TinyLaserBundle;
let root: string;
const dirs = {} as Record<MethodId, string>;

beforeAll(async () => {
  tiny = await compileTinyLaserBundle();
  root = await mkdtemp(join(tmpdir(), 'laser-figures-real-'));
  for (const method of METHOD_IDS) {
    const r = await runMethod({
      bundle: tiny.bundle,
      imagePath: IMAGE_500x375,
      question: 'What is the colour of the cat?',
      method,
      cacheDir: null,
      options: { maxNewTokens: 2 },
    });
    dirs[method] = join(root, method);
    await writeRecordFolder(dirs[method], r.record, r.tensors, r.files);
  }
});
afterAll(async () => {
  await Promise.all([tiny?.dispose(), root ? rm(root, { recursive: true, force: true }) : undefined]);
});

describe('figures of real records', () => {
  it.each([
    ['laser', ['overlay', 'vaq', 'layers', 'heads', 'decoding', 'compare', 'inputs', 'paper']],
    ['laser-crop', ['overlay', 'vaq', 'layers', 'heads', 'decoding', 'compare', 'inputs', 'paper']],
    ['static-layer', ['overlay', 'vaq', 'layers', 'heads', 'decoding', 'compare', 'inputs', 'paper']],
    ['vicrop-rel', ['overlay', 'decoding', 'compare', 'inputs']],
    ['vcd', ['decoding', 'compare', 'inputs']],
    ['vanilla', ['decoding', 'inputs']],
  ] as const)('%s gives %j', async (method, kinds) => {
    const r = await figuresForRecord(dirs[method], { formats: ['svg'], outDir: join(root, `${method}-figures`) });
    expect(r.written.map((w) => w.kind)).toEqual(kinds);
    for (const w of r.written) parseXml(await readFile(w.path, 'utf8'));
  });

  it('draws every image the model got, each with its own attention on its own grid, in SVG and PDF', async () => {
    const out = join(root, 'laser-inputs');
    await figuresForRecord(dirs.laser, { kinds: ['inputs'], formats: ['svg', 'pdf'], outDir: out });
    const svg = parseXml(await readFile(join(out, 'inputs.svg'), 'utf8'));
    const panels = byClass(svg, 'input');
    expect(panels.map((p) => p.attrs['data-grid'])).toEqual(['4x4', '4x4', '4x4', '4x4']);
    // a map over each fed input: 16 cells each (one path per colour)
    for (const p of panels) expect(first(byClass(p, 'heatmap')).children.reduce((n, e) => n + (field(e.attrs, 'd').match(/M/g) ?? []).length, 0)).toBe(16);
    const pdfBytes = await readFile(join(out, 'inputs.pdf'));
    expect(pdfBytes.toString('latin1').match(/\/Subtype \/Image/g)).toHaveLength(4);
    expect(pdfTexts(pdfBytes)).toContain('I+ · the crop');
  });

  it('draws the paper figure of a laser run: map, VAQ curve, the crop as the model got it, the answers, lettered a-d', async () => {
    const out = join(root, 'laser-paper');
    await figuresForRecord(dirs.laser, { kinds: ['paper'], formats: ['svg', 'pdf'], outDir: out });
    const svg = parseXml(await readFile(join(out, 'paper.svg'), 'utf8'));
    expect(byClass(svg, 'panel-letter').map((e) => e.text)).toEqual(['a', 'b', 'c', 'd']);
    expect(
      byClass(svg, 'caption')
        .map((e) => e.text)
        .join(' '),
    ).toMatch(/method laser; layer \d+ \(argmax of VAQ\); knobs /);
    const pdfBytes = await readFile(join(out, 'paper.pdf'));
    const pdf = pdfBytes.toString('latin1');
    // the photo under the map and the crop I+: two pictures, the rest vector
    expect(pdf.match(/\/Subtype \/Image/g)).toHaveLength(2);
    // the text's fonts are embedded on any machine (the repository ships them), as subsets, the text still text
    expect(pdf.match(/\/FontFile2 \d+ 0 R/g)?.length).toBeGreaterThanOrEqual(2);
    expect(pdf).not.toMatch(/\/BaseFont \/Helvetica /);
    expect(pdf).toMatch(/\/Subtype \/Type0 \/BaseFont \/[A-Z]{6}\+LiberationSans /);
    expect(pdfTexts(pdfBytes)).toContain('Question');
  });

  it('draws the laser map on every cell the model saw, and compares all methods', async () => {
    const out = join(root, 'laser-all');
    const others = METHOD_IDS.filter((m) => m !== 'laser' && m !== 'vanilla').map((m) => dirs[m]);
    await figuresForRecord(dirs.laser, { kinds: ['overlay', 'compare'], formats: ['svg', 'png'], outDir: out, compareWith: others });
    const record = JSON.parse(await readFile(join(dirs.laser, 'record.json'), 'utf8'));
    const seen = cellBoxes(record.geometry).filter((b) => b[2] > b[0] && b[3] > b[1]).length;
    const overlay = parseXml(await readFile(join(out, 'overlay.svg'), 'utf8'));
    const subpaths = first(byClass(overlay, 'heatmap')).children.reduce((n, p) => n + (field(p.attrs, 'd').match(/M/g) ?? []).length, 0);
    expect(subpaths).toBe(seen);
    const compare = parseXml(await readFile(join(out, 'compare.svg'), 'utf8'));
    expect(byClass(compare, 'method').map((e) => e.text)).toEqual(['vanilla', 'laser', 'vicrop-rel', 'static-layer', 'laser-crop', 'vcd']);
  });
});
