/**
 * What the renderer draws from a record, laid out so it needs neither tensors nor geometry code:
 * maps as plain numbers in grid order, contrastive attention averaged over heads per layer, and
 * each grid cell's rectangle on the original image (from the record's geometry, as the run placed
 * its crop and mask).
 */
import type { LaserResult, LaserViews } from '../../common/contract/methods.ts';
import { recordToJsonValue, type AnalysisRecord, type RecordTensor, type RecordTensors } from '../../common/laser/record.ts';
import { cellMapping } from '../laser/views.ts';

function plain(t: RecordTensor | undefined): number[] | null {
  return t ? Array.from(t.data) : null;
}

/** [L, H, N] -> [L][N], the mean over H. */
export function meanOverHeads(t: RecordTensor): number[][] {
  const [L, H, N] = t.shape;
  const out: number[][] = [];
  for (let l = 0; l < L; l++) {
    const row = new Array<number>(N).fill(0);
    for (let h = 0; h < H; h++) {
      const base = (l * H + h) * N;
      for (let j = 0; j < N; j++) row[j] += t.data[base + j];
    }
    for (let j = 0; j < N; j++) row[j] /= H;
    out.push(row);
  }
  return out;
}

export function laserViews(record: AnalysisRecord, tensors: RecordTensors): LaserViews {
  const g = record.geometry;
  const mapping = cellMapping(g);
  const cells = Array.from({ length: g.gridHeight * g.gridWidth }, (_, j) => {
    const [x0, y0, x1, y1] = mapping.cellRect(j);
    return [x0, y0, x1, y1] as [number, number, number, number];
  });
  return {
    grid: [g.gridHeight, g.gridWidth],
    cells,
    map: plain(tensors.M),
    contrastive: tensors.A ? meanOverHeads(tensors.A) : null,
    queryAttention: plain(tensors['a_q.layer_mean']),
    baseAttention: plain(tensors['a_0.layer_mean']),
  };
}

export function laserResult(record: AnalysisRecord, tensors: RecordTensors, cached: boolean): LaserResult {
  return { id: record.cacheKey, cached, record: recordToJsonValue(record), views: laserViews(record, tensors) };
}
