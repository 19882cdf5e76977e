import { describe, expect, it } from 'vitest';
import { firstNonFiniteScore } from './finite-scores.ts';
import type { RecordTensors } from './record.ts';

const candidate = (positive: number, negative: number | null = null) => ({ token: 5, text: 'cat', positive, negative, fused: positive });
const ok = { vaq: [0.1, 0.4], vaqHeads: [[0.1], [0.4]], steps: [{ token: 5, text: 'cat', candidates: [candidate(3.5), candidate(-Infinity)] }] };
const tensors: RecordTensors = { M: { dtype: 'F64', shape: [1, 2], data: new Float64Array([0.25, 0.75]) } };

describe('firstNonFiniteScore', () => {
  it('accepts finite scores and -Infinity logits (masked tokens)', () => {
    expect(firstNonFiniteScore(ok, tensors)).toBeNull();
  });

  it('names the first NaN or Inf in VAQ, per-head VAQ, a tensor, or a NaN logit', () => {
    expect(firstNonFiniteScore({ ...ok, vaq: [0.1, NaN] }, tensors)).toBe('vaq[1] is NaN');
    expect(firstNonFiniteScore({ ...ok, vaqHeads: [[0.1], [Infinity]] }, tensors)).toBe('vaqHeads[1][0] is Infinity');
    expect(firstNonFiniteScore(ok, { a_q: { dtype: 'F32', shape: [3], data: new Float32Array([0, NaN, 0]) } })).toBe('tensor a_q[1] is NaN');
    expect(firstNonFiniteScore({ ...ok, steps: [{ token: 0, text: '', candidates: [candidate(NaN)] }] }, {})).toBe(
      'step 0: the positive logit of token 5 is NaN',
    );
    expect(firstNonFiniteScore({ ...ok, vaq: null, vaqHeads: null }, {})).toBeNull();
  });
});
