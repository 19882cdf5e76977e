/**
 * safetensors dtypes: their byte sizes and the conversions the engine needs (half floats to float32
 * and back). Every conversion here is bit-exact with torch: bf16/f16 widen exactly, and narrowing
 * rounds to nearest, ties to even, as `tensor.to(torch.bfloat16)` and `.half()` do.
 */

export const dtypes = ['F64', 'F32', 'F16', 'BF16', 'I64', 'I32', 'I16', 'I8', 'U8', 'BOOL'] as const;
export type Dtype = (typeof dtypes)[number];

const sizes: Record<Dtype, number> = { F64: 8, F32: 4, F16: 2, BF16: 2, I64: 8, I32: 4, I16: 2, I8: 1, U8: 1, BOOL: 1 };

export function isDtype(s: unknown): s is Dtype {
  return typeof s === 'string' && (dtypes as readonly string[]).includes(s);
}

export function dtypeSize(d: Dtype): number {
  return sizes[d];
}

export function isFloatDtype(d: Dtype): boolean {
  return d === 'F64' || d === 'F32' || d === 'F16' || d === 'BF16';
}

/** Number of elements of a shape; 1 for a scalar ([]). */
export function numel(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** The typed arrays a tensor's data can be held in. F16/BF16 data is held as raw Uint16 bits. */
export type TensorData = Float64Array | Float32Array | Uint16Array | BigInt64Array | Int32Array | Int16Array | Int8Array | Uint8Array;

/** A byte view of a little-endian buffer, aligned for typed-array views (copies only if needed). */
function aligned(bytes: Uint8Array, align: number): ArrayBuffer {
  if (bytes.byteOffset % align === 0) return bytes.buffer as ArrayBuffer;
  const copy = new Uint8Array(bytes.byteLength);
  copy.set(bytes);
  return copy.buffer;
}

function view<T>(bytes: Uint8Array, size: number, make: (b: ArrayBuffer, off: number, n: number) => T): T {
  const buf = aligned(bytes, size);
  const off = buf === bytes.buffer ? bytes.byteOffset : 0;
  return make(buf, off, bytes.byteLength / size);
}

const f16Table = (() => {
  // All 65536 half values, widened once: a lookup is both exact and fast.
  const t = new Float32Array(65536);
  for (let h = 0; h < 65536; h++) {
    const sign = h & 0x8000 ? -1 : 1;
    const exp = (h >> 10) & 0x1f;
    const frac = h & 0x3ff;
    if (exp === 0) t[h] = sign * frac * 2 ** -24;
    else if (exp === 31) t[h] = frac ? NaN : sign * Infinity;
    else t[h] = sign * (1 + frac / 1024) * 2 ** (exp - 15);
  }
  return t;
})();

/**
 * Little-endian bytes of `dtype` → Float32Array. F32 is a view when aligned (no copy); F16/BF16
 * widen exactly; F64 rounds to nearest float32. Integer dtypes are refused: they are not weights.
 */
export function bytesToFloat32(dtype: Dtype, bytes: Uint8Array): Float32Array {
  switch (dtype) {
    case 'F32':
      return view(bytes, 4, (b, o, n) => new Float32Array(b, o, n));
    case 'F64':
      return Float32Array.from(view(bytes, 8, (b, o, n) => new Float64Array(b, o, n)));
    case 'F16': {
      const h = view(bytes, 2, (b, o, n) => new Uint16Array(b, o, n));
      const out = new Float32Array(h.length);
      for (let i = 0; i < h.length; i++) out[i] = f16Table[h[i]!]!;
      return out;
    }
    case 'BF16': {
      const h = view(bytes, 2, (b, o, n) => new Uint16Array(b, o, n));
      const out = new Float32Array(h.length);
      const bits = new Uint32Array(out.buffer);
      for (let i = 0; i < h.length; i++) bits[i] = h[i]! << 16;
      return out;
    }
    default:
      throw new TypeError(`bytesToFloat32: ${dtype} is not a floating-point dtype`);
  }
}

/** Little-endian I64 bytes → BigInt64Array (a view when aligned). */
export function bytesToInt64(bytes: Uint8Array): BigInt64Array {
  return view(bytes, 8, (b, o, n) => new BigInt64Array(b, o, n));
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** float32 → bfloat16 bits, round to nearest even; NaN stays a (quiet) NaN. */
export function float32ToBf16Bits(x: number): number {
  f32[0] = x;
  const b = u32[0]!;
  if ((b & 0x7f800000) === 0x7f800000 && b & 0x7fffff) return ((b >>> 16) | 0x40) & 0xffff;
  return ((b + 0x7fff + ((b >>> 16) & 1)) >>> 16) & 0xffff;
}

/** float32 → IEEE half bits, round to nearest even, overflow to ±Inf, subnormals kept. */
export function float32ToF16Bits(x: number): number {
  f32[0] = x;
  const b = u32[0]!;
  const sign = (b >>> 16) & 0x8000;
  const exp = (b >>> 23) & 0xff;
  const mant = b & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  const e = exp - 127 + 15;
  if (e >= 31) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign; // below half the smallest subnormal: rounds to zero
    const m = mant | 0x800000; // implicit leading one
    const shift = 14 - e; // 13 for normal alignment plus (1 - e)
    const half = 1 << (shift - 1);
    const rest = m & ((1 << shift) - 1);
    let h = m >>> shift;
    if (rest > half || (rest === half && h & 1)) h++;
    return sign | h;
  }
  let h = (e << 10) | (mant >>> 13);
  const rest = mant & 0x1fff;
  if (rest > 0x1000 || (rest === 0x1000 && h & 1)) h++; // a carry into the exponent is still right
  return sign | h;
}

/** Float32Array → half bits in the given dtype ('F16' or 'BF16'). */
export function float32ToHalfBits(dtype: 'F16' | 'BF16', data: Float32Array): Uint16Array {
  const out = new Uint16Array(data.length);
  const conv = dtype === 'F16' ? float32ToF16Bits : float32ToBf16Bits;
  for (let i = 0; i < data.length; i++) out[i] = conv(data[i]!);
  return out;
}
