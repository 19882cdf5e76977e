/**
 * Scene generation: a canvas size, a light background, grey clutter, and 3 to 8 (by default) coloured shapes
 * that do not touch, some carrying a glyph. Sizes are log-uniform from tiny (3.5 % of the short
 * side) to large (30 %), so every size class is common.
 */
import { boxArea, type Box } from '../../common/geometry/box.ts';
import { intBetween, pick, pickWeighted, sceneRng, uniform, type Rng } from './draw.ts';
import { outline, outlineBox } from './shapes.ts';
import type { Clutter, Scene, WorldObject } from './types.ts';
import { COLOUR_WEIGHTS, DIGITS, GLYPH_SHAPES, LETTERS, SHAPE_WEIGHTS, sizeClassOfShare, type Glyph } from './vocabulary.ts';

/**
 * Canvas sizes, square and not. All are at least 448 px on each side, so that LASER's crop rule
 * (side max(half, 224 px)) takes a half-size crop, a 2x zoom.
 */
export const CANVAS_SIZES: readonly [number, number][] = [
  [448, 448],
  [512, 512],
  [576, 576],
  [640, 640],
  [640, 480],
  [480, 640],
  [576, 448],
  [448, 576],
  [640, 512],
  [512, 640],
];

const BACKGROUNDS = ['#f4f4f0', '#eeeeee', '#f7f3e8', '#e9eef2', '#f2efe9', '#fbfbfb'];
export const MIN_SIDE_FRACTION = 0.035;
export const MAX_SIDE_FRACTION = 0.3;
/** Glyphs only on objects at least this fraction of the short side: smaller ones cannot be read even cropped. */
export const MIN_GLYPH_SIDE_FRACTION = 0.06;
const PLACEMENT_TRIES = 200;

/** Objects per scene by default; training's warm-up world asks for fewer. */
export const DEFAULT_OBJECTS: readonly [number, number] = [3, 8];

export function generateScene(seed: number, index: number, objectRange: readonly [number, number] = DEFAULT_OBJECTS): Scene {
  const rng = sceneRng(seed, index);
  const [width, height] = pick(rng, CANVAS_SIZES);
  const background = pick(rng, BACKGROUNDS);
  const clutter = makeClutter(rng, width, height);
  const wanted = intBetween(rng, objectRange[0], objectRange[1]);
  const objects: WorldObject[] = [];
  const short = Math.min(width, height);
  for (let n = 0; n < wanted; n++) {
    const side = short * Math.exp(uniform(rng, Math.log(MIN_SIDE_FRACTION), Math.log(MAX_SIDE_FRACTION)));
    const shape = pickWeighted(rng, SHAPE_WEIGHTS);
    const colour = pickWeighted(rng, COLOUR_WEIGHTS);
    const hasGlyph = GLYPH_SHAPES.includes(shape) && side >= MIN_GLYPH_SIDE_FRACTION * short && rng.nextFloat() < 0.5;
    const glyph: Glyph | null = hasGlyph ? (rng.nextFloat() < 0.65 ? pick(rng, LETTERS) : pick(rng, DIGITS)) : null;
    // a gap of 2 % of the short side (at least 6 px) keeps boxes apart and relations readable
    const gap = Math.max(6, 0.02 * short);
    for (let t = 0; t < PLACEMENT_TRIES; t++) {
      const margin = 4 + side / 2;
      const cx = uniform(rng, margin, width - margin);
      const cy = uniform(rng, margin, height - margin);
      const box = outlineBox(outline(shape, cx, cy, side), width, height);
      if (objects.some((o) => boxesCloserThan(o.box, box, gap))) continue;
      const share = boxArea(box) / (width * height);
      objects.push({ id: objects.length, shape, colour, box, cx, cy, side, glyph, sizeClass: sizeClassOfShare(share) });
      break;
    }
  }
  return { id: sceneId(seed, index), seed, index, width, height, background, objects, clutter };
}

export function sceneId(seed: number, index: number): string {
  return `s${seed}-${String(index).padStart(5, '0')}`;
}

function boxesCloserThan(a: Box, b: Box, gap: number): boolean {
  return a[0] < b[2] + gap && b[0] < a[2] + gap && a[1] < b[3] + gap && b[1] < a[3] + gap;
}

function grey(rng: Rng): string {
  const v = intBetween(rng, 0x90, 0xc8).toString(16);
  return `#${v}${v}${v}`;
}

function makeClutter(rng: Rng, width: number, height: number): Clutter[] {
  const out: Clutter[] = [];
  const dots = intBetween(rng, 15, 50);
  for (let i = 0; i < dots; i++) out.push({ kind: 'dot', x: uniform(rng, 0, width), y: uniform(rng, 0, height), r: uniform(rng, 0.6, 1.8), grey: grey(rng) });
  const lines = intBetween(rng, 1, 4);
  for (let i = 0; i < lines; i++) {
    const n = intBetween(rng, 2, 4);
    const points = Array.from({ length: n }, () => [uniform(rng, 0, width), uniform(rng, 0, height)] as [number, number]);
    out.push({ kind: 'line', points, width: uniform(rng, 0.8, 2), grey: grey(rng) });
  }
  return out;
}
