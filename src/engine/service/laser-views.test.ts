import { describe, expect, it } from 'vitest';
import type { AnalysisRecord, RecordTensors } from '../../common/laser/record.ts';
import { laserViews, meanOverHeads } from './laser-views.ts';

/** A 100 x 50 image padded to a 100 x 100 square (25 px above and below), on a 2 x 2 grid. */
const geometry: AnalysisRecord['geometry'] = {
  mode: 'pad',
  imageWidth: 100,
  imageHeight: 50,
  inputWidth: 56,
  inputHeight: 56,
  scaleX: 0.56,
  scaleY: 0.56,
  offsetX: 0,
  offsetY: 14,
  steps: [
    { kind: 'pad', left: 0, top: 25, width: 100, height: 100, fill: [0, 0, 0] },
    { kind: 'resize', width: 56, height: 56 },
  ],
  gridWidth: 2,
  gridHeight: 2,
};

describe('laser views', () => {
  it('refuses a record whose geometry and maps disagree on the grid, instead of assuming one', () => {
    const maps = { a_q: { input: 'image', grid: [1, 4] } };
    expect(() => laserViews({ geometry, tensors: { maps } } as unknown as AnalysisRecord, {})).toThrow(/2x2 grid; its maps lie on 1x4/);
  });

  it('averages read-outs over positions and heads: [T, L, H, N] -> [L][N]', () => {
    // T = 2, L = 1, H = 2, N = 2
    const a = { dtype: 'F32' as const, shape: [2, 1, 2, 2], data: Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8]) };
    expect(meanOverHeads(a)).toEqual([[4, 5]]);
  });

  it('averages contrastive attention over heads, per layer', () => {
    // L = 2, H = 2, N = 3
    const A = { dtype: 'F64' as const, shape: [2, 2, 3], data: Float64Array.from([1, 2, 3, 3, 4, 5, 0, 0, 0, 2, 2, 2]) };
    expect(meanOverHeads(A)).toEqual([
      [2, 3, 4],
      [1, 1, 1],
    ]);
  });

  it('places cells on the original image, padding included, and passes the maps on as numbers', () => {
    const M = { dtype: 'F64' as const, shape: [2, 2], data: Float64Array.from([0.1, 0.2, 0.3, 0.4]) };
    const tensors: RecordTensors = { M, 'a_q.layer_mean': { dtype: 'F32', shape: [2, 2], data: Float32Array.from([1, 2, 3, 4]) } };
    const v = laserViews(
      { geometry, tensors: { file: 'tensors.safetensors', names: [], maps: { a_q: { input: 'image', grid: [2, 2] } } } } as unknown as AnalysisRecord,
      tensors,
    );
    expect(v.grid).toEqual([2, 2]);
    expect(v.cells).toEqual([
      [0, -25, 50, 25],
      [50, -25, 100, 25],
      [0, 25, 50, 75],
      [50, 25, 100, 75],
    ]);
    expect(v.map).toEqual([0.1, 0.2, 0.3, 0.4]);
    expect(v.queryAttention).toEqual([1, 2, 3, 4]);
    expect(v.baseAttention).toBeNull();
    expect(v.contrastive).toBeNull();
  });
});
