/**
 * Questions about a scene, in four families, each with a one-word answer and the boxes of the
 * objects the answer depends on:
 * - attribute: "What color is the small star?", "What shape is the blue object?"
 * - existence (POPE): "Is there a blue triangle in the image?" yes/no; the "no" object is chosen
 *   at random, among the most frequent absent ones (popular) or by changing one attribute of a
 *   present object (adversarial, the analogue of POPE's co-occurrence choice)
 * - relation (two hops: find the anchor, then its neighbour): "What color is the shape left of the
 *   red circle?", "What shape is above the green square?"
 * - glyph: "What letter is on the green square?", "What number is on the large circle?"
 * Targets are drawn stratified by size class, so small objects are asked about as often as large.
 */
import { pick, shuffled, type Rng } from './draw.ts';
import { referringPhrases } from './refer.ts';
import { relatedObject } from './relations.ts';
import type { QuestionTarget, Scene, WorldObject, WorldQuestion } from './types.ts';
import {
  COLOUR_WEIGHTS,
  COLOURS,
  isDigit,
  POPE_SPLITS,
  RELATIONS,
  SHAPE_WEIGHTS,
  SHAPES,
  SIZE_CLASSES,
  type Colour,
  type PopeSplit,
  type QuestionFamily,
  type Shape,
} from './vocabulary.ts';

export interface QuestionCounts {
  attribute: number;
  /** Existence questions come in yes/no pairs from one POPE split: an odd count ends on a "yes". */
  existence: number;
  relation: number;
  glyph: number;
}

/** A held-out test set: about five questions a scene, every family where the scene allows. */
export const DEFAULT_COUNTS: QuestionCounts = { attribute: 1, existence: 2, relation: 1, glyph: 1 };

type Draft = Omit<WorldQuestion, 'id' | 'sceneId' | 'number'>;
/** A question before the dataset numbers it. */
export type SceneQuestion = Omit<WorldQuestion, 'number'>;

function target(o: WorldObject, phrase: string, role: QuestionTarget['role'] = 'target'): QuestionTarget {
  return { role, objectId: o.id, box: [...o.box], phrase };
}

function attributeDrafts(rng: Rng, objs: readonly WorldObject[]): Draft[] {
  const out: Draft[] = [];
  for (const o of objs) {
    const forColour = referringPhrases(o, objs, { colour: false, shape: true });
    if (forColour.length > 0) {
      const p = pick(rng, forColour);
      out.push({ family: 'attribute', kind: 'colour', text: `What color is the ${p}?`, answer: o.colour, targets: [target(o, p)], sizeClass: o.sizeClass });
    }
    const forShape = referringPhrases(o, objs, { colour: true, shape: false });
    if (forShape.length > 0) {
      const p = pick(rng, forShape);
      out.push({ family: 'attribute', kind: 'shape', text: `What shape is the ${p}?`, answer: o.shape, targets: [target(o, p)], sizeClass: o.sizeClass });
    }
  }
  return out;
}

function relationDrafts(rng: Rng, objs: readonly WorldObject[]): Draft[] {
  const out: Draft[] = [];
  for (const anchor of objs) {
    const phrases = referringPhrases(anchor, objs, { colour: true, shape: true });
    if (phrases.length === 0) continue;
    for (const relation of RELATIONS) {
      const t = relatedObject(anchor, relation, objs);
      if (t === null) continue;
      const p = pick(rng, phrases);
      const targets = [target(t, `shape ${relation} the ${p}`), target(anchor, p, 'anchor')];
      if (rng.nextFloat() < 0.5)
        out.push({
          family: 'relation',
          kind: 'colour',
          text: `What color is the shape ${relation} the ${p}?`,
          answer: t.colour,
          targets,
          sizeClass: t.sizeClass,
          relation,
        });
      else
        out.push({
          family: 'relation',
          kind: 'shape',
          text: `What shape is ${relation} the ${p}?`,
          answer: t.shape,
          targets,
          sizeClass: t.sizeClass,
          relation,
        });
    }
  }
  return out;
}

function glyphDrafts(rng: Rng, objs: readonly WorldObject[]): Draft[] {
  const out: Draft[] = [];
  for (const o of objs) {
    if (o.glyph === null) continue;
    const phrases = referringPhrases(o, objs, { colour: true, shape: true });
    if (phrases.length === 0) continue;
    const p = pick(rng, phrases);
    const digit = isDigit(o.glyph);
    out.push({
      family: 'glyph',
      kind: digit ? 'digit' : 'letter',
      text: `What ${digit ? 'number' : 'letter'} is on the ${p}?`,
      answer: o.glyph,
      targets: [target(o, p)],
      sizeClass: o.sizeClass,
    });
  }
  return out;
}

