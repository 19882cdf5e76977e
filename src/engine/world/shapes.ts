/**
 * Shape geometry: each shape is inscribed in a square of side `side` centred on (cx, cy) and is
 * either a circle or a polygon. The tight box is what the dataset records as the object's box.
 */
import type { Box } from '../../common/geometry/box.ts';
import type { Shape } from './vocabulary.ts';

export type Outline = { kind: 'circle'; cx: number; cy: number; r: number } | { kind: 'polygon'; points: [number, number][] };

function regular(cx: number, cy: number, r: number, n: number, startAngle: number): [number, number][] {
  return Array.from({ length: n }, (_, i) => {
    const a = startAngle + (2 * Math.PI * i) / n;
    return [cx + r * Math.cos(a), cy + r * Math.sin(a)] as [number, number];
  });
}

export function outline(shape: Shape, cx: number, cy: number, side: number): Outline {
  const h = side / 2;
  switch (shape) {
    case 'circle':
      return { kind: 'circle', cx, cy, r: h };
    case 'square':
      return {
        kind: 'polygon',
        points: [
          [cx - h, cy - h],
          [cx + h, cy - h],
          [cx + h, cy + h],
          [cx - h, cy + h],
        ],
      };
    case 'triangle':
      return {
        kind: 'polygon',
        points: [
          [cx, cy - h],
          [cx + h, cy + h],
          [cx - h, cy + h],
        ],
      };
    case 'diamond':
      return {
        kind: 'polygon',
        points: [
          [cx, cy - h],
          [cx + h, cy],
          [cx, cy + h],
          [cx - h, cy],
        ],
      };
    case 'hexagon':
      // flat top and bottom: as wide as the square, 0.87 of its height
      return { kind: 'polygon', points: regular(cx, cy, h, 6, 0) };
    case 'star': {
      // five points up; inner radius 0.42 of the outer keeps the arms thick enough to see when small
      const outer = regular(cx, cy, h, 5, -Math.PI / 2);
      const inner = regular(cx, cy, h * 0.42, 5, -Math.PI / 2 + Math.PI / 5);
      return {
        kind: 'polygon',
        points: outer.flatMap((p, i) => {
          const q = inner[i]; // regular() gives both rings five points
          return q === undefined ? [p] : [p, q];
        }),
      };
    }
  }
}

/** Integer box [x0, y0, x1, y1) that contains the outline, clipped to the image. */
export function outlineBox(o: Outline, width: number, height: number): Box {
  const [x0, y0, x1, y1] =
    o.kind === 'circle'
      ? [o.cx - o.r, o.cy - o.r, o.cx + o.r, o.cy + o.r]
      : [
          Math.min(...o.points.map((p) => p[0])),
          Math.min(...o.points.map((p) => p[1])),
          Math.max(...o.points.map((p) => p[0])),
          Math.max(...o.points.map((p) => p[1])),
        ];
  return [Math.max(0, Math.floor(x0)), Math.max(0, Math.floor(y0)), Math.min(width, Math.ceil(x1)), Math.min(height, Math.ceil(y1))];
}
