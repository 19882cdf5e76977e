/**
 * Writes a safetensors file: tensors sorted by name and stored back to back, the JSON header padded
 * with spaces so the data region starts on an 8-byte boundary (what the reference writer does).
 * The file appears atomically: it is written beside the target and renamed into place.
 */
import { open, rename, rm } from 'node:fs/promises';
import { dtypeSize, float32ToHalfBits, isDtype, numel, type Dtype, type TensorData } from './dtype.ts';

export interface TensorToWrite {
  dtype: Dtype;
  shape: readonly number[];
  /** Little-endian element data. For F16/BF16 either the raw bits (Uint16Array) or a Float32Array to round (nearest even). */
  data: TensorData;
}

export async function writeSafetensors(path: string, tensors: Record<string, TensorToWrite>, metadata?: Record<string, string>): Promise<void> {
  const entries = Object.entries(tensors).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const header: Record<string, unknown> = {};
  if (metadata && Object.keys(metadata).length > 0) header.__metadata__ = metadata;
  const payloads: Uint8Array[] = [];
  let offset = 0;
  for (const [name, tensor] of entries) {
    if (name === '__metadata__') throw new TypeError('writeSafetensors: "__metadata__" is reserved and cannot name a tensor');
    const bytes = tensorBytes(name, tensor);
    header[name] = { dtype: tensor.dtype, shape: tensor.shape, data_offsets: [offset, offset + bytes.byteLength] };
    payloads.push(bytes);
    offset += bytes.byteLength;
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - (Buffer.byteLength(json) % 8)) % 8);
  const headerBytes = Buffer.from(json, 'utf8');
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(headerBytes.byteLength));

  const tmp = `${path}.tmp-${process.pid}-${Date.now()}`;
  const fd = await open(tmp, 'w');
  try {
    await fd.write(len);
    await fd.write(headerBytes);
    for (const p of payloads) await fd.write(p);
    // On the disk before the rename, so a crash cannot leave the new name with missing data.
    await fd.sync();
    await fd.close();
    await rename(tmp, path);
  } catch (e) {
    await fd.close().catch(() => undefined);
    await rm(tmp, { force: true });
    throw e;
  }
}

function tensorBytes(name: string, t: TensorToWrite): Uint8Array {
  if (!isDtype(t.dtype)) throw new TypeError(`writeSafetensors: tensor "${name}" has unknown dtype ${String(t.dtype)}`);
  if (!t.shape.every((d) => Number.isSafeInteger(d) && d >= 0))
    throw new TypeError(`writeSafetensors: tensor "${name}" has a bad shape ${JSON.stringify(t.shape)}`);
  let data: TensorData = t.data;
  if ((t.dtype === 'F16' || t.dtype === 'BF16') && data instanceof Float32Array) data = float32ToHalfBits(t.dtype, data);
  const expected = numel(t.shape) * dtypeSize(t.dtype);
  if (data.byteLength !== expected) {
    throw new TypeError(`writeSafetensors: tensor "${name}" has ${data.byteLength} bytes of data, but ${t.dtype} ${JSON.stringify(t.shape)} needs ${expected}`);
  }
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}
