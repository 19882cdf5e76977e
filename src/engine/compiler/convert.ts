/**
 * Weight conversion for the compiler: checkpoint bytes (F32/F16/BF16/F64) → bundle elements
 * (float32 or float16), optionally transposed, in one pass over the data.
 *
 * 16-bit sources go through a 65536-entry table (half bits → target bits), which is exact and
 * fast: F16/BF16 → float32 widens exactly, BF16 → float16 rounds to nearest even (as torch's
 * `.half()` on the widened value). Float32 → float16 rounds per element with the same rule.
 */
import { bytesToFloat32, float32ToF16Bits, type Dtype } from '../checkpoint/dtype.ts';

export type Target = 'float32' | 'float16';

let bf16ToF16: Uint16Array | null = null;
let bf16ToF32: Uint32Array | null = null;
let f16ToF32: Uint32Array | null = null;

function tables(): { bf16ToF16: Uint16Array; bf16ToF32: Uint32Array; f16ToF32: Uint32Array } {
  if (!bf16ToF16 || !bf16ToF32 || !f16ToF32) {
    const all = new Uint16Array(65536).map((_, i) => i);
    f16ToF32 = new Uint32Array(bytesToFloat32('F16', new Uint8Array(all.buffer)).buffer);
    bf16ToF32 = new Uint32Array(65536).map((_, i) => (i << 16) >>> 0);
    const widened = new Float32Array(bf16ToF32.buffer);
    bf16ToF16 = new Uint16Array(65536).map((_, i) => float32ToF16Bits(widened[i]!));
  }
  return { bf16ToF16, bf16ToF32, f16ToF32 };
}

function u16(bytes: Uint8Array): Uint16Array {
  if (bytes.byteOffset % 2 === 0) return new Uint16Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 2);
  return new Uint16Array(bytes.slice().buffer);
}

function u32(bytes: Uint8Array): Uint32Array {
  if (bytes.byteOffset % 4 === 0) return new Uint32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
  return new Uint32Array(bytes.slice().buffer);
}

/** Element bits of the target type: Uint32Array for float32, Uint16Array for float16. */
export type TargetBits = Uint32Array | Uint16Array;

const BLOCK = 64;

/*
 * The loops below are written out per element type and mapping (no callbacks) so that V8 compiles
 * each to a tight monomorphic loop: this is most of a compile's CPU time. Their reads are '!':
 * each index is below the source's own length (checked by checkMatrix for the transposes), and every
 * lookup table has 65536 entries, one per 16-bit value.
 */

function checkMatrix(src: { length: number }, rows: number, cols: number): void {
  if (src.length !== rows * cols) throw new RangeError(`${src.length} elements are not a ${rows} x ${cols} matrix`);
}

/** [rows, cols] → [cols, rows], optionally through `lut`, 16-bit elements. */
function transpose16(src: Uint16Array, rows: number, cols: number, lut: Uint16Array | null): Uint16Array {
  checkMatrix(src, rows, cols);
  const out = new Uint16Array(rows * cols);
  for (let r0 = 0; r0 < rows; r0 += BLOCK) {
    const r1 = Math.min(r0 + BLOCK, rows);
    for (let c0 = 0; c0 < cols; c0 += BLOCK) {
      const c1 = Math.min(c0 + BLOCK, cols);
      if (lut === null) for (let r = r0; r < r1; r++) for (let c = c0, i = r * cols + c0; c < c1; c++, i++) out[c * rows + r] = src[i]!;
      else for (let r = r0; r < r1; r++) for (let c = c0, i = r * cols + c0; c < c1; c++, i++) out[c * rows + r] = lut[src[i]!]!;
    }
  }
  return out;
}

/** [rows, cols] 16-bit → [cols, rows] 32-bit through `lut`. */
function transpose16to32(src: Uint16Array, rows: number, cols: number, lut: Uint32Array): Uint32Array {
  checkMatrix(src, rows, cols);
  const out = new Uint32Array(rows * cols);
  for (let r0 = 0; r0 < rows; r0 += BLOCK) {
    const r1 = Math.min(r0 + BLOCK, rows);
    for (let c0 = 0; c0 < cols; c0 += BLOCK) {
      const c1 = Math.min(c0 + BLOCK, cols);
      for (let r = r0; r < r1; r++) for (let c = c0, i = r * cols + c0; c < c1; c++, i++) out[c * rows + r] = lut[src[i]!]!;
    }
  }
  return out;
}

/** [rows, cols] → [cols, rows], 32-bit elements. */
function transpose32(src: Uint32Array, rows: number, cols: number): Uint32Array {
  checkMatrix(src, rows, cols);
  const out = new Uint32Array(rows * cols);
  for (let r0 = 0; r0 < rows; r0 += BLOCK) {
    const r1 = Math.min(r0 + BLOCK, rows);
    for (let c0 = 0; c0 < cols; c0 += BLOCK) {
      const c1 = Math.min(c0 + BLOCK, cols);
      for (let r = r0; r < r1; r++) for (let c = c0, i = r * cols + c0; c < c1; c++, i++) out[c * rows + r] = src[i]!;
    }
  }
  return out;
}

function map16(src: Uint16Array, lut: Uint16Array): Uint16Array {
  const out = new Uint16Array(src.length);
  for (let i = 0; i < src.length; i++) out[i] = lut[src[i]!]!;
  return out;
}

function map16to32(src: Uint16Array, lut: Uint32Array): Uint32Array {
  const out = new Uint32Array(src.length);
  for (let i = 0; i < src.length; i++) out[i] = lut[src[i]!]!;
  return out;
}

/**
 * Converts little-endian `bytes` of checkpoint dtype `from` (a whole tensor of `rows` x `cols`
 * elements, or any whole-element chunk when not transposing) to `to`, transposing when asked.
 */
export function convertElements(from: Dtype, bytes: Uint8Array, to: Target, shape: { rows: number; cols: number; transpose: boolean }): TargetBits {
  const { rows, cols, transpose } = shape;
  if (from === 'F16' || from === 'BF16') {
    const src = u16(bytes);
    const t = tables();
    if (to === 'float16') {
      const lut = from === 'BF16' ? t.bf16ToF16 : null;
      if (transpose) return transpose16(src, rows, cols, lut);
      return lut ? map16(src, lut) : src.slice();
    }
    const lut = from === 'BF16' ? t.bf16ToF32 : t.f16ToF32;
    return transpose ? transpose16to32(src, rows, cols, lut) : map16to32(src, lut);
  }
  const f32 = from === 'F32' ? u32(bytes) : new Uint32Array(bytesToFloat32(from, bytes).buffer);
  if (to === 'float32') return transpose ? transpose32(f32, rows, cols) : f32.slice();
  const f = new Float32Array(f32.buffer, f32.byteOffset, f32.length);
  const src = transpose ? new Float32Array(transpose32(f32, rows, cols).buffer) : f;
  const out = new Uint16Array(src.length);
  for (let i = 0; i < src.length; i++) out[i] = float32ToF16Bits(src[i]!);
  return out;
}
