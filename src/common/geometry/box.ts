/**
 * Pixel rectangles. A Box is [x0, y0, x1, y1] with x1 and y1 exclusive, so a box's width is
 * x1 - x0 and two boxes that share an edge do not overlap. A box with x1 <= x0 or y1 <= y0 is
 * empty (area 0); clipping can produce such boxes on purpose (a grid cell on padding).
 */
export type Box = [x0: number, y0: number, x1: number, y1: number];

export function boxWidth(b: Box): number {
  return Math.max(0, b[2] - b[0]);
}

export function boxHeight(b: Box): number {
  return Math.max(0, b[3] - b[1]);
}

export function boxArea(b: Box): number {
  return boxWidth(b) * boxHeight(b);
}

export function isEmptyBox(b: Box): boolean {
  return b[2] <= b[0] || b[3] <= b[1];
}

/** Whether pixel (x, y), i.e. the unit square [x, x+1) x [y, y+1), lies in the box. */
export function boxContains(b: Box, x: number, y: number): boolean {
  return x >= b[0] && x < b[2] && y >= b[1] && y < b[3];
}

export function intersectBoxes(a: Box, b: Box): Box {
  const x0 = Math.max(a[0], b[0]);
  const y0 = Math.max(a[1], b[1]);
  return [x0, y0, Math.max(x0, Math.min(a[2], b[2])), Math.max(y0, Math.min(a[3], b[3]))];
}

/** The part of `b` inside a width x height image (possibly empty, never inverted). */
export function clipBox(b: Box, width: number, height: number): Box {
  const x0 = clamp(b[0], 0, width);
  const y0 = clamp(b[1], 0, height);
  return [x0, y0, clamp(b[2], x0, width), clamp(b[3], y0, height)];
}

function clamp(v: number, lo: number, hi: number): number {
  return v < lo ? lo : v > hi ? hi : v;
}

/**
 * Moves `b` (without resizing it) the least distance that puts it inside a width x height image;
 * a box larger than the image along an axis is centred on the image along that axis. This is the
 * "shifted to lie inside the image" of the crop rules (spec step 8).
 */
export function shiftBoxInside(b: Box, width: number, height: number): Box {
  const [x0, x1] = shiftSpan(b[0], b[2], width);
  const [y0, y1] = shiftSpan(b[1], b[3], height);
  return [x0, y0, x1, y1];
}

function shiftSpan(a: number, b: number, size: number): [number, number] {
  const len = b - a;
  if (len >= size) {
    const start = Math.floor((size - len) / 2);
    return [start, start + len];
  }
  if (a < 0) return [0, len];
  if (b > size) return [size - len, size];
  return [a, b];
}

/** A w x h box centred on (cx, cy), with integer corners (the start is rounded). */
export function centredBox(cx: number, cy: number, w: number, h: number): Box {
  const x0 = Math.round(cx - w / 2);
  const y0 = Math.round(cy - h / 2);
  return [x0, y0, x0 + w, y0 + h];
}
