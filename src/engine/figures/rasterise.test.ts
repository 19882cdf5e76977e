import { existsSync, readFileSync } from 'node:fs';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { FONT_SANS, el, svgDocument, text, textWidth, vaqCurveSvg } from '../../common/figures/index.ts';
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

  it('refuses a scale out of range and an SVG without a size', async () => {
    await expect(svgToPng(figure, 0)).rejects.toThrow(RangeError);
    expect(() => svgSize('<svg xmlns="http://www.w3.org/2000/svg"/>')).toThrow();
  });
});
