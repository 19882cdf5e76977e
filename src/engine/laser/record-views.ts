/**
 * What the contract's `LaserViews` carries to the renderer, read from a record and its tensors: the
 * maps as plain numbers in grid order, and every cell's rectangle on the original image (rebuilt
 * from the record's preprocessing transform), so the renderer needs neither geometry code nor the
 * tensor file. Nothing is recomputed but head means.
 */
import type { LaserViews } from '../../common/contract/methods.ts';
import { recordGrid, type AnalysisRecord, type RecordTensors } from './record.ts';
import { cellMapping } from './views.ts';

/** Mean over the heads of each layer of a [L, H, N] tensor: [L][N]. */
function headMeans(data: Float64Array | Float32Array, [L, H, N]: number[]): number[][] {
  return Array.from({ length: L }, (_, l) => {
    const out = new Array<number>(N).fill(0);
    for (let h = 0; h < H; h++) for (let j = 0; j < N; j++) out[j] += data[(l * H + h) * N + j];
    return out.map((v) => v / H);
  });
}

export function recordViews(record: AnalysisRecord, tensors: RecordTensors): LaserViews {
  const { gh, gw } = recordGrid(record);
  const mapping = cellMapping(record.geometry);
  const cells = Array.from({ length: gh * gw }, (_, j) => {
    const [x0, y0, x1, y1] = mapping.cellRect(j);
    return [x0, y0, x1, y1] as [number, number, number, number];
  });
  const list = (t: RecordTensors[keyof RecordTensors]) => (t ? Array.from(t.data) : null);
  return {
    grid: [gh, gw],
    cells,
    map: list(tensors.M),
    contrastive: tensors.A ? headMeans(tensors.A.data, tensors.A.shape) : null,
    queryAttention: list(tensors['a_q.layer_mean']),
    baseAttention: list(tensors['a_0.layer_mean']),
  };
}
