/**
 * Non-finite weights, found while the compiler streams them (no extra pass over the checkpoint):
 * a NaN or ±Inf stored in the checkpoint, and a finite value that float16 cannot hold (|x| above
 * 65504, rounding to ±Inf) when compiling with --dtype fp16. Either makes every answer NaN, which
 * greedy decoding turns into an empty answer with nothing said; so the compile refuses, naming the
 * tensor and the first bad element.
 *
 * The scans test exponent bits on the integer view of each chunk: a few instructions per element,
 * no float conversion.
 */
import type { Dtype } from '../checkpoint/dtype.ts';
import { bytesToFloat32, float32ToF16Bits } from '../checkpoint/dtype.ts';

/** The largest finite float16 value. */
export const F16_MAX = 65504;

export interface BadElement {
  /** Element index in the stored (row-major) tensor. */
  index: number;
  value: number;
}

function u16(bytes: Uint8Array): Uint16Array {
  return bytes.byteOffset % 2 === 0 ? new Uint16Array(bytes.buffer, bytes.byteOffset, bytes.byteLength >> 1) : new Uint16Array(bytes.slice().buffer);
}

function u32(bytes: Uint8Array): Uint32Array {
  return bytes.byteOffset % 4 === 0 ? new Uint32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength >> 2) : new Uint32Array(bytes.slice().buffer);
}

/** The first NaN or ±Inf in little-endian float elements of `dtype`, or null. Index within `bytes`. */
export function firstNonFinite(dtype: Dtype, bytes: Uint8Array): BadElement | null {
  let i = -1;
  switch (dtype) {
    case 'F32': {
      const b = u32(bytes);
      for (let k = 0; k < b.length; k++) {
        if ((b[k]! & 0x7f800000) === 0x7f800000) {
          i = k;
          break;
        }
      }
      break;
    }
    case 'F16': {
      const b = u16(bytes);
      for (let k = 0; k < b.length; k++) {
        if ((b[k]! & 0x7c00) === 0x7c00) {
          i = k;
          break;
        }
      }
      break;
    }
    case 'BF16': {
      const b = u16(bytes);
      for (let k = 0; k < b.length; k++) {
        if ((b[k]! & 0x7f80) === 0x7f80) {
          i = k;
          break;
        }
      }
      break;
    }
    case 'F64': {
      const b = u32(bytes); // the high word of each element holds sign and exponent
      for (let k = 1; k < b.length; k += 2) {
        if ((b[k]! & 0x7ff00000) === 0x7ff00000) {
          i = k >> 1;
          break;
        }
      }
      break;
    }
    default:
      return null;
  }
  if (i < 0) return null;
  const size = dtype === 'F64' ? 8 : dtype === 'F32' ? 4 : 2;
  // the loops above read b[k] below b.length, and the one element converted here has length 1
  return { index: i, value: bytesToFloat32(dtype, bytes.subarray(i * size, (i + 1) * size))[0]! };
}

/** Whether float16 bits hold ±Inf or NaN. */
function halfNonFinite(bits: Uint16Array): boolean {
  for (let k = 0; k < bits.length; k++) if ((bits[k]! & 0x7c00) === 0x7c00) return true;
  return false;
}

/**
 * After converting finite source elements to float16 (`converted`), the first source element that
 * overflowed, in source order, or null. The quick test is on the converted bits; only when it fails
 * is the source walked again to find which element it was.
 */
export function firstF16Overflow(dtype: Dtype, source: Uint8Array, converted: Uint16Array): BadElement | null {
  if (dtype === 'F16' || !halfNonFinite(converted)) return null;
  const values = bytesToFloat32(dtype, source);
  for (let k = 0; k < values.length; k++) {
    const v = values[k]!;
    if ((float32ToF16Bits(v) & 0x7c00) === 0x7c00) {
      // The stored value (float64 sources: before rounding to float32), for the message.
      const value = dtype === 'F64' ? new Float64Array(source.slice(k * 8, k * 8 + 8).buffer)[0]! : v;
      return { index: k, value };
    }
  }
  return null;
}

/** `index` of a row-major tensor of `shape` as one index per axis. */
export function unravel(index: number, shape: readonly number[]): number[] {
  let rest = index;
  const fromLast = shape.toReversed().map((size) => {
    const i = rest % size;
    rest = Math.floor(rest / size);
    return i;
  });
  return fromLast.reverse();
}
