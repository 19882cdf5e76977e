/**
 * Rotary position embeddings as transformers' LlamaRotaryEmbedding computes them (v4.45,
 * modeling_rope_utils): inverse frequencies for the default, linear, dynamic-NTK and llama3 rope
 * types, and the rotate-half application to queries and keys.
 */
import { at } from '../support/index-access.ts';
import type { LlamaConfig } from '../../src/engine/checkpoint/hf-config.ts';
import { at64, matrix, type Matrix } from './ops-f64.ts';

/** invFreq[i] = 1 / θ^(2i/d), i < d/2: the unscaled frequencies. */
function defaultInvFreq(theta: number, dim: number): Float64Array {
  const f = new Float64Array(dim / 2);
  for (let i = 0; i < dim / 2; i++) f[i] = 1 / theta ** ((2 * i) / dim);
  return f;
}

/**
 * The inverse frequencies used for a forward pass over positions < `seqLen` (= max position + 1).
 * - linear: every frequency divided by factor (positions interpolated).
 * - dynamic: θ grows once seqLen exceeds max_position_embeddings:
 *   θ' = θ · (factor·seqLen/max − (factor − 1))^(d/(d−2)); unchanged below. transformers keeps the
 *   grown θ as state between calls; this stateless reference recomputes it from seqLen on every call,
 *   which is the same for a forward without cache over the whole sequence.
 * - llama3: wavelengths 2π/f shorter than original/high_freq_factor are kept, longer than
 *   original/low_freq_factor are divided by factor, and the band between is interpolated.
 */
export function ropeInvFreq(c: LlamaConfig, seqLen: number): Float64Array {
  const dim = c.headDim;
  const s = c.ropeScaling;
  if (s === null) return defaultInvFreq(c.ropeTheta, dim);
  switch (s.type) {
    case 'linear':
      return defaultInvFreq(c.ropeTheta, dim).map((f) => f / s.factor);
    case 'dynamic': {
      const max = c.maxPositionEmbeddings;
      if (seqLen <= max) return defaultInvFreq(c.ropeTheta, dim);
      const theta = c.ropeTheta * ((s.factor * seqLen) / max - (s.factor - 1)) ** (dim / (dim - 2));
      return defaultInvFreq(theta, dim);
    }
    case 'llama3': {
      const lowWavelen = s.originalMaxPositionEmbeddings / s.lowFreqFactor;
      const highWavelen = s.originalMaxPositionEmbeddings / s.highFreqFactor;
      return defaultInvFreq(c.ropeTheta, dim).map((f) => {
        const wavelen = (2 * Math.PI) / f;
        if (wavelen < highWavelen) return f;
        if (wavelen > lowWavelen) return f / s.factor;
        const smooth = (s.originalMaxPositionEmbeddings / wavelen - s.lowFreqFactor) / (s.highFreqFactor - s.lowFreqFactor);
        return (1 - smooth) * (f / s.factor) + smooth * f;
      });
    }
  }
}

/**
 * x·cos + rotate_half(x)·sin per head, where angle[p, i] = position[p]·invFreq[i mod d/2] and
 * rotate_half([x1, x2]) = [−x2, x1] splits each head's vector in halves (the HF convention, not the
 * interleaved one of the original LLaMA code). x: [S, heads·headDim].
 */
export function applyRope(x: Matrix, heads: number, headDim: number, positions: readonly number[], invFreq: Float64Array): Matrix {
  const half = headDim / 2;
  const y = matrix(x.rows, x.cols);
  for (let p = 0; p < x.rows; p++) {
    const position = at(positions, p);
    for (let h = 0; h < heads; h++) {
      const base = p * x.cols + h * headDim;
      for (let i = 0; i < half; i++) {
        const a = position * at64(invFreq, i);
        const cos = Math.cos(a);
        const sin = Math.sin(a);
        const x1 = at64(x.data, base + i);
        const x2 = at64(x.data, base + half + i);
        y.data[base + i] = x1 * cos - x2 * sin;
        y.data[base + half + i] = x2 * cos + x1 * sin;
      }
    }
  }
  return y;
}

/** Qwen2-VL's multimodal positions: per token a (t, h, w) position, and the [t, h, w] parts of head_dim / 2. */
export interface MropePositions {
  axes: readonly [readonly number[], readonly number[], readonly number[]];
  section: readonly [number, number, number];
}

/**
 * apply_multimodal_rotary_pos_emb (Qwen2-VL): rotate-half RoPE where frequency i of each half takes
 * its angle from axis t for i < section[0], h for the next section[1], w for the rest, i.e.
 * cos/sin built per axis, split by `mrope_section * 2` and the i-th chunk taken from axis i % 3.
 */
export function applyMrope(x: Matrix, heads: number, headDim: number, positions: MropePositions, invFreq: Float64Array): Matrix {
  const half = headDim / 2;
  const [s0, s1, s2] = positions.section;
  if (s0 + s1 + s2 !== half) throw new Error(`applyMrope: mrope_section ${s0}+${s1}+${s2} is not head_dim/2 = ${half}`);
  const axis = (i: number): 0 | 1 | 2 => (i < s0 ? 0 : i < s0 + s1 ? 1 : 2);
  const y = matrix(x.rows, x.cols);
  const [t, hh, ww] = positions.axes;
  for (let p = 0; p < x.rows; p++) {
    const position: readonly [number, number, number] = [at(t, p), at(hh, p), at(ww, p)];
    for (let h = 0; h < heads; h++) {
      const base = p * x.cols + h * headDim;
      for (let i = 0; i < half; i++) {
        const a = position[axis(i)] * at64(invFreq, i);
        const cos = Math.cos(a);
        const sin = Math.sin(a);
        const x1 = at64(x.data, base + i);
        const x2 = at64(x.data, base + half + i);
        y.data[base + i] = x1 * cos - x2 * sin;
        y.data[base + half + i] = x2 * cos + x1 * sin;
      }
    }
  }
  return y;
}
