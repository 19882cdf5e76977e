/**
 * Where an initializer's bytes come from. A source knows its element type and shape up front (so a
 * graph's structure and the total byte count are known before any weight is read) and yields its
 * little-endian bytes lazily, in chunks of any size, only when the model is saved: a compiler can
 * describe every weight of a 7B model while holding none of them.
 */
import { dataTypeSize, type DataType } from './onnx-proto.ts';

export interface TensorSource {
  readonly dtype: DataType;
  readonly dims: readonly number[];
  /** Yields exactly `byteLength(this)` bytes, in order. */
  chunks(): AsyncIterable<Uint8Array>;
}

export function elementCount(dims: readonly number[]): number {
  let n = 1;
  for (const d of dims) n *= d;
  return n;
}

export function byteLength(s: Pick<TensorSource, 'dtype' | 'dims'>): number {
  return elementCount(s.dims) * dataTypeSize(s.dtype);
}

export type NumericArray = Float32Array | Float64Array | Uint16Array | BigInt64Array | Int32Array | Int8Array | Uint8Array;

function asBytes(a: NumericArray): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

/** A source over data already in memory (tests, small derived tensors). Uint16Array holds half bits. */
export function arraySource(dtype: DataType, dims: readonly number[], data: NumericArray): TensorSource {
  const bytes = asBytes(data);
  const want = elementCount(dims) * dataTypeSize(dtype);
  if (bytes.byteLength !== want) throw new RangeError(`arraySource: ${bytes.byteLength} bytes for ${dtype}[${dims.join(', ')}] (want ${want})`);
  return {
    dtype,
    dims: [...dims],
    async *chunks() {
      yield bytes;
    },
  };
}
