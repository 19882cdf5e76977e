import { copyFile, mkdtemp, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { byClass, findAll, parseXml, texts } from '../../common/figures/testing/xml.ts';
import { figuresForRecord } from './figures.ts';
import { FIGURE_KINDS } from './record-data.ts';
import { svgSize } from './rasterise.ts';
import { SCENE, writeFixtureRecord, type FixtureRecord } from './testing/record-fixture.ts';
import { at, first } from '../../../test/support/index-access.ts';

let root: string;
let laser: FixtureRecord;
let staticLayer: FixtureRecord;
let vanilla: FixtureRecord;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'laser-figures-'));
  laser = await writeFixtureRecord(join(root, 'records'), 'laser', 'laser');
  staticLayer = await writeFixtureRecord(join(root, 'records'), 'static', 'static-layer');
  vanilla = await writeFixtureRecord(join(root, 'records'), 'vanilla', 'vanilla');
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

type Rgb = [number, number, number];
type Raster = (x: number, y: number) => Rgb;

async function raster(png: Buffer): Promise<Raster> {
  const { data, info } = await sharp(png).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return (x, y) => {
    const o = (Math.round(y) * info.width + Math.round(x)) * 3;
    return [at(data, o), at(data, o + 1), at(data, o + 2)];
  };
}

/**
 * The most yellow pixel within 6 px of (x, y): the hot cells are masked, so hatching (white and
 * dark lines) runs over them, and the map's own colour shows between the lines.
 */
function hottest(pixel: Raster, x: number, y: number): Rgb {
  let best: Rgb = [0, 0, 255];
  for (let dy = -6; dy <= 6; dy++) {
    for (let dx = -6; dx <= 6; dx++) {
      const p = pixel(x + dx, y + dy);
      if (p[0] + p[1] - 2 * p[2] > best[0] + best[1] - 2 * best[2]) best = p;
    }
  }
  return best;
}

