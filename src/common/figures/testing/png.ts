/** Test support: PNG byte streams made by hand, for the readers and writers of PNG files under test. */

/** Big-endian 32-bit bytes of n. */
const be = (n: number) => [(n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255];

/** A chunk: length, type, body, and a CRC left 0 (the code under test does not check it). */
const chunk = (type: string, body: readonly number[]) => [...be(body.length), ...Array.from(type, (c) => c.charCodeAt(0)), ...body, 0, 0, 0, 0];

/** The bytes of an 8-bit RGB PNG of w x h pixels: signature, IHDR, one IDAT chunk holding `idat`, IEND. */
export function rgbPngBytes(w: number, h: number, idat: readonly number[]): number[] {
  return [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, ...chunk('IHDR', [...be(w), ...be(h), 8, 2, 0, 0, 0]), ...chunk('IDAT', idat), ...chunk('IEND', [])];
}
