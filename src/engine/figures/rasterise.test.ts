import { existsSync, readFileSync } from 'node:fs';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import {
  FONT_SANS,
  attentionOverlaySvg,
  colorDomain,
  el,
  smoothSubdivision,
  svgDocument,
  text,
  textWidth,
  toHex,
  upsampleGrid,
  valueColor,
  vaqCurveSvg,
  viridis,
} from '../../common/figures/index.ts';
import { byClass, findAll, parseXml } from '../../common/figures/testing/xml.ts';
import { at, first } from '../../../test/support/index-access.ts';
import { FONT_DIR } from './pdf-fonts.ts';
import { fontconfigWithFonts, svgSize, svgToPng, unpackedPath } from './rasterise.ts';

const userFontconfig = process.env.FONTCONFIG_FILE;

const figure = vaqCurveSvg({ vaq: [0.1, 0.3, 0.2, 0.05], chosen: 1, title: 'VAQ per layer' });

/** Width in px of the ink of `s` rendered alone at `size` px (scale 4 for sub-pixel precision). */
async function inkWidth(s: string, size: number, weight: 'normal' | 'bold'): Promise<number> {
  const svg = svgDocument(
    { width: 600, height: 60, title: 't', fontFamily: FONT_SANS },
    el('text', { x: 20, y: 40, 'font-size': size, 'font-weight': weight === 'bold' ? 'bold' : undefined }, text(s)),
  );
  const { info } = await sharp(await svgToPng(svg, 4))
    .trim({ background: '#ffffff', threshold: 10 })
    .toBuffer({ resolveWithObject: true });
  return info.width / 4;
}

