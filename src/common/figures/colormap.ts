/**
 * Colormaps as lookup tables of sRGB colours in 0..1, sampled with linear interpolation between
 * neighbouring entries (what matplotlib does for a value between two of its 256 levels).
 *
 * - `viridis` (sequential) for maps and scores that are non-negative: perceptually uniform, with
 *   lightness rising monotonically, so it reads correctly in greyscale and to colour-blind readers.
 * - `magma` (sequential), the same authors' black-purple-orange-cream map, also perceptually
 *   uniform with monotonic lightness: it keeps a dark picture's low values dark and its peaks light.
 * - `coolwarm` (diverging) for signed quantities such as a_q - a_0: Kenneth Moreland's smooth
 *   cool-warm map ("Diverging Color Maps for Scientific Visualization", ISVC 2009), 257 entries
 *   built here with his Msh interpolation (see coolwarmTable), neutral grey at the centre.
 */
import { MAGMA_DATA } from './magma-data.ts';
import { VIRIDIS_DATA } from './viridis-data.ts';

export type Rgb = readonly [number, number, number];

export interface Colormap {
  readonly name: string;
  readonly kind: 'sequential' | 'diverging';
  readonly table: readonly Rgb[];
}

/** The colour at t in [0, 1] (clamped), interpolated linearly between the two nearest entries. */
export function colorAt(cmap: Colormap, t: number): Rgb {
  if (Number.isNaN(t)) throw new RangeError(`Colormap ${cmap.name}: cannot colour NaN.`);
  const n = cmap.table.length;
  const x = Math.min(1, Math.max(0, t)) * (n - 1);
  const i = Math.min(n - 2, Math.floor(x));
  const f = x - i;
  const a = cmap.table[i];
  const b = cmap.table[i + 1];
  if (a === undefined || b === undefined) throw new RangeError(`Colormap ${cmap.name} has ${n} entries; it needs at least two.`);
  return [a[0] + (b[0] - a[0]) * f, a[1] + (b[1] - a[1]) * f, a[2] + (b[2] - a[2]) * f];
}

function hexByte(v: number): string {
  return Math.round(Math.min(1, Math.max(0, v)) * 255)
    .toString(16)
    .padStart(2, '0');
}

export function toHex(c: Rgb): string {
  return `#${hexByte(c[0])}${hexByte(c[1])}${hexByte(c[2])}`;
}

function srgbToLinear(c: number): number {
  return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
}

function linearToSrgb(c: number): number {
  return c <= 0.0031308 ? 12.92 * c : 1.055 * c ** (1 / 2.4) - 0.055;
}

/** Relative luminance (WCAG 2 / sRGB): 0 for black, 1 for white. */
export function relativeLuminance(c: Rgb): number {
  return 0.2126 * srgbToLinear(c[0]) + 0.7152 * srgbToLinear(c[1]) + 0.0722 * srgbToLinear(c[2]);
}

/** Black or white, whichever reads better on `c` (for labels drawn on a coloured cell). */
export function contrastingInk(c: Rgb): string {
  return relativeLuminance(c) > 0.36 ? '#000000' : '#ffffff';
}

export const viridis: Colormap = { name: 'viridis', kind: 'sequential', table: VIRIDIS_DATA };
export const magma: Colormap = { name: 'magma', kind: 'sequential', table: MAGMA_DATA };

// --- Moreland's Msh interpolation --------------------------------------------------------------

/** IEC 61966-2-1's sRGB matrices (4 digits, as in Moreland's VTK implementation) and his D65 white. */
const TO_XYZ = [
  [0.4124, 0.3576, 0.1805],
  [0.2126, 0.7152, 0.0722],
  [0.0193, 0.1192, 0.9505],
] as const;
const FROM_XYZ = [
  [3.2406, -1.5372, -0.4986],
  [-0.9689, 1.8758, 0.0415],
  [0.0557, -0.204, 1.057],
] as const;
const WHITE = [0.9505, 1.0, 1.089] as const;

type Msh = [m: number, s: number, h: number];

const labF = (t: number): number => (t > 0.008856 ? Math.cbrt(t) : 7.787 * t + 16 / 116);
const labFInv = (t: number): number => (t ** 3 > 0.008856 ? t ** 3 : (t - 16 / 116) / 7.787);

type Vec3 = readonly [number, number, number];

/** The three components of `v`, each through f (with its index). */
function map3(v: Vec3, f: (x: number, i: 0 | 1 | 2) => number): Vec3 {
  return [f(v[0], 0), f(v[1], 1), f(v[2], 2)];
}

/** A row of a 3x3 matrix times a vector. */
function dot3(row: Vec3, v: Vec3): number {
  return row[0] * v[0] + row[1] * v[1] + row[2] * v[2];
}

