/**
 * Which heads a contrastive map is averaged over: all of them (the head mean the views carry), one
 * head, or the top-k heads of the layer by their own VAQ (the rule the localisation map M uses at
 * l*, here at any layer). Pure: from per-head maps and per-head VAQ to the map to draw.
 */

export type HeadSelection = { kind: 'mean' } | { kind: 'head'; head: number } | { kind: 'top'; k: number };

export const MEAN_HEADS: HeadSelection = { kind: 'mean' };

/** The heads a selection takes at a layer of `H` heads, ascending; `vaq`: that layer's VAQ per head (needed for top-k). */
export function selectedHeads(sel: HeadSelection, H: number, vaq: readonly number[] | null): number[] {
  const all = Array.from({ length: H }, (_, h) => h);
  if (sel.kind === 'mean') return all;
  if (sel.kind === 'head') {
    if (!(Number.isInteger(sel.head) && sel.head >= 0 && sel.head < H)) throw new RangeError(`head ${sel.head} is not one of the layer's heads 0..${H - 1}`);
    return [sel.head];
  }
  if (!vaq || vaq.length !== H) throw new RangeError(`top-${sel.k} heads need the layer's VAQ per head (${H} values)`);
  const k = Math.min(H, Math.max(1, Math.floor(sel.k)));
  // highest VAQ first; a tie goes to the lower head index, so the choice is deterministic
  return [...all]
    .sort((a, b) => (vaq[b] ?? 0) - (vaq[a] ?? 0) || a - b)
    .slice(0, k)
    .sort((a, b) => a - b);
}

/** The mean of the chosen heads' maps, cell by cell. */
export function headsMean(perHead: readonly (readonly number[])[], heads: readonly number[]): number[] {
  const first = heads[0];
  if (first === undefined) throw new RangeError('no heads to average');
  const N = perHead[first]?.length ?? 0;
  const out = new Array<number>(N).fill(0);
  for (const h of heads) {
    const m = perHead[h];
    if (!m || m.length !== N) throw new RangeError(`head ${h} has ${m?.length ?? 0} cells, not ${N}`);
    // m and out both have N entries (checked above)
    m.forEach((v, j) => (out[j] = (out[j] ?? 0) + v));
  }
  return out.map((v) => v / heads.length);
}

/** Short words for a toggle, a legend or a figure's metadata. */
export function headsLabel(sel: HeadSelection): string {
  if (sel.kind === 'mean') return 'mean of heads';
  if (sel.kind === 'head') return `head ${sel.head}`;
  return `top-${sel.k} heads by VAQ`;
}

/** The selection a key press moves to: mean, head 0, 1, ..., H-1, then mean again (d = -1 backwards). */
export function stepHeads(sel: HeadSelection, H: number, d: 1 | -1): HeadSelection {
  if (H <= 0) return MEAN_HEADS;
  // positions: 0 = mean, 1..H = head 0..H-1; top-k steps to the neighbouring single heads from the mean
  const at = sel.kind === 'head' ? sel.head + 1 : 0;
  const next = (at + d + H + 1) % (H + 1);
  return next === 0 ? MEAN_HEADS : { kind: 'head', head: next - 1 };
}

/** A selection read back from storage or a URL, or null when it is not one this build writes. */
export function parseHeadSelection(v: unknown): HeadSelection | null {
  if (typeof v !== 'object' || v === null) return null;
  const o = v as Record<string, unknown>;
  if (o.kind === 'mean') return MEAN_HEADS;
  if (o.kind === 'head' && typeof o.head === 'number' && Number.isInteger(o.head) && o.head >= 0) return { kind: 'head', head: o.head };
  if (o.kind === 'top' && typeof o.k === 'number' && Number.isInteger(o.k) && o.k >= 1) return { kind: 'top', k: o.k };
  return null;
}
