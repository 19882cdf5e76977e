/**
 * A stroke font for the glyphs drawn on objects: each character is a few polylines on a 4 x 6
 * grid (y down). Drawing our own strokes rather than SVG text keeps rendering independent of the
 * fonts installed on a machine, so a seed gives the same pixels everywhere.
 */
import type { Glyph } from './vocabulary.ts';

type Stroke = [number, number][];

export const GLYPH_STROKES: Record<Glyph, Stroke[]> = {
  e: [
    [
      [4, 0],
      [0, 0],
      [0, 6],
      [4, 6],
    ],
    [
      [0, 3],
      [3, 3],
    ],
  ],
  f: [
    [
      [4, 0],
      [0, 0],
      [0, 6],
    ],
    [
      [0, 3],
      [3, 3],
    ],
  ],
  h: [
    [
      [0, 0],
      [0, 6],
    ],
    [
      [4, 0],
      [4, 6],
    ],
    [
      [0, 3],
      [4, 3],
    ],
  ],
  k: [
    [
      [0, 0],
      [0, 6],
    ],
    [
      [4, 0],
      [0, 3.5],
    ],
    [
      [1.4, 2.6],
      [4, 6],
    ],
  ],
  l: [
    [
      [0, 0],
      [0, 6],
      [4, 6],
    ],
  ],
  t: [
    [
      [0, 0],
      [4, 0],
    ],
    [
      [2, 0],
      [2, 6],
    ],
  ],
  x: [
    [
      [0, 0],
      [4, 6],
    ],
    [
      [4, 0],
      [0, 6],
    ],
  ],
  z: [
    [
      [0, 0],
      [4, 0],
      [0, 6],
      [4, 6],
    ],
  ],
  m: [
    [
      [0, 6],
      [0, 0],
      [2, 3.5],
      [4, 0],
      [4, 6],
    ],
  ],
  n: [
    [
      [0, 6],
      [0, 0],
      [4, 6],
      [4, 0],
    ],
  ],
  v: [
    [
      [0, 0],
      [2, 6],
      [4, 0],
    ],
  ],
  y: [
    [
      [0, 0],
      [2, 3],
      [4, 0],
    ],
    [
      [2, 3],
      [2, 6],
    ],
  ],
  '1': [
    [
      [0.8, 1.2],
      [2.2, 0],
      [2.2, 6],
    ],
    [
      [0.8, 6],
      [3.6, 6],
    ],
  ],
  '2': [
    [
      [0, 1],
      [1, 0],
      [3, 0],
      [4, 1],
      [4, 2.2],
      [0, 6],
      [4, 6],
    ],
  ],
  '3': [
    [
      [0, 0],
      [4, 0],
      [1.8, 2.6],
      [3, 2.6],
      [4, 3.6],
      [4, 5],
      [3, 6],
      [0, 6],
    ],
  ],
  '4': [
    [
      [3, 6],
      [3, 0],
      [0, 4],
      [4, 4],
    ],
  ],
  '5': [
    [
      [4, 0],
      [0, 0],
      [0, 2.8],
      [3, 2.8],
      [4, 3.8],
      [4, 5],
      [3, 6],
      [0, 6],
    ],
  ],
  '7': [
    [
      [0, 0],
      [4, 0],
      [1.4, 6],
    ],
  ],
};

/**
 * SVG polylines of `glyph` centred on (cx, cy), `height` pixels tall (4:6 aspect), in `ink`.
 * The stroke is a seventh of the height: thick enough to survive a 2x downscale of the crop.
 */
export function glyphSvg(glyph: Glyph, cx: number, cy: number, height: number, ink: string): string {
  const u = height / 6;
  const x0 = cx - 2 * u;
  const y0 = cy - 3 * u;
  const width = height / 7;
  return GLYPH_STROKES[glyph]
    .map((stroke) => {
      const pts = stroke.map(([x, y]) => `${fmt(x0 + x * u)},${fmt(y0 + y * u)}`).join(' ');
      return `<polyline points="${pts}" fill="none" stroke="${ink}" stroke-width="${fmt(width)}" stroke-linecap="round" stroke-linejoin="round"/>`;
    })
    .join('');
}

/** Two decimals: enough for sub-pixel placement, short and stable across platforms. */
export function fmt(v: number): string {
  return (Math.round(v * 100) / 100).toString();
}
