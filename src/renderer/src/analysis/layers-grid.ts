/** The Layers view's logic: which layers to show (a range such as "8-20") and how big the tiles can be in the space there is. */

/** "8-20" (or "5", or "" for all) as the inclusive range [from, to] of a model with `layers` layers; a string saying what is wrong otherwise. */
export function parseLayerRange(text: string, layers: number): [number, number] | string {
  const t = text.trim();
  if (t === '') return [0, layers - 1];
  const m = /^(\d+)\s*(?:[-–]\s*(\d+))?$/.exec(t);
  if (!m) return `"${t}" is not a layer range; write e.g. 8-20.`;
  const from = Number(m[1]);
  const to = m[2] === undefined ? from : Number(m[2]);
  if (to < from) return `${from}-${to} runs backwards; write the lower layer first.`;
  if (to >= layers) return `This model has layers 0-${layers - 1}.`;
  return [from, to];
}

/** Columns and tile width for `n` tiles in `width` px: as many columns as keep each tile at least `minTile` wide (at most n). */
export function gridColumns(n: number, width: number, minTile: number, gap: number): { cols: number; tile: number } {
  if (n <= 0) return { cols: 1, tile: Math.max(0, width) };
  const cols = Math.max(1, Math.min(n, Math.floor((width + gap) / (minTile + gap))));
  return { cols, tile: Math.floor((width - (cols - 1) * gap) / cols) };
}
