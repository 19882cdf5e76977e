import { describe, expect, it } from 'vitest';
import { sceneRng } from './draw.ts';
import { generateQuestions } from './questions.ts';
import { referringPhrases, resolvePhrase } from './refer.ts';
import { relatedObject } from './relations.ts';
import { generateScene } from './scene.ts';
import type { Scene, WorldObject, WorldQuestion } from './types.ts';
import { buildWorld } from './world.ts';
import { POPE_SPLITS, QUESTION_FAMILIES, RELATIONS, type Relation } from './vocabulary.ts';
import { at, first } from '../../../test/support/index-access.ts';

const world = buildWorld(5, 250, { attribute: 2, existence: 4, relation: 2, glyph: 2 });
const sceneOf = new Map(world.scenes.map((s) => [s.id, s]));

function only(phrase: string, scene: Scene): WorldObject {
  const found = resolvePhrase(phrase, scene.objects);
  expect(found, `"${phrase}" in ${scene.id} must name exactly one object`).toHaveLength(1);
  return first(found);
}

/** The answer recomputed from the scene and the question's wording alone. */
function answerFromScene(q: WorldQuestion, scene: Scene): string {
  let m: RegExpExecArray | null;
  if ((m = /^What color is the shape (left of|right of|above|below) the (.+)\?$/.exec(q.text))) {
    const t = relatedObject(only(at(m, 2), scene), at(m, 1) as Relation, scene.objects);
    return t === null ? '(none)' : t.colour;
  }
  if ((m = /^What shape is (left of|right of|above|below) the (.+)\?$/.exec(q.text))) {
    const t = relatedObject(only(at(m, 2), scene), at(m, 1) as Relation, scene.objects);
    return t === null ? '(none)' : t.shape;
  }
  if ((m = /^What color is the (.+)\?$/.exec(q.text))) return only(at(m, 1), scene).colour;
  if ((m = /^What shape is the (.+)\?$/.exec(q.text))) return only(at(m, 1), scene).shape;
  if ((m = /^What (letter|number) is on the (.+)\?$/.exec(q.text))) return only(at(m, 2), scene).glyph ?? '(none)';
  if ((m = /^Is there an? (\w+) (\w+) in the image\?$/.exec(q.text))) return scene.objects.some((o) => o.colour === m![1] && o.shape === m![2]) ? 'yes' : 'no';
  throw new Error(`unparsed question "${q.text}"`);
}

describe('generateQuestions', () => {
  it('gives every question the answer the scene implies', () => {
    for (const q of world.questions) expect(answerFromScene(q, sceneOf.get(q.sceneId)!), `${q.id}: ${q.text}`).toBe(q.answer);
  });

  it('records the target boxes and the size class of the object the answer comes from', () => {
    for (const q of world.questions) {
      const scene = sceneOf.get(q.sceneId)!;
      const t = q.targets.find((x) => x.role === 'target');
      if (q.family === 'existence' && q.answer === 'no') {
        expect(q.targets).toEqual([]);
        expect(q.sizeClass).toBeNull();
        continue;
      }
      expect(t, q.id).toBeDefined();
      const o = at(scene.objects, t!.objectId);
      expect(t!.box).toEqual(o.box);
      expect(q.sizeClass).toBe(o.sizeClass);
      if (q.family === 'relation') {
        const anchor = q.targets.find((x) => x.role === 'anchor')!;
        expect(relatedObject(at(scene.objects, anchor.objectId), q.relation!, scene.objects)?.id).toBe(o.id);
      }
    }
  });

  it('covers every family, both answers of existence with each POPE split, every relation, and every size class', () => {
    const fam = new Set(world.questions.map((q) => q.family));
    expect(fam).toEqual(new Set(QUESTION_FAMILIES));
    const existence = world.questions.filter((q) => q.family === 'existence');
    for (const split of POPE_SPLITS) {
      for (const label of ['yes', 'no'])
        expect(
          existence.some((q) => q.popeSplit === split && q.answer === label),
          `${split} ${label}`,
        ).toBe(true);
    }
    expect(new Set(world.questions.filter((q) => q.family === 'relation').map((q) => q.relation))).toEqual(new Set(RELATIONS));
    for (const f of ['attribute', 'relation', 'glyph'] as const) {
      expect(new Set(world.questions.filter((q) => q.family === f).map((q) => q.sizeClass)), f).toEqual(new Set(['small', 'medium', 'large']));
    }
  });

  it('makes adversarial negatives change one attribute of a present object', () => {
    const adversarial = world.questions.filter((q) => q.popeSplit === 'adversarial' && q.answer === 'no');
    expect(adversarial.length).toBeGreaterThan(20);
    const near = adversarial.filter((q) => {
      const [, colour, shape] = /^Is there an? (\w+) (\w+) in/.exec(q.text)!;
      return sceneOf.get(q.sceneId)!.objects.some((o) => o.colour === colour || o.shape === shape);
    });
    expect(near.length).toBe(adversarial.length);
  });

  it('numbers questions 1..n in order and never repeats a question within a scene', () => {
    expect(world.questions.map((q) => q.number)).toEqual(world.questions.map((_, i) => i + 1));
    for (const s of world.scenes) {
      const texts = world.questions.filter((q) => q.sceneId === s.id).map((q) => q.text);
      expect(new Set(texts).size).toBe(texts.length);
    }
  });

  it('is deterministic and leaves the scene untouched', () => {
    const scene = generateScene(5, 3);
    const before = JSON.stringify(scene);
    const a = generateQuestions(sceneRng(5, 3, 'questions'), scene);
    const b = generateQuestions(sceneRng(5, 3, 'questions'), scene);
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
    expect(JSON.stringify(scene)).toBe(before);
  });
});

describe('referringPhrases', () => {
  const obj = (id: number, shape: WorldObject['shape'], colour: WorldObject['colour'], side: number): WorldObject => ({
    id,
    shape,
    colour,
    side,
    cx: 100 * id + 50,
    cy: 50,
    box: [100 * id + 50 - side / 2, 50 - side / 2, 100 * id + 50 + side / 2, 50 + side / 2],
    glyph: null,
    sizeClass: side < 20 ? 'small' : side < 50 ? 'medium' : 'large',
  });

  it('names a shape alone when it is unique, and tells two alike apart by size only when they differ enough', () => {
    const objs = [obj(0, 'star', 'red', 10), obj(1, 'star', 'blue', 40), obj(2, 'circle', 'red', 30)];
    expect(referringPhrases(at(objs, 2), objs, { colour: false, shape: true })).toEqual(['circle']);
    expect(referringPhrases(at(objs, 0), objs, { colour: false, shape: true })).toEqual(['small star']);
    expect(referringPhrases(at(objs, 1), objs, { colour: false, shape: true })).toEqual(['large star']);
    const close = [obj(0, 'star', 'red', 30), obj(1, 'star', 'blue', 40)];
    expect(referringPhrases(at(close, 0), close, { colour: false, shape: true })).toEqual([]);
    expect(referringPhrases(at(close, 0), close, { colour: true, shape: true })).toEqual(['red star']);
  });

  it('never names the asked-for attribute', () => {
    for (const q of world.questions) {
      const t = q.targets.find((x) => x.role === 'target');
      if (q.family !== 'attribute' || !t) continue;
      const words = t.phrase.split(' ');
      if (q.kind === 'colour') expect(words).not.toContain(q.answer);
      if (q.kind === 'shape') expect(words).not.toContain(q.answer);
    }
  });
});
