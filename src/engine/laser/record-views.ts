/**
 * What the contract's `LaserViews` carries to the renderer, read from a record and its tensors: the
 * maps as plain numbers in grid order, and every cell's rectangle on the original image (rebuilt
 * from the record's preprocessing transform), so the renderer needs neither geometry code nor the
 * tensor file. The grid is the one the record says I's maps lie on, never the model's nominal one
 * (an any-resolution model gives every image its own). Nothing is recomputed but head means.
 */
import type { InputImage, LaserViews } from '../../common/contract/methods.ts';
import { mapGrid, type AnalysisRecord, type RecordTensor, type RecordTensorName, type RecordTensors } from './record.ts';
import { cellMapping } from './views.ts';

/** The sizes of a [L, H, N] or [T, L, H, N] tensor as [T, L, H, N], checked against its data. */
function attentionDims(t: RecordTensor): [T: number, L: number, H: number, N: number] {
  const [a, b, c, d] = t.shape;
  const dims: [number, number, number, number] | null =
    a === undefined || b === undefined || c === undefined
      ? null
      : t.shape.length === 3
        ? [1, a, b, c]
        : t.shape.length === 4 && d !== undefined
          ? [a, b, c, d]
          : null;
  if (dims === null || t.data.length !== dims[0] * dims[1] * dims[2] * dims[3])
    throw new RangeError(
      `An attention tensor is [layers, heads, cells] or [positions, layers, heads, cells] with that many values; this one is [${t.shape.join(', ')}] with ${t.data.length}.`,
    );
  return dims;
}

/** Mean over the heads of each layer of a [L, H, N] tensor (or [T, L, H, N]: also the mean over T): [L][N]. */
export function meanOverHeads(t: RecordTensor): number[][] {
  const [T, L, H, N] = attentionDims(t);
  return Array.from({ length: L }, (_, l) => {
    const out = new Float64Array(N);
    // out has N entries and t.data T * L * H * N (attentionDims checks it): the reads below are in range
    for (let p = 0; p < T; p++)
      for (let h = 0; h < H; h++) {
        const base = ((p * L + l) * H + h) * N;
        for (let j = 0; j < N; j++) out[j]! += t.data[base + j]!;
      }
    return Array.from(out, (v) => v / (H * T));
  });
}

/** Layer `layer` of a [L, H, N] tensor (or [T, L, H, N]: the mean over T), head by head: [H][N]. */
export function layerHeads(t: RecordTensor, layer: number): number[][] {
  const [T, L, H, N] = attentionDims(t);
  if (!(Number.isInteger(layer) && layer >= 0 && layer < L)) throw new RangeError(`layer ${layer} is not one of the record's layers 0..${L - 1}`);
  return Array.from({ length: H }, (_, h) => {
    const out = new Float64Array(N);
    for (let p = 0; p < T; p++) {
      const base = ((p * L + layer) * H + h) * N;
      for (let j = 0; j < N; j++) out[j]! += t.data[base + j]!;
    }
    return Array.from(out, (v) => (T === 1 ? v : v / T));
  });
}

export function recordViews(record: AnalysisRecord, tensors: RecordTensors): LaserViews {
  const [gh, gw] = mapGrid(record, 'a_q');
  const g = record.geometry;
  if (g.gridHeight !== gh || g.gridWidth !== gw)
    throw new RangeError(`The record's geometry has a ${g.gridHeight}x${g.gridWidth} grid; its maps lie on ${gh}x${gw}.`);
  const mapping = cellMapping(g);
  const cells = Array.from({ length: gh * gw }, (_, j) => {
    const [x0, y0, x1, y1] = mapping.cellRect(j);
    return [x0, y0, x1, y1] as [number, number, number, number];
  });
  const list = (t: RecordTensors[keyof RecordTensors]) => (t ? Array.from(t.data) : null);
  return {
    grid: [gh, gw],
    cells,
    map: list(tensors.M),
    contrastive: tensors.A ? meanOverHeads(tensors.A) : null,
    queryAttention: list(tensors['a_q.layer_mean']),
    baseAttention: list(tensors['a_0.layer_mean']),
  };
}

/** The record's inputs as the contract carries them: each with its picture's media ref and its own attention per layer. */
export function recordInputImages(record: AnalysisRecord, tensors: RecordTensors): InputImage[] {
  return record.inputs.map((i) => {
    const t = i.attention === null ? undefined : tensors[i.attention as RecordTensorName];
    return {
      role: i.role,
      width: i.width,
      height: i.height,
      sourceWidth: i.sourceWidth,
      sourceHeight: i.sourceHeight,
      grid: [i.grid[0], i.grid[1]],
      rule: i.rule,
      fedIn: i.fedIn,
      media: { kind: 'record-input', id: record.cacheKey, role: i.role },
      attention: t ? meanOverHeads(t) : null,
    };
  });
}