describe('svgToPng', () => {
  it.each([1, 2, 1.5, 3])('renders at %s x the SVG size', async (scale) => {
    const { width, height } = svgSize(figure);
    const meta = await sharp(await svgToPng(figure, scale)).metadata();
    expect(meta.format).toBe('png');
    expect(meta.width).toBe(Math.round(width * scale));
    expect(meta.height).toBe(Math.round(height * scale));
  });

  it('tags the PNG with 96 x scale dpi, so it prints at the SVG size', async () => {
    expect((await sharp(await svgToPng(figure, 2)).metadata()).density).toBe(192);
  });

  it('renders text in a face with Helvetica metrics, as the layout assumes', async () => {
    // Ink is narrower than the advance by the first glyph's left and the last glyph's right side
    // bearing (about 0.05 em each for these letters), so allow 0.15 em plus 2 %. A fallback face
    // (DejaVu Sans, 8-12 % wider) fails this.
    for (const [s, weight] of [
      ['Contrastive attention per layer 0123456789', 'normal'],
      ['VAQ per head: chosen layer', 'bold'],
    ] as const) {
      const size = 20;
      const est = textWidth(s, size, weight);
      const ink = await inkWidth(s, size, weight);
      expect(Math.abs(ink - est)).toBeLessThan(0.15 * size + 0.02 * est);
    }
  });

  it("adds the shipped Liberation faces to the system's fonts, unless the user chose a fontconfig file", async () => {
    await svgToPng(figure, 1);
    if (userFontconfig || !existsSync('/etc/fonts/fonts.conf')) {
      expect(process.env.FONTCONFIG_FILE).toBe(userFontconfig);
      return;
    }
    const conf = readFileSync(process.env.FONTCONFIG_FILE ?? '', 'utf8');
    expect(conf).toContain(`<dir>${FONT_DIR}</dir>`);
    expect(conf).toContain('<include ignore_missing="yes">/etc/fonts/fonts.conf</include>');
  });

  it('writes a fontconfig file that includes the system config, the font folder and a cache folder', () => {
    const conf = fontconfigWithFonts('/etc/fonts/fonts.conf', '/opt/a&b/fonts', '/tmp/c');
    expect(conf).toContain('<dir>/opt/a&amp;b/fonts</dir>');
    expect(conf).toContain('<cachedir>/tmp/c</cachedir>');
    expect(conf.startsWith('<?xml')).toBe(true);
  });

  it('finds the fonts of a packaged app in app.asar.unpacked, where native code can read them', () => {
    expect(unpackedPath('/opt/LASER Workbench/resources/app.asar/resources/fonts')).toBe('/opt/LASER Workbench/resources/app.asar.unpacked/resources/fonts');
    expect(unpackedPath('C:\\Apps\\LASER\\resources\\app.asar\\resources\\fonts')).toBe('C:\\Apps\\LASER\\resources\\app.asar.unpacked\\resources\\fonts');
    expect(unpackedPath('/work/laser/resources/fonts')).toBe('/work/laser/resources/fonts');
    expect(unpackedPath('/x/app.asarx/fonts')).toBe('/x/app.asarx/fonts');
  });

  it("draws a smooth overlay as the SVG says: each sub-cell's colour at its centre, no seams between sub-cells", async () => {
    // a 4 x 4 grid over a white 40 x 40 picture, at opacity 1 so the pixels are the map's own colours
    const cells: [number, number, number, number][] = [];
    for (let r = 0; r < 4; r++) for (let c = 0; c < 4; c++) cells.push([c * 10, r * 10, c * 10 + 10, r * 10 + 10]);
    const values = [0, 1, 2, 3, 1, 6, 2, 1, 0, 2, 8, 1, 3, 1, 0, 0];
    const white = await sharp({ create: { width: 4, height: 4, channels: 3, background: '#ffffff' } })
      .png()
      .toBuffer();
    const svg = attentionOverlaySvg({
      image: { href: `data:image/png;base64,${white.toString('base64')}`, width: 40, height: 40 },
      cells,
      grid: [4, 4],
      values,
      smooth: 'bilinear',
      opacity: 1,
    });
    const img = first(findAll(parseXml(svg), (e) => e.name === 'image'));
    const [x0, y0, scale] = [Number(img.attrs.x), Number(img.attrs.y), Number(img.attrs.width) / 40];
    expect(first(byClass(parseXml(svg), 'heatmap')).attrs['data-smooth']).toBe('bilinear');
    const k = smoothSubdivision(10 * scale);
    const n = 4 * k;
    const up = upsampleGrid(values, 4, 4, n, n, 'bilinear');
    const domain = colorDomain(values, viridis);
    const png = 2;
    const { data, info } = await sharp(await svgToPng(svg, png))
      .raw()
      .toBuffer({ resolveWithObject: true });
    const pixel = (x: number, y: number) => {
      const i = (Math.floor(y * png) * info.width + Math.floor(x * png)) * info.channels;
      return [data[i] ?? -1, data[i + 1] ?? -1, data[i + 2] ?? -1];
    };
    const hex = (p: number[]) => toHex([p[0]! / 255, p[1]! / 255, p[2]! / 255]);
    const near = (p: number[], want: string) => [0, 1, 2].every((c) => Math.abs(p[c]! - parseInt(want.slice(1 + 2 * c, 3 + 2 * c), 16)) <= 2);
    const sub = (X: number, Y: number) => toHex(valueColor(viridis, at(up, Y * n + X), domain));
    let seams = 0;
    for (let Y = 0; Y < n; Y += 3)
      for (let X = 0; X < n - 1; X += 2) {
        const sample = (fx: number) => pixel(x0 + ((X + fx) * 10 * scale) / k, y0 + ((Y + 0.5) * 10 * scale) / k);
        const centre = sample(0.5);
        expect(near(centre, sub(X, Y)), `sub-cell (${X}, ${Y}): ${hex(centre)}, the SVG's ${sub(X, Y)}`).toBe(true);
        // on the edge to the next sub-cell: no lighter than both sides (the white picture showing through an anti-aliased gap)
        const [edge, left, right] = [sample(1), centre, sample(1.5)];
        if (edge.some((v, c) => v > Math.max(left[c]!, right[c]!) + 6)) seams++;
      }
    expect(seams).toBe(0);
  });

  it('refuses a scale out of range and an SVG without a size', async () => {
    await expect(svgToPng(figure, 0)).rejects.toThrow(RangeError);
    expect(() => svgSize('<svg xmlns="http://www.w3.org/2000/svg"/>')).toThrow();
  });
});
