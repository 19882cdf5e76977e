/**
 * Attention sinks: grid cells that take a large share of the attention at nearly every layer,
 * whatever the question (known in ViTs and LLMs as register-like tokens; in LLaVA a few background
 * patches). They dominate a map's normalisation without saying where the evidence is, so views can
 * flag them and leave them out of the colour scale.
 */

export interface SinkOptions {
  /** A cell is heavy at a layer when it holds at least `factor` times a uniform share (1 / N) of that layer's grid mass. Default 5. */
  factor?: number;
  /** ...at no fewer than this share of the layers. Default 0.9. */
  layers?: number;
}

/** The sink cells of per-layer maps [L][N] (e.g. query attention, head mean), in grid order. */
export function attentionSinks(perLayer: readonly (readonly number[])[], o: SinkOptions = {}): number[] {
  const factor = o.factor ?? 5;
  const need = Math.ceil((o.layers ?? 0.9) * perLayer.length);
  const [first] = perLayer;
  if (first === undefined) return [];
  const N = first.length;
  const heavy = new Uint32Array(N);
  for (const row of perLayer) {
    if (row.length !== N) throw new RangeError(`Layers have ${N} and ${row.length} cells.`);
    const total = row.reduce((s, v) => s + (Number.isFinite(v) && v > 0 ? v : 0), 0);
    if (total <= 0) continue;
    for (const [j, v] of row.entries()) if (v / total >= factor / N) heavy[j]!++;
  }
  return Array.from(heavy).flatMap((h, j) => (h >= need ? [j] : []));
}

/** The map with `cells` left out (0), the rest normalised to the sum it had: what the colour scale is set from when sinks are excluded. */
export function excludeCells(map: readonly number[], cells: readonly number[]): number[] {
  const drop = new Set(cells);
  const total = map.reduce((s, v) => s + v, 0);
  const kept = map.reduce((s, v, j) => s + (drop.has(j) ? 0 : v), 0);
  const k = kept > 0 ? total / kept : 0;
  return map.map((v, j) => (drop.has(j) ? 0 : v * k));
}