describe('figuresForRecord', () => {
  let out: string;
  let result: Awaited<ReturnType<typeof figuresForRecord>>;
  beforeAll(async () => {
    out = join(root, 'all');
    result = await figuresForRecord(laser.dir, { formats: ['svg', 'png'], outDir: out, scale: 2, compareWith: [staticLayer.dir] });
  });

  it('writes every kind as <kind>.svg and <kind>.png', async () => {
    expect(result.skipped).toEqual([]);
    expect(result.written.map((w) => `${w.kind}.${w.format}`)).toEqual(FIGURE_KINDS.flatMap((k) => [`${k}.svg`, `${k}.png`]));
    for (const w of result.written) {
      expect(w.path).toBe(join(out, `${w.kind}.${w.format}`));
      expect((await stat(w.path)).size).toBeGreaterThan(0);
    }
  });

  it('writes well-formed, self-contained SVGs and PNGs of twice their size', async () => {
    for (const kind of FIGURE_KINDS) {
      const svg = await readFile(join(out, `${kind}.svg`), 'utf8');
      const doc = parseXml(svg);
      for (const ref of findAll(doc, (e) => 'xlink:href' in e.attrs)) expect(ref.attrs['xlink:href']).toMatch(/^(data:image\/(jpeg|png);base64,|#)/);
      const { width, height } = svgSize(svg);
      const meta = await sharp(join(out, `${kind}.png`)).metadata();
      expect([meta.width, meta.height]).toEqual([2 * width, 2 * height]);
    }
  });

  it('keeps the embedded picture small', async () => {
    const svg = await readFile(join(out, 'overlay.svg'), 'utf8');
    const uri = /data:image\/jpeg;base64,[A-Za-z0-9+/=]+/.exec(svg)![0];
    expect(uri.length).toBeLessThan(60_000);
    // Enough pixels for the PNG: at least 2 x the picture's drawn width.
    const jpeg = Buffer.from(uri.slice(uri.indexOf(',') + 1), 'base64');
    const drawn = Number(first(findAll(parseXml(svg), (e) => e.name === 'image')).attrs.width);
    expect((await sharp(jpeg).metadata()).width).toBeGreaterThanOrEqual(Math.min(SCENE.width, 2 * drawn));
  });

  it("puts the heatmap's hot spot on the ball and the crop box where the record says", async () => {
    const svg = await readFile(join(out, 'overlay.svg'), 'utf8');
    const img = first(findAll(parseXml(svg), (e) => e.name === 'image'));
    const fx = Number(img.attrs.x);
    const fy = Number(img.attrs.y);
    const s = Number(img.attrs.width) / SCENE.width;
    const pixel = await raster(await readFile(join(out, 'overlay.png')));
    const at = (x: number, y: number) => pixel(2 * (fx + x * s), 2 * (fy + y * s));
    // On the ball: the map's brightest cells (viridis yellow-green) over red; red and green high, blue low.
    const [r, g, b] = hottest(pixel, 2 * (fx + SCENE.ball.cx * s), 2 * (fy + SCENE.ball.cy * s));
    expect(r).toBeGreaterThan(150);
    expect(g).toBeGreaterThan(120);
    expect(b).toBeLessThan(90);
    // Far from it, top left: the map's darkest purple over sky; blue dominates.
    const [r0, , b0] = at(5, 5);
    expect(b0).toBeGreaterThan(r0 + 20);
    // The crop box's left edge, half way down: vermillion (#D55E00).
    const box = laser.record.box!;
    const inset = 0.9 + 0.4;
    const [br, bg, bb] = pixel(2 * (fx + box[0] * s + inset), 2 * (fy + ((box[1] + box[3]) / 2) * s));
    expect(br).toBeGreaterThan(190);
    expect(bg).toBeGreaterThan(60);
    expect(bg).toBeLessThan(130);
    expect(bb).toBeLessThan(60);
  });

  it('frames the chosen layer in the strip and marks it on the VAQ curve', async () => {
    const strip = parseXml(await readFile(join(out, 'layers.svg'), 'utf8'));
    expect(byClass(strip, 'panel')).toHaveLength(laser.record.vaq!.length);
    expect(first(byClass(strip, 'chosen')).attrs['data-layer']).toBe(String(laser.record.layer));
    const curve = parseXml(await readFile(join(out, 'vaq.svg'), 'utf8'));
    expect(first(byClass(curve, 'chosen-marker')).attrs['data-layer']).toBe(String(laser.record.layer));
  });

  it('compares the baseline, this method and the other records', async () => {
    const doc = parseXml(await readFile(join(out, 'compare.svg'), 'utf8'));
    expect(byClass(doc, 'method').map((e) => e.text)).toEqual(['vanilla', 'laser', 'static-layer']);
  });
});

describe('figuresForRecord choices', () => {
  it('writes only the kinds and formats asked for, without titles when asked', async () => {
    const out = join(root, 'some');
    const r = await figuresForRecord(laser.dir, { kinds: ['vaq'], formats: ['svg'], outDir: out, titles: false });
    expect(r.written.map((w) => w.path)).toEqual([join(out, 'vaq.svg')]);
    const doc = parseXml(await readFile(join(out, 'vaq.svg'), 'utf8'));
    expect(findAll(doc, (e) => e.name === 'text' && e.attrs['font-size'] === '12')).toHaveLength(0);
  });

  it('skips what a vanilla record cannot give, saying why', async () => {
    const r = await figuresForRecord(vanilla.dir, { formats: ['svg'], outDir: join(root, 'vanilla') });
    expect(r.written.map((w) => w.kind)).toEqual(['decoding', 'inputs']);
    expect(r.skipped.map((s) => s.kind)).toEqual(['overlay', 'vaq', 'layers', 'heads', 'compare', 'paper', 'compare-maps']);
    expect(at(r.skipped, 5).reason).toBe('the paper figure shows the map at l*, and a vanilla record has none');
    expect(at(r.skipped, 1).reason).toBe('a vanilla record has no VAQ per layer');
  });

  it('refuses a kind the record cannot give when it is asked for by name', async () => {
    await expect(figuresForRecord(vanilla.dir, { kinds: ['vaq'], formats: ['svg'], outDir: join(root, 'x') })).rejects.toMatchObject({
      code: 'bad-request',
      message: expect.stringContaining('a vanilla record has no VAQ per layer'),
      hint: 'This record gives: decoding, inputs.',
    });
  });

  it('refuses a missing folder and a folder without a valid record', async () => {
    await expect(figuresForRecord(join(root, 'nothing'), { formats: ['svg'], outDir: join(root, 'x') })).rejects.toMatchObject({ code: 'not-found' });
    const broken = join(root, 'broken');
    await writeFixtureRecord(root, 'broken', 'laser');
    await writeFile(join(broken, 'record.json'), '{"format": "laser-record", "version": 1, "method": "laser"}');
    await expect(figuresForRecord(broken, { formats: ['svg'], outDir: join(root, 'x') })).rejects.toMatchObject({
      code: 'bad-request',
      message: expect.stringContaining('record.json'),
    });
  });

  it('refuses unknown formats and kinds, and a scale out of range', async () => {
    const base = { outDir: join(root, 'x') };
    await expect(figuresForRecord(laser.dir, { ...base, formats: ['eps' as 'svg'] })).rejects.toMatchObject({ code: 'bad-request' });
    await expect(figuresForRecord(laser.dir, { ...base, formats: [] })).rejects.toMatchObject({ code: 'bad-request' });
    await expect(figuresForRecord(laser.dir, { ...base, formats: ['svg'], kinds: ['pie' as 'vaq'] })).rejects.toMatchObject({ code: 'bad-request' });
    await expect(figuresForRecord(laser.dir, { ...base, formats: ['png'], scale: 0 })).rejects.toMatchObject({ code: 'bad-request' });
  });

  it('says where the image went when it has moved, and takes it from --image, checking its hash', async () => {
    const rec = await writeFixtureRecord(join(root, 'moved'), 'rec', 'laser');
    const elsewhere = join(root, 'moved-scene.png');
    await rename(rec.imagePath, elsewhere);
    const o = { kinds: ['overlay' as const], formats: ['svg' as const], outDir: join(root, 'moved-out') };
    await expect(figuresForRecord(rec.dir, o)).rejects.toMatchObject({ code: 'not-found', hint: expect.stringContaining('--image') });
    expect((await figuresForRecord(rec.dir, { ...o, image: elsewhere })).written).toHaveLength(1);
    const other = join(root, 'other.png');
    await sharp({ create: { width: SCENE.width, height: SCENE.height, channels: 3, background: '#000' } })
      .png()
      .toFile(other);
    await expect(figuresForRecord(rec.dir, { ...o, image: other })).rejects.toMatchObject({
      code: 'bad-request',
      message: expect.stringContaining('not the image this record was made from'),
    });
    await copyFile(elsewhere, rec.imagePath);
  });

  it('refuses to compare records of another image or question', async () => {
    const other = await writeFixtureRecord(join(root, 'otherq'), 'rec', 'static-layer');
    const json = JSON.parse(await readFile(join(other.dir, 'record.json'), 'utf8'));
    json.question = 'Is there a dog?';
    await writeFile(join(other.dir, 'record.json'), JSON.stringify(json));
    await expect(
      figuresForRecord(laser.dir, { kinds: ['compare'], formats: ['svg'], outDir: join(root, 'x'), compareWith: [other.dir] }),
    ).rejects.toMatchObject({ code: 'bad-request' });
  });

  it('puts runs of other questions side by side in compare-maps, on one scale with one colour bar, or as their difference', async () => {
    const other = await writeFixtureRecord(join(root, 'otherq2'), 'rec', 'static-layer');
    const json = JSON.parse(await readFile(join(other.dir, 'record.json'), 'utf8'));
    json.question = 'Is there a dog?';
    await writeFile(join(other.dir, 'record.json'), JSON.stringify(json));
    const base = { kinds: ['compare-maps' as const], formats: ['svg' as const], compareWith: [other.dir] };
    await figuresForRecord(laser.dir, { ...base, outDir: join(root, 'cm') });
    const doc = parseXml(await readFile(join(root, 'cm', 'compare-maps.svg'), 'utf8'));
    expect(byClass(doc, 'input')).toHaveLength(2);
    expect(byClass(doc, 'colorbar')).toHaveLength(1);
    expect(texts(doc).join(' ')).toContain('Is there a dog?');
    // each its own scale: no shared bar, each panel says its range
    await figuresForRecord(laser.dir, { ...base, outDir: join(root, 'cm-own'), ownScale: true, compare: { map: 'A', layer: 1 } });
    const own = await readFile(join(root, 'cm-own', 'compare-maps.svg'), 'utf8');
    expect(byClass(parseXml(own), 'colorbar')).toHaveLength(0);
    expect(own.match(/scale \d/g)).toHaveLength(2);
    // a difference needs the same image and grid: this one has it, so one panel on the diverging map
    await figuresForRecord(laser.dir, { ...base, compareWith: [staticLayer.dir], outDir: join(root, 'cm-diff'), compare: { difference: true } });
    const diff = await readFile(join(root, 'cm-diff', 'compare-maps.svg'), 'utf8');
    expect(byClass(parseXml(diff), 'input')).toHaveLength(1);
    expect(diff).toContain('difference: laser − static-layer');
    await expect(
      figuresForRecord(laser.dir, { ...base, outDir: join(root, 'x'), compareWith: [other.dir, other.dir, other.dir, other.dir] }),
    ).rejects.toMatchObject({
      code: 'bad-request',
      message: expect.stringContaining('up to 4'),
    });
  });

  it("draws the layer strip on the head mean, as the app's Layers view, when asked", async () => {
    await figuresForRecord(laser.dir, { kinds: ['layers'], formats: ['svg'], outDir: join(root, 'lm'), layerHeads: 'mean', layers: [0, 1] });
    await figuresForRecord(laser.dir, { kinds: ['layers'], formats: ['svg'], outDir: join(root, 'lt'), layers: [0, 1] });
    const mean = await readFile(join(root, 'lm', 'layers.svg'), 'utf8');
    const top = await readFile(join(root, 'lt', 'layers.svg'), 'utf8');
    expect(mean).toContain('mean over heads, chosen layer framed');
    expect(top).not.toContain('mean over heads');
    expect(byClass(parseXml(mean), 'panel')).toHaveLength(2);
  });
});
