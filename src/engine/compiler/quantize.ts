/**
 * Block-wise weight-only quantisation in the layout of ONNX Runtime's contrib operator
 * `com.microsoft.MatMulNBits` (and of `GatherBlockQuantized` with uint8 data, which follows the same
 * conventions), as pure functions over float32 rows.
 *
 * A weight matrix is taken as N rows of K elements: for MatMulNBits the rows are the output features
 * and K the input features, which is exactly nn.Linear's stored `[out, in]` layout (no transpose);
 * for an embedding table the rows are the tokens. Each row is cut into k_blocks = ceil(K / block)
 * blocks along K, and each block gets one float32 scale and one zero point:
 *
 *   dequantised = (code - zero_point) * scale,    code in 0 .. 2^bits - 1
 *
 * Layout (the contrib op spec):
 * - B / data: uint8 `[N, k_blocks, block * bits / 8]`. Codes are packed low bits first along K: with
 *   4 bits, element 2j of a block is the low nibble of byte j and element 2j+1 the high nibble; with
 *   8 bits one byte per code. A last partial block is padded with the zero point (dequantises to 0).
 * - scales: float32 `[N, k_blocks]`.
 * - zero_points: uint8 `[N, ceil(k_blocks * bits / 8)]`, packed the same way as B (4 bits: block 2j
 *   in the low nibble), each row padded to whole bytes. Symmetric quantisation stores none: the op
 *   then uses its default zero point 2^(bits-1) (8 or 128).
 *
 * Symmetric: the element of largest magnitude m in a block maps to the most negative code,
 * scale = m / -2^(bits-1), so the whole range -2^(bits-1) .. 2^(bits-1)-1 is used (the largest
 * opposite-sign value is clamped by at most one step). Asymmetric: the block's range [lo, hi], widened
 * to contain 0 so that 0 is exact, is spread over all 2^bits codes and the zero point is the code of 0.
 * Rounding is to nearest (halves away from zero). A block of zeros gets scale 0.
 */

export type QuantBits = 4 | 8;

export interface QuantScheme {
  bits: QuantBits;
  /** Elements per block along K: a power of two >= 16 (the op's rule); LASER offers 32, 64 and 128. */
  blockSize: number;
  /** true: no zero points (the op's default 2^(bits-1)); false: one uint8 zero point per block. */
  symmetric: boolean;
}

export interface QuantizedRows {
  rows: number;
  cols: number;
  kBlocks: number;
  /** Bytes per block: blockSize * bits / 8. */
  blobSize: number;
  /** [rows, kBlocks, blobSize] */
  data: Uint8Array;
  /** [rows, kBlocks] */
  scales: Float32Array;
  /** [rows, zeroPointRowBytes] packed, or null when symmetric. */
  zeroPoints: Uint8Array | null;
}

export function checkScheme(s: QuantScheme): void {
  if (s.bits !== 4 && s.bits !== 8) throw new RangeError(`quantisation bits must be 4 or 8, got ${String(s.bits)}`);
  if (!Number.isInteger(s.blockSize) || s.blockSize < 16 || (s.blockSize & (s.blockSize - 1)) !== 0)
    throw new RangeError(`quantisation block size must be a power of two >= 16, got ${s.blockSize}`);
}

export function blockCount(cols: number, blockSize: number): number {
  return Math.ceil(cols / blockSize);
}

/** Bytes of one row of packed zero points: ceil(kBlocks * bits / 8). */
export function zeroPointRowBytes(kBlocks: number, bits: QuantBits): number {
  return Math.ceil((kBlocks * bits) / 8);
}

/** Bytes a [rows, cols] matrix takes quantised: codes + float32 scales + zero points. */
export function quantizedBytes(rows: number, cols: number, s: QuantScheme): { data: number; scales: number; zeroPoints: number } {
  const k = blockCount(cols, s.blockSize);
  return { data: rows * k * ((s.blockSize * s.bits) / 8), scales: rows * k * 4, zeroPoints: s.symmetric ? 0 : rows * zeroPointRowBytes(k, s.bits) };
}

