/** The record's sidecar tensors (record.ts RECORD_TENSORS) from the pipeline's values. */
import type { AttentionStack, Grid, VaqScores } from '../../../common/laser/index.ts';
import type { RecordTensor, RecordTensors } from '../record.ts';

/** Read-outs at T positions as one F32 [T, L, H, Nv] tensor. */
export function positionsTensor(stacks: readonly AttentionStack[]): RecordTensor {
  const [first] = stacks;
  if (first === undefined) throw new RangeError('positionsTensor: no read-outs.');
  const { layers, heads, tokens } = first;
  const per = layers * heads * tokens;
  const data = new Float32Array(stacks.length * per);
  stacks.forEach((s, t) => data.set(s.data, t * per));
  return { dtype: 'F32', shape: [stacks.length, layers, heads, tokens], data };
}

/** The chosen layer of read-outs, position mean: per head [H, gh, gw] and head mean [gh, gw]. */
export function layerTensors(name: 'a_q' | 'a_0', stacks: readonly AttentionStack[], layer: number, grid: Grid): RecordTensors {
  const [first] = stacks;
  if (first === undefined) throw new RangeError(`${name}: no read-outs.`);
  const { heads, tokens } = first;
  const perHead = new Float32Array(heads * tokens);
  const mean = new Float32Array(tokens);
  const acc = new Float64Array(heads * tokens);
  for (const s of stacks) {
    const o = layer * heads * tokens;
    const rows = s.data.subarray(o, o + acc.length);
    if (rows.length !== acc.length) throw new RangeError(`${name}: layer ${layer} is not one of the read-out's ${s.layers} layers.`);
    for (let i = 0; i < rows.length; i++) acc[i]! += rows[i]!;
  }
  // acc holds heads x tokens values (its own length bounds every read below)
  for (let i = 0; i < acc.length; i++) perHead[i] = acc[i]! / stacks.length;
  for (let j = 0; j < tokens; j++) {
    let sum = 0;
    for (let h = 0; h < heads; h++) sum += acc[h * tokens + j]!;
    mean[j] = sum / (heads * stacks.length);
  }
  return {
    [`${name}.layer`]: { dtype: 'F32', shape: [heads, grid.gh, grid.gw], data: perHead },
    [`${name}.layer_mean`]: { dtype: 'F32', shape: [grid.gh, grid.gw], data: mean },
  } as RecordTensors;
}

export function f64Tensor(values: ArrayLike<number>, shape: number[]): RecordTensor {
  return { dtype: 'F64', shape, data: Float64Array.from(values) };
}

export function vaqTensors(vaq: VaqScores): RecordTensors {
  return { vaq: f64Tensor(vaq.perLayer, [vaq.layers]), vaq_heads: f64Tensor(vaq.perHead, [vaq.layers, vaq.heads]) };
}

/** VAQ per head as rows of the record's `vaqHeads`. */
export function vaqRows(vaq: VaqScores): number[][] {
  return Array.from({ length: vaq.layers }, (_, l) => Array.from(vaq.perHead.subarray(l * vaq.heads, (l + 1) * vaq.heads)));
}
