import { describe, expect, it } from 'vitest';
import { rgbPngBytes } from '../../../common/figures/testing/png.ts';
import { dataUrlToBlob, figureFileName, fileStem, pngDpi, pngWithDpi, svgSize } from './figure-files.ts';

describe('figure files', () => {
  it("reads an SVG document's declared size, not its children's", () => {
    expect(svgSize('<svg xmlns="http://www.w3.org/2000/svg" width="336" height="210.5" viewBox="0 0 1 1"><rect width="5" height="5"/></svg>')).toEqual({
      width: 336,
      height: 210.5,
    });
    expect(() => svgSize('<svg><rect width="5" height="5"/></svg>')).toThrow(/no size/);
  });

  it('turns a base64 data: URL into a blob of its type and bytes', async () => {
    const blob = dataUrlToBlob('data:image/png;base64,AAEC/w==');
    expect(blob.type).toBe('image/png');
    expect([...new Uint8Array(await blob.arrayBuffer())]).toEqual([0, 1, 2, 255]);
    const text = dataUrlToBlob('data:image/svg+xml,%3Csvg%2F%3E');
    expect(await text.text()).toBe('<svg/>');
    expect(() => dataUrlToBlob('blob:nope')).toThrow();
  });

  it('names files after the image, the method and the figure, in safe characters', () => {
    expect(fileStem('my cat (1).JPG')).toBe('my_cat_1_');
    expect(fileStem('.png')).toBe('figure');
    expect(figureFileName('a b.png', 'laser', 'overlay-M', 'svg')).toBe('a_b-laser-overlay-M.svg');
  });

  it('tags a PNG with the chosen DPI in a pHYs chunk after IHDR, with the right CRC, replacing an earlier one', () => {
    const png = Uint8Array.from(rgbPngBytes(1, 1, [1, 2, 3]));
    expect(pngDpi(png)).toBeNull();
    const tagged = pngWithDpi(png, 300);
    expect(pngDpi(tagged)).toBe(300);
    const at = 8 + 25; // after the signature and IHDR
    expect(String.fromCharCode(...tagged.subarray(at + 4, at + 8))).toBe('pHYs');
    // 11811 px/m both ways, unit metre: CRC-32 0x78a53f76 (zlib)
    expect(Array.from(tagged.subarray(at + 17, at + 21))).toEqual([0x78, 0xa5, 0x3f, 0x76]);
    const again = pngWithDpi(tagged, 600);
    expect(pngDpi(again)).toBe(600);
    expect(again.length).toBe(tagged.length);
    expect(() => pngWithDpi(Uint8Array.from([1, 2, 3]), 300)).toThrow(/Not a PNG/);
  });
});
