/**
 * Rotary position embeddings as transformers' LlamaRotaryEmbedding computes them (v4.45):
 * `inv_freq[i] = 1 / theta^(2i/d)`, adjusted by `rope_scaling`, then `freqs = position * inv_freq`,
 * `emb = cat(freqs, freqs)`, and `q' = q*cos(emb) + rotate_half(q)*sin(emb)`.
 *
 * - default / linear / llama3: inv_freq is a constant, computed here in float32 steps like torch.
 * - dynamic (NTK): HF recomputes inv_freq from `seq_len = max(position_ids) + 1` whenever it exceeds
 *   max_position_embeddings: `base' = theta * (factor*seq_len/max_pos - (factor-1))^(d/(d-2))`. The
 *   graph does exactly that per call, from the position_ids it is given, with
 *   `seq_len' = max(seq_len, max_pos)` (the formula gives theta at seq_len = max_pos, so this equals
 *   HF's "only when longer" rule). HF keeps the largest seq_len seen in module state; within one
 *   generation positions only grow, so the per-call value is the same. Cached keys keep the rotation
 *   they were computed with, as in HF.
 */
import type { RopeScaling } from '../checkpoint/hf-config.ts';
import type { Value } from '../onnx/graph.ts';
import type { GraphBuilder } from '../onnx/ops.ts';

export interface RopeSpec {
  headDim: number;
  theta: number;
  scaling: RopeScaling | null;
  maxPositionEmbeddings: number;
}

const f = Math.fround;

/** `arange(0, d, 2).float() / d` in float32. */
function exponents(d: number): Float32Array {
  return Float32Array.from({ length: d / 2 }, (_, i) => f((2 * i) / d));
}

/** The base inv_freq of `_compute_default_rope_parameters`, in float32. */
export function defaultInvFreq(d: number, theta: number): Float32Array {
  return exponents(d).map((e) => f(1 / f(theta ** e)));
}

/** inv_freq for every rope type whose frequencies do not depend on the sequence (not 'dynamic'). */
export function staticInvFreq(spec: RopeSpec): Float32Array {
  const inv = defaultInvFreq(spec.headDim, spec.theta);
  const s = spec.scaling;
  if (s === null || s.type === 'dynamic') return inv;
  if (s.type === 'linear') return inv.map((x) => f(x / s.factor));
  // llama3 (_compute_llama3_parameters): long wavelengths divided by factor, short ones kept, and a
  // smooth blend in between.
  const lowWavelen = s.originalMaxPositionEmbeddings / s.lowFreqFactor;
  const highWavelen = s.originalMaxPositionEmbeddings / s.highFreqFactor;
  return inv.map((x) => {
    const wavelen = f((2 * Math.PI) / x);
    const scaled = wavelen > lowWavelen ? f(x / s.factor) : x;
    const medium = !(wavelen < highWavelen) && !(wavelen > lowWavelen);
    if (!medium) return scaled;
    const smooth = f((f(s.originalMaxPositionEmbeddings / wavelen) - s.lowFreqFactor) / (s.highFreqFactor - s.lowFreqFactor));
    return f(f((f(1 - smooth) * scaled) / s.factor) + f(smooth * scaled));
  });
}

/** inv_freq [d/2] as a graph value: a constant, or computed from `positionsF` for dynamic NTK. */
function invFreqValue(g: GraphBuilder, spec: RopeSpec, positionsF: Value): Value {
  const s = spec.scaling;
  const d = spec.headDim;
  if (s?.type !== 'dynamic') return g.floats([d / 2], staticInvFreq(spec));
  const maxPos = spec.maxPositionEmbeddings;
  const seqLen = g.add(g.reduceMax(positionsF, [0, 1], false), 1);
  const seqEff = g.max([seqLen, g.scalar('float32', maxPos)]);
  const ratio = g.sub(g.div(g.mul(seqEff, s.factor), maxPos), s.factor - 1);
  const base = g.mul(g.pow(ratio, d / (d - 2)), spec.theta);
  return g.reciprocal(g.pow(base, g.floats([d / 2], exponents(d))));
}

/** cos and sin of `cat(freqs, freqs)` for position_ids [B, S]: each [B, 1, S, d] (ready for heads). */
export function rotaryCosSin(g: GraphBuilder, spec: RopeSpec, positionIds: Value): { cos: Value; sin: Value } {
  return g.scope('rotary_emb', () => {
    const pos = g.cast(positionIds, 'float32');
    const inv = invFreqValue(g, spec, pos);
    const freqs = g.mul(g.unsqueeze(pos, [2]), inv); // [B, S, d/2]
    const emb = g.unsqueeze(g.concat([freqs, freqs], -1), [1]); // [B, 1, S, d]
    return { cos: g.cos(emb), sin: g.sin(emb) };
  });
}

/**
 * Multimodal RoPE (Qwen2-VL's `apply_multimodal_rotary_pos_emb`): position_ids are [3, B, S] (t, h,
 * w), and half-dimension i of the rotary frequencies takes its position from the axis whose section
 * holds i (`mrope_section` [t, h, w], summing to d/2); the second half repeats the first, as
 * `cat(freqs, freqs)` does. HF builds cos/sin per axis and splits them by section; selecting the
 * position per dimension first gives the same float32 products (a one-hot sum adds exact zeros).
 * Returns cos and sin [B, 1, S, d], like `rotaryCosSin`.
 */
export function mropeCosSin(g: GraphBuilder, spec: RopeSpec, section: readonly [number, number, number], positionIds: Value): { cos: Value; sin: Value } {
  return g.scope('rotary_emb', () => {
    const d = spec.headDim;
    const half = d / 2;
    if (section[0] + section[1] + section[2] !== half) throw new RangeError(`mrope_section ${section.join('+')} does not add up to head_dim/2 = ${half}`);
    const axisOf = (i: number) => (i < section[0] ? 0 : i < section[0] + section[1] ? 1 : 2);
    const onehot = new Float32Array(3 * half);
    for (let i = 0; i < half; i++) onehot[axisOf(i) * half + i] = 1;
    const pos = g.cast(positionIds, 'float32'); // [3, B, S]
    const inv = g.floats([half], staticInvFreq({ ...spec, scaling: null }));
    const freqs3 = g.mul(g.unsqueeze(pos, [3]), inv); // [3, B, S, d/2]
    const freqs = g.reduceSum(g.mul(freqs3, g.floats([3, 1, 1, half], onehot)), [0], false); // [B, S, d/2]
    const emb = g.unsqueeze(g.concat([freqs, freqs], -1), [1]); // [B, 1, S, d]
    return { cos: g.cos(emb), sin: g.sin(emb) };
  });
}

/**
 * `x*cos + rotate_half(x)*sin` with rotate_half(x) = cat(-x[..., d/2:], x[..., :d/2]); x is [..., d]
 * (heads [B, H, S, d] or [B, S, H, d]) and cos, sin broadcast to it.
 */
export function applyRotary(g: GraphBuilder, x: Value, cos: Value, sin: Value, headDim: number): Value {
  const half = headDim / 2;
  const x1 = g.slice(x, [0], [half], [-1]);
  const x2 = g.slice(x, [half], [headDim], [-1]);
  const rotated = g.concat([g.neg(x2), x1], -1);
  return g.add(g.mul(x, cos), g.mul(rotated, sin));
}
