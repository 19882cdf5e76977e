/**
 * Referring expressions: a phrase that picks out exactly one object of a scene, built only from
 * the attributes a question may mention (a colour question must not name the colour).
 *
 * "small"/"large" are relative: "the small star" is the smaller of exactly two stars whose areas
 * differ at least 2.5 times, or the only star when that star is itself in the small size class
 * (and likewise "large"), so the word is true under either reading.
 */
import { boxArea } from '../../common/geometry/box.ts';
import type { WorldObject } from './types.ts';

export interface ReferOptions {
  /** The phrase may name the colour (false for "What color is ..."). */
  colour: boolean;
  /** The phrase may name the shape (false for "What shape is ..."; the head noun is then "object"). */
  shape: boolean;
}

/** How much larger the larger of two look-alikes must be for "small"/"large" to tell them apart. */
export const SIZE_CONTRAST = 2.5;

/** Every unambiguous phrase for `o` (without the article), simplest first. */
export function referringPhrases(o: WorldObject, objects: readonly WorldObject[], opts: ReferOptions): string[] {
  const out: string[] = [];
  const noun = opts.shape ? o.shape : 'object';
  const heads: { words: string; same: (x: WorldObject) => boolean }[] = [];
  if (opts.shape) heads.push({ words: o.shape, same: (x) => x.shape === o.shape });
  if (opts.colour) heads.push({ words: `${o.colour} ${noun}`, same: (x) => x.colour === o.colour && (!opts.shape || x.shape === o.shape) });
  for (const head of heads) {
    const alike = objects.filter(head.same);
    if (alike.length === 1) {
      out.push(head.words);
      if (o.sizeClass !== 'medium') out.push(`${o.sizeClass} ${head.words}`);
    } else if (alike.length === 2) {
      // the other of the two; o itself is one of them (head.same(o) holds)
      const other = alike.find((x) => x.id !== o.id);
      if (other === undefined) continue;
      const a = boxArea(o.box);
      const b = boxArea(other.box);
      if (a * SIZE_CONTRAST <= b) out.push(`small ${head.words}`);
      else if (b * SIZE_CONTRAST <= a) out.push(`large ${head.words}`);
    }
  }
  return out;
}

/** The objects a phrase (as produced above) denotes in a scene: for checking, and for tests. */
export function resolvePhrase(phrase: string, objects: readonly WorldObject[]): WorldObject[] {
  const words = phrase.split(' ');
  let size: 'small' | 'large' | null = null;
  if (words[0] === 'small' || words[0] === 'large') size = words.shift() as 'small' | 'large';
  const noun = words.pop();
  const colour = words[0] ?? null;
  const alike = objects.filter((x) => (noun === 'object' || x.shape === noun) && (colour === null || x.colour === colour));
  if (size === null || alike.length <= 1) return alike.filter((x) => size === null || x.sizeClass === size);
  if (alike.length !== 2) return alike;
  const [p, q] = alike;
  if (p === undefined || q === undefined) return alike;
  const [small, large] = boxArea(p.box) < boxArea(q.box) ? [p, q] : [q, p];
  if (boxArea(small.box) * SIZE_CONTRAST > boxArea(large.box)) return alike;
  return [size === 'small' ? small : large];
}
