/**
 * Spatial relations between objects, decided from box centres with a margin so that no answer
 * hangs on a pixel: `t` is "left of" `a` when it lies in the 70°-wide cone opening leftwards from
 * a's centre (|dy| < 0.7 |dx|), and it is *the* object left of `a` only if every other object is
 * clearly outside the wider cone |dy| < 1.4 |dx| on that side.
 */
import type { WorldObject } from './types.ts';
import type { Relation } from './vocabulary.ts';

const INNER = 0.7;
const OUTER = 1.4;

function centre(o: WorldObject): [number, number] {
  return [(o.box[0] + o.box[2]) / 2, (o.box[1] + o.box[3]) / 2];
}

/** Offsets (along, across) of `o` from `a` for a relation: along > 0 means on that side. */
function offsets(o: WorldObject, a: WorldObject, rel: Relation): [number, number] {
  const [ox, oy] = centre(o);
  const [ax, ay] = centre(a);
  switch (rel) {
    case 'left of':
      return [ax - ox, oy - ay];
    case 'right of':
      return [ox - ax, oy - ay];
    case 'above':
      return [ay - oy, ox - ax];
    case 'below':
      return [oy - ay, ox - ax];
  }
}

function inCone(o: WorldObject, a: WorldObject, rel: Relation, slope: number): boolean {
  const [along, across] = offsets(o, a, rel);
  return along > 0 && Math.abs(across) < slope * along;
}

/** The unique object standing in `rel` to `anchor`, or null when there is none or it is not clear-cut. */
export function relatedObject(anchor: WorldObject, rel: Relation, objects: readonly WorldObject[]): WorldObject | null {
  const others = objects.filter((o) => o.id !== anchor.id);
  const inner = others.filter((o) => inCone(o, anchor, rel, INNER));
  if (inner.length !== 1) return null;
  const crowd = others.filter((o) => inCone(o, anchor, rel, OUTER));
  return crowd.length === 1 ? (inner[0] ?? null) : null;
}