function put(out: Uint8Array, base: number, i: number, code: number, bits: QuantBits): void {
  if (bits === 8) out[base + i] = code;
  else out[base + (i >> 1)]! |= (i & 1) === 0 ? code : code << 4;
}

function get(src: Uint8Array, base: number, i: number, bits: QuantBits): number {
  if (bits === 8) return src[base + i]!;
  const b = src[base + (i >> 1)]!;
  return (i & 1) === 0 ? b & 15 : b >> 4;
}

/** Quantises `w` (row-major [rows, cols] float32) block-wise along each row. */
export function quantizeRows(w: Float32Array, rows: number, cols: number, s: QuantScheme): QuantizedRows {
  checkScheme(s);
  if (w.length !== rows * cols) throw new RangeError(`quantizeRows: ${w.length} elements for [${rows}, ${cols}]`);
  const { bits, blockSize } = s;
  const kBlocks = blockCount(cols, blockSize);
  const blobSize = (blockSize * bits) / 8;
  const maxCode = (1 << bits) - 1;
  const half = 1 << (bits - 1);
  const zpRow = zeroPointRowBytes(kBlocks, bits);
  const data = new Uint8Array(rows * kBlocks * blobSize);
  const scales = new Float32Array(rows * kBlocks);
  const zeroPoints = s.symmetric ? null : new Uint8Array(rows * zpRow);
  // w has rows x cols elements (checked above) and the outputs are sized from the same counts: the '!' reads are in range
  for (let r = 0; r < rows; r++) {
    const row = r * cols;
    for (let b = 0; b < kBlocks; b++) {
      const k0 = b * blockSize;
      const k1 = Math.min(cols, k0 + blockSize);
      let scale: number;
      let zp: number;
      if (s.symmetric) {
        let m = 0;
        for (let k = k0; k < k1; k++) if (Math.abs(w[row + k]!) > Math.abs(m)) m = w[row + k]!;
        scale = m === 0 ? 0 : Math.fround(m / -half);
        zp = half;
      } else {
        let lo = 0;
        let hi = 0;
        for (let k = k0; k < k1; k++) {
          const v = w[row + k]!;
          if (v < lo) lo = v;
          if (v > hi) hi = v;
        }
        scale = Math.fround((hi - lo) / maxCode);
        zp = scale === 0 ? 0 : Math.min(maxCode, Math.max(0, Math.round(-lo / scale)));
        put(zeroPoints!, r * zpRow, b, zp, bits);
      }
      scales[r * kBlocks + b] = scale;
      const inv = scale === 0 ? 0 : 1 / scale;
      const base = (r * kBlocks + b) * blobSize;
      for (let i = 0; i < blockSize; i++) {
        const k = k0 + i;
        const code = k < k1 ? Math.min(maxCode, Math.max(0, Math.round(w[row + k]! * inv) + zp)) : zp;
        put(data, base, i, code, bits);
      }
    }
  }
  return { rows, cols, kBlocks, blobSize, data, scales, zeroPoints };
}

/** The float32 matrix [rows, cols] that `q` stands for: (code - zero_point) * scale. */
export function dequantizeRows(q: QuantizedRows, s: QuantScheme): Float32Array {
  const { rows, cols, kBlocks, blobSize } = q;
  const half = 1 << (s.bits - 1);
  const zpRow = zeroPointRowBytes(kBlocks, s.bits);
  if (q.scales.length !== rows * kBlocks || q.data.length !== rows * kBlocks * blobSize)
    throw new RangeError(`dequantizeRows: ${q.scales.length} scales and ${q.data.length} code bytes for [${rows}, ${cols}] in ${kBlocks} blocks`);
  const out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    for (let b = 0; b < kBlocks; b++) {
      const scale = q.scales[r * kBlocks + b]!;
      const zp = q.zeroPoints ? get(q.zeroPoints, r * zpRow, b, s.bits) : half;
      const base = (r * kBlocks + b) * blobSize;
      const k0 = b * s.blockSize;
      const k1 = Math.min(cols, k0 + s.blockSize);
      for (let k = k0; k < k1; k++) out[r * cols + k] = (get(q.data, base, k - k0, s.bits) - zp) * scale;
    }
  }
  return out;
}