function rgbToMsh(c: Rgb): Msh {
  const lin = map3(c, srgbToLinear);
  const xyz = map3(lin, (_, i) => dot3(TO_XYZ[i], lin));
  const [fx, fy, fz] = map3(xyz, (v, i) => labF(v / WHITE[i]));
  const L = 116 * fy - 16;
  const a = 500 * (fx - fy);
  const b = 200 * (fy - fz);
  const m = Math.hypot(L, a, b);
  return [m, Math.acos(L / m), Math.atan2(b, a)];
}

function mshToRgb([m, s, h]: Msh): Rgb {
  const L = m * Math.cos(s);
  const a = m * Math.sin(s) * Math.cos(h);
  const b = m * Math.sin(s) * Math.sin(h);
  const fy = (L + 16) / 116;
  const xyz = map3([labFInv(a / 500 + fy), labFInv(fy), labFInv(fy - b / 200)], (v, i) => v * WHITE[i]);
  return map3(xyz, (_, i) => linearToSrgb(dot3(FROM_XYZ[i], xyz)));
}

/** The hue an unsaturated colour of magnitude `m` takes next to a saturated one (Moreland, eq. in sec. 6). */
function adjustHue([ms, ss, hs]: Msh, m: number): number {
  if (ms >= m - 0.1) return hs;
  const spin = (ss * Math.sqrt(m * m - ms * ms)) / (ms * Math.sin(ss));
  return hs > -Math.PI / 3 ? hs + spin : hs - spin;
}

function angleBetween(a: number, b: number): number {
  const d = Math.abs(a - b) % (2 * Math.PI);
  return d > Math.PI ? 2 * Math.PI - d : d;
}

/** Moreland's diverging interpolation between two saturated colours through a white-ish centre of magnitude 88. */
export function divergingColor(low: Rgb, high: Rgb, t: number): Rgb {
  let m1 = rgbToMsh(low);
  let m2 = rgbToMsh(high);
  let x = t;
  if (m1[1] > 0.05 && m2[1] > 0.05 && angleBetween(m1[2], m2[2]) > Math.PI / 3) {
    const mid = Math.max(m1[0], m2[0], 88);
    if (x < 0.5) {
      m2 = [mid, 0, 0];
      x = 2 * x;
    } else {
      m1 = [mid, 0, 0];
      x = 2 * x - 1;
    }
  }
  if (m1[1] < 0.05 && m2[1] > 0.05) m1 = [m1[0], m1[1], adjustHue(m2, m1[0])];
  else if (m2[1] < 0.05 && m1[1] > 0.05) m2 = [m2[0], m2[1], adjustHue(m1, m2[0])];
  return mshToRgb([(1 - x) * m1[0] + x * m2[0], (1 - x) * m1[1] + x * m2[1], (1 - x) * m1[2] + x * m2[2]]);
}

/** Moreland's cool-warm endpoints (his paper, table 1). */
export const COOLWARM_LOW: Rgb = [0.23, 0.299, 0.754];
export const COOLWARM_HIGH: Rgb = [0.706, 0.016, 0.15];

/** `n` evenly spaced samples of the cool-warm map (n odd puts one exactly on the centre). */
export function coolwarmTable(n = 257): Rgb[] {
  return Array.from({ length: n }, (_, i) => divergingColor(COOLWARM_LOW, COOLWARM_HIGH, i / (n - 1)));
}

export const coolwarm: Colormap = { name: 'coolwarm', kind: 'diverging', table: coolwarmTable(257) };

export const COLORMAPS = { viridis, magma, coolwarm } as const;
export type ColormapName = keyof typeof COLORMAPS;
export const COLORMAP_NAMES = Object.keys(COLORMAPS) as ColormapName[];

export function isColormapName(s: unknown): s is ColormapName {
  return typeof s === 'string' && Object.prototype.hasOwnProperty.call(COLORMAPS, s);
}

/**
 * The [lo, hi] a map's values are coloured over: [0, max] for a sequential map of non-negative
 * values (so 0 is always the darkest colour and maps can be compared by eye), the data range if
 * values go below 0, and a range symmetric about 0 for a diverging map. Never empty.
 */
export function colorDomain(values: Iterable<number>, cmap: Colormap): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (!Number.isFinite(v)) continue;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (lo === Infinity) return [0, 1];
  if (cmap.kind === 'diverging') {
    const r = Math.max(Math.abs(lo), Math.abs(hi));
    return r === 0 ? [-1, 1] : [-r, r];
  }
  const a = Math.min(0, lo);
  return hi > a ? [a, hi] : [a, a + 1];
}

/** The colour of value v on domain [lo, hi]. */
export function valueColor(cmap: Colormap, v: number, [lo, hi]: readonly [number, number]): Rgb {
  return colorAt(cmap, (v - lo) / (hi - lo));
}
