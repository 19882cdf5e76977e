/**
 * transformers' rescale + normalize, bit for bit (FIXTURES.md §5.1 step 4):
 *   x = float32(u8 * rescale_factor)        multiply in float64, then cast
 *   y = (x - float32(mean)) / float32(std)  in float32
 * Each float32 operation is computed in double and rounded with Math.fround, which gives the
 * correctly rounded float32 result for +, -, * and / (double has more than 2 * 24 + 2 bits).
 * A uint8 input has only 256 values per channel, so the whole chain is a 256-entry table.
 */
import type { Rgb } from './config.ts';

export interface NormalizeOptions {
  doRescale: boolean;
  rescaleFactor: number;
  doNormalize: boolean;
  imageMean: Rgb;
  imageStd: Rgb;
}

/** The three channels with their mean and std, in channel order. */
function channels(o: NormalizeOptions): { c: number; mean: number; std: number }[] {
  const [m0, m1, m2] = o.imageMean;
  const [s0, s1, s2] = o.imageStd;
  return [
    { c: 0, mean: m0, std: s0 },
    { c: 1, mean: m1, std: s1 },
    { c: 2, mean: m2, std: s2 },
  ];
}

/** table[c * 256 + v] = the float32 value channel c takes for byte v */
export function normalizeTable(o: NormalizeOptions): Float32Array {
  const t = new Float32Array(3 * 256);
  for (const channel of channels(o)) {
    const c = channel.c;
    const mean = Math.fround(channel.mean);
    const std = Math.fround(channel.std);
    for (let v = 0; v < 256; v++) {
      const x = o.doRescale ? Math.fround(v * o.rescaleFactor) : v;
      t[c * 256 + v] = o.doNormalize ? Math.fround(Math.fround(x - mean) / std) : x;
    }
  }
  return t;
}

/** HWC uint8 to CHW float32 through the table. */
export function toChwFloat32(data: Uint8Array, width: number, height: number, table: Float32Array): Float32Array {
  const plane = width * height;
  if (data.length < 3 * plane) throw new RangeError(`${data.length} bytes cannot hold a ${width} x ${height} RGB image.`);
  if (table.length < 3 * 256) throw new RangeError(`a normalize table has 3 x 256 entries, this one ${table.length}.`);
  const out = new Float32Array(3 * plane);
  // data holds 3 * plane bytes and table 768 entries (both checked above), and a byte is below 256.
  for (let i = 0, p = 0; i < plane; i++, p += 3) {
    out[i] = table[data[p]!]!;
    out[plane + i] = table[256 + data[p + 1]!]!;
    out[2 * plane + i] = table[512 + data[p + 2]!]!;
  }
  return out;
}

/**
 * The inverse, for showing what the encoder got: CHW float32 back to HWC uint8, each value rounded
 * to the nearest byte and clipped to 0..255 (VCD's noised pixels leave the range). A value made by
 * toChwFloat32 comes back as its own byte.
 */
export function fromChwFloat32(pixels: Float32Array, width: number, height: number, o: NormalizeOptions): Uint8Array {
  const plane = width * height;
  if (pixels.length < 3 * plane) throw new RangeError(`${pixels.length} values cannot hold a 3 x ${height} x ${width} image.`);
  const out = new Uint8Array(3 * plane);
  for (const { c, mean, std } of channels(o)) {
    const scale = o.doRescale ? o.rescaleFactor : 1;
    for (let i = 0; i < plane; i++) {
      const y = pixels[c * plane + i]!;
      const x = o.doNormalize ? y * std + mean : y;
      const v = Math.round(x / scale);
      out[i * 3 + c] = v < 0 ? 0 : v > 255 ? 255 : v;
    }
  }
  return out;
}
