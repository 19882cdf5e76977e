/**
 * The float64 building blocks of the reference models: plain loops over row-major arrays, written
 * for being obviously right rather than fast (the reference runs tiny models only).
 *
 * Float64 throughout, so that comparing a float32 implementation against it measures that
 * implementation's error alone (the reference's own rounding is ~1e-15, far below any tolerance).
 */

/** A row-major [rows, cols] matrix. Sequences are matrices with one row per token. */
export interface Matrix {
  rows: number;
  cols: number;
  data: Float64Array;
}

/** Weights by (canonical) name. Throws on a missing name: a reference must never guess. */
export type Weights = (name: string) => Float64Array;

export function matrix(rows: number, cols: number, data?: Float64Array): Matrix {
  if (data && data.length !== rows * cols) throw new Error(`matrix: ${data.length} values for [${rows}, ${cols}]`);
  return { rows, cols, data: data ?? new Float64Array(rows * cols) };
}

/**
 * `a[i]`, or a thrown "index i out of range (length n)": the checked read of the reference's loops.
 * It takes only Float64Array, so V8 sees one array kind and inlines it; test/support's generic `at`,
 * fed every array kind across the tests, made these loops about four times slower.
 */
export function at64(a: Float64Array, i: number): number {
  const x = a[i];
  if (x === undefined) throw new Error(`index ${i} out of range (length ${a.length})`);
  return x;
}

/** a · b over two vectors of one length. */
export function dot(a: Float64Array, b: Float64Array): number {
  if (a.length !== b.length) throw new Error(`dot: lengths ${a.length} and ${b.length}`);
  let s = 0;
  for (let i = 0; i < a.length; i++) s += at64(a, i) * at64(b, i);
  return s;
}

export function row(m: Matrix, i: number): Float64Array {
  return m.data.subarray(i * m.cols, (i + 1) * m.cols);
}

/** y = x Wᵀ + b, with torch.nn.Linear's layout: weight [out, in]. */
export function linear(x: Matrix, weight: Float64Array, outFeatures: number, bias?: Float64Array): Matrix {
  const inF = x.cols;
  if (weight.length !== outFeatures * inF) throw new Error(`linear: weight has ${weight.length} values, expected ${outFeatures}x${inF}`);
  if (x.data.length !== x.rows * inF) throw new Error(`linear: input has ${x.data.length} values, expected ${x.rows}x${inF}`);
  const y = matrix(x.rows, outFeatures);
  for (let r = 0; r < x.rows; r++) {
    const xr = r * inF;
    for (let o = 0; o < outFeatures; o++) {
      let s = bias ? at64(bias, o) : 0;
      const wo = o * inF;
      // The reference's hottest loop (most of its time): both indices are in range by the two length
      // checks above, and a checked read here made the tests' forward passes about 25 % slower.
      for (let i = 0; i < inF; i++) s += x.data[xr + i]! * weight[wo + i]!;
      y.data[r * outFeatures + o] = s;
    }
  }
  return y;
}

export function add(a: Matrix, b: Matrix): Matrix {
  const y = matrix(a.rows, a.cols);
  for (let i = 0; i < y.data.length; i++) y.data[i] = at64(a.data, i) + at64(b.data, i);
  return y;
}

export function mul(a: Matrix, b: Matrix): Matrix {
  const y = matrix(a.rows, a.cols);
  for (let i = 0; i < y.data.length; i++) y.data[i] = at64(a.data, i) * at64(b.data, i);
  return y;
}

export function map(x: Matrix, f: (v: number) => number): Matrix {
  const y = matrix(x.rows, x.cols);
  for (let i = 0; i < y.data.length; i++) y.data[i] = f(at64(x.data, i));
  return y;
}

/** torch.nn.LayerNorm over the last axis: biased variance, eps inside the square root. */
export function layerNorm(x: Matrix, weight: Float64Array, bias: Float64Array, eps: number): Matrix {
  const y = matrix(x.rows, x.cols);
  for (let r = 0; r < x.rows; r++) {
    const v = row(x, r);
    let mean = 0;
    for (const a of v) mean += a;
    mean /= v.length;
    let variance = 0;
    for (const a of v) variance += (a - mean) ** 2;
    variance /= v.length;
    const inv = 1 / Math.sqrt(variance + eps);
    v.forEach((a, i) => (y.data[r * x.cols + i] = (a - mean) * inv * at64(weight, i) + at64(bias, i)));
  }
  return y;
}

