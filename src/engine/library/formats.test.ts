import { describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { canReadBmp, formatOfName } from './formats.ts';

describe('listed image formats', () => {
  it('recognises the extensions of the five formats, in any case', () => {
    expect(formatOfName('a.PNG')).toBe('png');
    expect(formatOfName('a.jpg')).toBe('jpeg');
    expect(formatOfName('a.JPEG')).toBe('jpeg');
    expect(formatOfName('a.webp')).toBe('webp');
    expect(formatOfName('a.gif')).toBe('gif');
    expect(formatOfName('a.tif')).toBe('tiff');
    expect(formatOfName('a.tiff')).toBe('tiff');
  });

  it('ignores other files, extension-less names and dot-files', () => {
    expect(formatOfName('notes.txt')).toBeNull();
    expect(formatOfName('png')).toBeNull();
    expect(formatOfName('.png')).toBeNull();
    expect(formatOfName('a.')).toBeNull();
  });

  it('reads the extension from raw name bytes that are not UTF-8', () => {
    expect(formatOfName(Buffer.concat([Buffer.from([0xff, 0xe9]), Buffer.from('.jpg')]))).toBe('jpeg');
  });

  it('lists .bmp exactly when this sharp build can read BMP', async () => {
    expect(formatOfName('a.bmp') !== null).toBe(canReadBmp);
    // A minimal 1x1 24-bit BMP: whether sharp decodes it must agree with what formats.ts claims.
    const bmp = Buffer.from('424d3a0000000000000036000000280000000100000001000000010018000000000004000000130b0000130b00000000000000000000ff000000', 'hex');
    const decoded = await sharp(bmp)
      .metadata()
      .then(
        () => true,
        () => false,
      );
    expect(decoded).toBe(canReadBmp);
  });
});
