/** The data a generated world is made of: scenes, their objects, and questions about them. */
import type { Box } from '../../common/geometry/box.ts';
import type { Colour, Glyph, PopeSplit, QuestionFamily, Relation, Shape, SizeClass } from './vocabulary.ts';

export interface WorldObject {
  /** Index in the scene's object list (draw order). */
  id: number;
  shape: Shape;
  colour: Colour;
  /** Tight pixel box of the drawn shape, [x0, y0, x1, y1], x1/y1 exclusive, integer. */
  box: Box;
  /** Centre and side of the square the shape is inscribed in (pixels, may be fractional). */
  cx: number;
  cy: number;
  side: number;
  glyph: Glyph | null;
  sizeClass: SizeClass;
}

/** Grey marks under the objects that no question is about. */
export type Clutter =
  { kind: 'dot'; x: number; y: number; r: number; grey: string } | { kind: 'line'; points: [number, number][]; width: number; grey: string };

export interface Scene {
  /** `s<seed>-<index>`, also the image's file stem. */
  id: string;
  seed: number;
  index: number;
  width: number;
  height: number;
  background: string;
  objects: WorldObject[];
  clutter: Clutter[];
}

export interface QuestionTarget {
  /** 'target' holds the answer; 'anchor' is the object a relation question names. */
  role: 'target' | 'anchor';
  objectId: number;
  box: Box;
  /** The phrase that picks this object out uniquely ("the small red circle"). */
  phrase: string;
}

export interface WorldQuestion {
  /** `<scene id>-q<k>`. */
  id: string;
  /** 1-based position in the dataset: the integer question_id of the POPE, VQA and refs exports. */
  number: number;
  sceneId: string;
  family: QuestionFamily;
  /** Finer kind: attribute 'colour' | 'shape'; relation 'colour' | 'shape'; glyph 'letter' | 'digit'; existence 'yes' | 'no'. */
  kind: string;
  text: string;
  /** One lower-case word. */
  answer: string;
  /** Objects the answer depends on; empty for existence questions answered "no". */
  targets: QuestionTarget[];
  /** Size class of the 'target' object; null when there is none (absent object). */
  sizeClass: SizeClass | null;
  /** Existence questions only: the POPE split this question belongs to. */
  popeSplit?: PopeSplit;
  /** Relation questions only. */
  relation?: Relation;
}