/** LlamaRMSNorm: x / sqrt(mean(x²) + eps) · weight (no mean subtraction, no bias). */
export function rmsNorm(x: Matrix, weight: Float64Array, eps: number): Matrix {
  const y = matrix(x.rows, x.cols);
  for (let r = 0; r < x.rows; r++) {
    const v = row(x, r);
    let ms = 0;
    for (const a of v) ms += a * a;
    const inv = 1 / Math.sqrt(ms / v.length + eps);
    v.forEach((a, i) => (y.data[r * x.cols + i] = a * inv * at64(weight, i)));
  }
  return y;
}

/** Softmax of `v` in place (max-subtracted, so large scores do not overflow). */
export function softmaxInPlace(v: Float64Array): void {
  let max = -Infinity;
  for (const a of v) if (a > max) max = a;
  let sum = 0;
  v.forEach((a, i) => {
    const e = Math.exp(a - max);
    v[i] = e;
    sum += e;
  });
  v.forEach((e, i) => (v[i] = e / sum));
}

/**
 * erf to full double precision: erf(x) = 2/√π · e^(−x²) · Σₙ (2x²)ⁿ x / (1·3·…·(2n+1)). Every term
 * is positive, so there is no cancellation; |x| ≥ 6 returns ±1 (erfc(6) ≈ 2e-17).
 */
export function erf(x: number): number {
  const ax = Math.abs(x);
  if (ax >= 6) return Math.sign(x);
  let term = ax;
  let sum = ax;
  for (let n = 1; term > sum * 1e-17; n++) {
    term *= (2 * ax * ax) / (2 * n + 1);
    sum += term;
  }
  return Math.sign(x) * (2 / Math.sqrt(Math.PI)) * Math.exp(-ax * ax) * sum;
}

/** GELU, exact form (torch.nn.functional.gelu's default, transformers' "gelu"). */
export function geluErf(x: number): number {
  return 0.5 * x * (1 + erf(x / Math.SQRT2));
}

/** transformers' "quick_gelu" (CLIP): x · σ(1.702 x). */
export function quickGelu(x: number): number {
  return x / (1 + Math.exp(-1.702 * x));
}

export function silu(x: number): number {
  return x / (1 + Math.exp(-x));
}

/**
 * Scaled dot-product attention over one sequence, eager style.
 * q: [S, H·hd], k and v: [S, KVH·hd]; query head h reads KV head floor(h / (H / KVH)) (GQA).
 * Scores are q·k / √hd; with `causal`, key j > query i is excluded (its probability is exactly 0),
 * and so is every pair that `allowed` (if given) refuses: a block mask (Qwen's per-frame and
 * per-window vision attention). Each query must be allowed at least one key.
 * Returns the heads' outputs concatenated, [S, H·hd], and the probabilities [H, S, S].
 */
export function attention(
  q: Matrix,
  k: Matrix,
  v: Matrix,
  heads: number,
  kvHeads: number,
  headDim: number,
  causal: boolean,
  allowed?: (i: number, j: number) => boolean,
): { out: Matrix; probs: Float64Array } {
  const S = q.rows;
  const group = heads / kvHeads;
  const scale = 1 / Math.sqrt(headDim);
  const probs = new Float64Array(heads * S * S);
  const out = matrix(S, heads * headDim);
  for (let h = 0; h < heads; h++) {
    const kvh = Math.floor(h / group);
    for (let i = 0; i < S; i++) {
      const visible = causal ? i + 1 : S;
      const p = probs.subarray((h * S + i) * S, (h * S + i) * S + visible);
      for (let j = 0; j < visible; j++) {
        if (allowed && !allowed(i, j)) {
          p[j] = -Infinity; // softmax gives it exactly 0
          continue;
        }
        let s = 0;
        for (let d = 0; d < headDim; d++) s += at64(q.data, i * q.cols + h * headDim + d) * at64(k.data, j * k.cols + kvh * headDim + d);
        p[j] = s * scale;
      }
      softmaxInPlace(p);
      for (let d = 0; d < headDim; d++) {
        let s = 0;
        for (let j = 0; j < visible; j++) s += at64(p, j) * at64(v.data, j * v.cols + kvh * headDim + d);
        out.data[i * out.cols + h * headDim + d] = s;
      }
    }
  }
  return { out, probs };
}

export function toFloat64(a: ArrayLike<number>): Float64Array {
  return Float64Array.from(a);
}
