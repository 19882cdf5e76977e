/**
 * The world's closed vocabulary: shapes, colours, glyphs, size classes, and the frequencies with
 * which the generator draws them. Every one-word answer the world can ask for is listed here, so
 * a tokenizer built from these lists covers every question and answer.
 */

export const SHAPES = ['circle', 'square', 'triangle', 'star', 'diamond', 'hexagon'] as const;
export type Shape = (typeof SHAPES)[number];

export const COLOURS = ['red', 'orange', 'yellow', 'green', 'cyan', 'blue', 'purple'] as const;
export type Colour = (typeof COLOURS)[number];

/** Fill of each colour. Hues far apart, none grey, so that clutter (grey) is never an object. */
export const COLOUR_HEX: Record<Colour, string> = {
  red: '#d7263d',
  orange: '#f28c28',
  yellow: '#f2d024',
  green: '#2e9e44',
  cyan: '#22b5c9',
  blue: '#2456c9',
  purple: '#8e3fb5',
};

/** Glyph ink on each colour: white on dark fills, black on light ones. */
export const GLYPH_INK: Record<Colour, string> = {
  red: '#ffffff',
  orange: '#000000',
  yellow: '#000000',
  green: '#ffffff',
  cyan: '#000000',
  blue: '#ffffff',
  purple: '#ffffff',
};

/** Letters and digits drawn on objects. No 'a' or 'i' (VQA normalisation drops the article "a"); no look-alikes of digits (o, s, b). */
export const LETTERS = ['e', 'f', 'h', 'k', 'l', 't', 'x', 'z', 'm', 'n', 'v', 'y'] as const;
export const DIGITS = ['1', '2', '3', '4', '5', '7'] as const;
export type Glyph = (typeof LETTERS)[number] | (typeof DIGITS)[number];

export function isDigit(g: Glyph): boolean {
  return (DIGITS as readonly string[]).includes(g);
}

/** Shapes with room for a glyph in their middle. */
export const GLYPH_SHAPES: readonly Shape[] = ['circle', 'square', 'diamond', 'hexagon'];

/**
 * Draw frequencies. Deliberately uneven, so that POPE's "popular" negatives (frequent objects
 * absent from the image) differ from its "random" ones.
 */
export const SHAPE_WEIGHTS: Record<Shape, number> = { circle: 0.25, square: 0.2, triangle: 0.17, star: 0.14, diamond: 0.13, hexagon: 0.11 };
export const COLOUR_WEIGHTS: Record<Colour, number> = { red: 0.2, blue: 0.18, green: 0.16, yellow: 0.13, orange: 0.12, purple: 0.11, cyan: 0.1 };

export const SIZE_CLASSES = ['small', 'medium', 'large'] as const;
export type SizeClass = (typeof SIZE_CLASSES)[number];

/**
 * Size class by the share of the image's area that the object's box covers. At the demo model's
 * 80 px input a 512 px scene is shrunk 6.4x: a small box (< 0.4 %, under about 32 px on a side)
 * is at most 5 px across in the full view and 10 px in a half-size crop; a large one (>= 2.5 %,
 * over about 81 px) stays readable in the full view.
 */
export const SMALL_MAX_SHARE = 0.004;
export const MEDIUM_MAX_SHARE = 0.025;

export function sizeClassOfShare(share: number): SizeClass {
  if (share < SMALL_MAX_SHARE) return 'small';
  if (share < MEDIUM_MAX_SHARE) return 'medium';
  return 'large';
}

export const QUESTION_FAMILIES = ['attribute', 'existence', 'relation', 'glyph'] as const;
export type QuestionFamily = (typeof QUESTION_FAMILIES)[number];

/** POPE's three ways of choosing an absent object for a "no" question. */
export const POPE_SPLITS = ['random', 'popular', 'adversarial'] as const;
export type PopeSplit = (typeof POPE_SPLITS)[number];

export const RELATIONS = ['left of', 'right of', 'above', 'below'] as const;
export type Relation = (typeof RELATIONS)[number];

/** Every answer the world can expect. */
export const ANSWERS: readonly string[] = [...COLOURS, ...SHAPES, 'yes', 'no', ...LETTERS, ...DIGITS];