function existenceText(colour: Colour, shape: Shape): string {
  return `Is there ${/^[aeiou]/.test(colour) ? 'an' : 'a'} ${colour} ${shape} in the image?`;
}

/** "Yes" questions: colour-shape pairs that occur exactly once, so the evidence is one box. */
function existenceYes(objs: readonly WorldObject[], split: PopeSplit): Draft[] {
  return objs
    .filter((o) => objs.filter((x) => x.colour === o.colour && x.shape === o.shape).length === 1)
    .map((o) => ({
      family: 'existence',
      kind: 'yes',
      text: existenceText(o.colour, o.shape),
      answer: 'yes',
      targets: [target(o, `${o.colour} ${o.shape}`)],
      sizeClass: o.sizeClass,
      popeSplit: split,
    }));
}

/** One absent colour-shape pair chosen the way the POPE split says, or null if none qualifies. */
function absentPair(rng: Rng, objs: readonly WorldObject[], split: PopeSplit): [Colour, Shape] | null {
  const present = new Set(objs.map((o) => `${o.colour} ${o.shape}`));
  const absent: [Colour, Shape][] = [];
  for (const c of COLOURS) for (const s of SHAPES) if (!present.has(`${c} ${s}`)) absent.push([c, s]);
  if (absent.length === 0) return null;
  if (split === 'random') return pick(rng, absent);
  if (split === 'popular') {
    const ranked = [...absent].sort((a, b) => COLOUR_WEIGHTS[b[0]] * SHAPE_WEIGHTS[b[1]] - COLOUR_WEIGHTS[a[0]] * SHAPE_WEIGHTS[a[1]]);
    return pick(rng, ranked.slice(0, 5));
  }
  // adversarial: one attribute of a present object changed (a present shape in another colour, or the reverse)
  const near = absent.filter(([c, s]) => objs.some((o) => o.shape === s || o.colour === c));
  return near.length > 0 ? pick(rng, near) : pick(rng, absent);
}

function existenceDrafts(rng: Rng, objs: readonly WorldObject[], count: number, firstSplit: number): Draft[] {
  const out: Draft[] = [];
  for (let k = 0; k < count; k++) {
    const split = POPE_SPLITS[(firstSplit + Math.floor(k / 2)) % POPE_SPLITS.length];
    if (split === undefined) throw new RangeError(`firstSplit ${firstSplit} does not index the ${POPE_SPLITS.length} POPE splits`);
    if (k % 2 === 0) {
      const yes = existenceYes(objs, split).filter((d) => !out.some((q) => q.text === d.text));
      if (yes.length > 0) out.push(stratifiedPick(rng, yes));
    } else {
      const pair = absentPair(rng, objs, split);
      if (pair !== null && !out.some((q) => q.text === existenceText(...pair))) {
        out.push({ family: 'existence', kind: 'no', text: existenceText(...pair), answer: 'no', targets: [], sizeClass: null, popeSplit: split });
      }
    }
  }
  return out;
}

/** A size class first (uniformly among those present), then a draft of that class. */
function stratifiedPick(rng: Rng, drafts: readonly Draft[]): Draft {
  const classes = SIZE_CLASSES.filter((c) => drafts.some((d) => d.sizeClass === c));
  if (classes.length === 0) return pick(rng, drafts);
  const c = pick(rng, classes);
  return pick(
    rng,
    drafts.filter((d) => d.sizeClass === c),
  );
}

function chooseDistinct(rng: Rng, drafts: Draft[], count: number): Draft[] {
  const out: Draft[] = [];
  let pool = shuffled(rng, drafts);
  while (out.length < count && pool.length > 0) {
    const d = stratifiedPick(rng, pool);
    out.push(d);
    pool = pool.filter((x) => x.text !== d.text);
  }
  return out;
}

/** Questions for a scene, drawn from `rng` (the scene's 'questions' stream). */
export function generateQuestions(rng: Rng, scene: Scene, counts: QuestionCounts = DEFAULT_COUNTS): SceneQuestion[] {
  const objs = scene.objects;
  const byFamily: Record<QuestionFamily, Draft[]> = {
    attribute: chooseDistinct(rng, attributeDrafts(rng, objs), counts.attribute),
    existence: existenceDrafts(rng, objs, counts.existence, scene.index % POPE_SPLITS.length),
    relation: chooseDistinct(rng, relationDrafts(rng, objs), counts.relation),
    glyph: chooseDistinct(rng, glyphDrafts(rng, objs), counts.glyph),
  };
  const drafts = [...byFamily.attribute, ...byFamily.existence, ...byFamily.relation, ...byFamily.glyph];
  return drafts.map((d, k) => ({ id: `${scene.id}-q${k}`, sceneId: scene.id, ...d }));
}
