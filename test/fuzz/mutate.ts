/**
 * Structure-aware mutation of good inputs, seeded: a JSON value with one to three of its members
 * deleted, nulled, retyped, emptied, made huge, pointed outside its folder or duplicated; a text cut
 * short or with bytes spliced in. Each case is replayable from its seed (generators.ts rng).
 */
import { rng } from './generators.ts';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function pathsOf(v: Json, at: (string | number)[] = [], out: (string | number)[][] = [], depth = 0): (string | number)[][] {
  if (depth > 0) out.push(at);
  if (depth >= 6 || out.length > 4000) return out;
  if (Array.isArray(v)) v.forEach((x, i) => pathsOf(x, [...at, i], out, depth + 1));
  else if (v !== null && typeof v === 'object') for (const [k, x] of Object.entries(v)) pathsOf(x, [...at, k], out, depth + 1);
  return out;
}

/** Replacements a loader must refuse or handle: wrong types, empty, huge, out-of-folder paths. */
const replacements: Json[] = [
  null,
  '',
  -1,
  0,
  1e308,
  3.5,
  true,
  [],
  {},
  '../../../../etc/passwd',
  '/etc/passwd',
  'x'.repeat(20_000),
  '\u0000',
  'yes',
  'no',
  '%2e%2e/%2e%2e/secret.png',
  [null],
  { answer: 7 },
];

function pick<T>(r: () => number, xs: readonly T[]): T {
  return xs[Math.floor(r() * xs.length)];
}

/** `value` with 1-3 members changed; says what was done, for the failure message. */
export function mutateJson(value: Json, seed: number): { value: Json; what: string[] } {
  const r = rng(seed);
  const copy = JSON.parse(JSON.stringify(value)) as Json;
  const what: string[] = [];
  const n = 1 + Math.floor(r() * 3);
  for (let k = 0; k < n; k++) {
    const paths = pathsOf(copy);
    if (paths.length === 0) break;
    const path = pick(r, paths);
    const parent = path.slice(0, -1).reduce<Json>((o, key) => (o as Record<string | number, Json>)[key], copy) as Record<string | number, Json> | Json[];
    const key = path[path.length - 1];
    const op = Math.floor(r() * 4);
    if (op === 0) {
      if (Array.isArray(parent)) parent.splice(key as number, 1);
      else delete parent[key];
      what.push(`deleted ${path.join('.')}`);
    } else if (op === 1 && Array.isArray(parent)) {
      parent.push(JSON.parse(JSON.stringify(parent[key as number])) as Json);
      what.push(`duplicated ${path.join('.')}`);
    } else if (op === 2) {
      const old = (parent as Record<string | number, Json>)[key];
      (parent as Record<string | number, Json>)[key] =
        typeof old === 'number' ? String(old) : typeof old === 'string' && /^\d+$/.test(old) ? Number(old) : pick(r, replacements);
      what.push(`retyped ${path.join('.')}`);
    } else {
      (parent as Record<string | number, Json>)[key] = pick(r, replacements);
      what.push(`replaced ${path.join('.')}`);
    }
  }
  return { value: copy, what };
}

/** The text cut at a random point, or with random bytes spliced in (a quarter of the seeds); else as is. */
export function damageText(text: string, seed: number): { text: string; what: string | null } {
  const r = rng(seed ^ 0x5bd1e995);
  const kind = Math.floor(r() * 8);
  if (kind === 0) {
    const at = Math.floor(r() * text.length);
    return { text: text.slice(0, at), what: `cut at ${at} of ${text.length}` };
  }
  if (kind === 1) {
    const at = Math.floor(r() * text.length);
    const junk = Array.from({ length: 1 + Math.floor(r() * 16) }, () => String.fromCharCode(Math.floor(r() * 0x7f))).join('');
    return { text: text.slice(0, at) + junk + text.slice(at), what: `${junk.length} random characters at ${at}` };
  }
  return { text, what: null };
}
