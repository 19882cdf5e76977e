/**
 * Parsing and validation of a safetensors header. The format: 8 bytes little-endian u64 N, then N
 * bytes of UTF-8 JSON `{name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__": {k: v}}`,
 * then the data region; offsets count from the first byte after the header.
 *
 * Everything the header claims is checked against the file before any tensor is read, so a reader
 * built on this can trust every offset: a damaged or hostile file fails here, naming the file and
 * the tensor, instead of returning garbage or reading past the end.
 */
import { WorkbenchError } from '../../common/contract/errors.ts';
import { dtypeSize, isDtype, numel, type Dtype } from './dtype.ts';
import { findDuplicateKey } from './json-duplicates.ts';
import { jsonSyntaxReason } from '../library/json-errors.ts';

/** A header larger than this is refused: real ones are a few MB at most (≈ 100 B per tensor). */
export const maxHeaderBytes = 100 * 1024 * 1024;

export interface TensorInfo {
  name: string;
  dtype: Dtype;
  shape: number[];
  /** Absolute byte offsets in the file (header already added), end exclusive. */
  begin: number;
  end: number;
}

export interface SafetensorsHeader {
  /** Absolute offset of the data region (8 + N). */
  dataStart: number;
  tensors: Map<string, TensorInfo>;
  metadata: Record<string, string>;
}

const hint = 'The file is damaged or was not written by a safetensors writer. Re-download or re-export the checkpoint.';

function bad(file: string, what: string): WorkbenchError {
  return new WorkbenchError('invalid-checkpoint', `${file}: ${what}`, hint);
}

/** Reads N from the first 8 bytes and checks it against the file size. */
export function parseHeaderLength(file: string, first8: Uint8Array, fileSize: number): number {
  if (fileSize < 8) throw bad(file, `file is ${fileSize} bytes, too short to be safetensors (needs an 8-byte header length)`);
  const n = new DataView(first8.buffer, first8.byteOffset, 8).getBigUint64(0, true);
  if (n > BigInt(fileSize - 8)) throw bad(file, `header length ${n} runs past the end of the ${fileSize}-byte file (truncated?)`);
  if (n > BigInt(maxHeaderBytes)) throw bad(file, `header length ${n} exceeds the ${maxHeaderBytes}-byte limit`);
  if (n < 2n) throw bad(file, `header length ${n} is too small to hold a JSON object`);
  return Number(n);
}

/** Parses and validates the N header bytes; `fileSize` bounds every tensor's data. */
export function parseHeader(file: string, headerBytes: Uint8Array, fileSize: number): SafetensorsHeader {
  const dataStart = 8 + headerBytes.byteLength;
  const dataSize = fileSize - dataStart;
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(headerBytes);
  } catch {
    throw bad(file, 'header is not valid UTF-8');
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw bad(file, `header is not valid JSON (${jsonSyntaxReason(e)})`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw bad(file, 'header JSON is not an object');
  const dup = findDuplicateKey(text);
  if (dup) {
    throw dup.path.length === 0
      ? bad(file, `tensor "${dup.key}" is listed twice in the header`)
      : bad(file, `key "${dup.key}" occurs twice in header entry "${dup.path.join('.')}"`);
  }

  const metadata = parseMetadata(file, (json as Record<string, unknown>).__metadata__);
  const tensors = new Map<string, TensorInfo>();
  for (const [name, entry] of Object.entries(json as Record<string, unknown>)) {
    if (name === '__metadata__') continue;
    tensors.set(name, parseEntry(file, name, entry, dataStart, dataSize));
  }
  checkNoOverlap(file, [...tensors.values()]);
  return { dataStart, tensors, metadata };
}

function parseMetadata(file: string, m: unknown): Record<string, string> {
  if (m === undefined) return {};
  if (typeof m !== 'object' || m === null || Array.isArray(m)) throw bad(file, '"__metadata__" is not an object of strings');
  for (const [k, v] of Object.entries(m)) {
    if (typeof v !== 'string') throw bad(file, `"__metadata__.${k}" is not a string`);
  }
  return { ...(m as Record<string, string>) };
}

function isNonNegInt(x: unknown): x is number {
  return typeof x === 'number' && Number.isSafeInteger(x) && x >= 0;
}

function parseEntry(file: string, name: string, e: unknown, dataStart: number, dataSize: number): TensorInfo {
  const t = `tensor "${name}"`;
  if (typeof e !== 'object' || e === null || Array.isArray(e)) throw bad(file, `${t}: header entry is not an object`);
  const { dtype, shape, data_offsets: offsets } = e as Record<string, unknown>;
  if (!isDtype(dtype)) throw bad(file, `${t}: dtype ${JSON.stringify(dtype)} is not one of F64, F32, F16, BF16, I64, I32, I16, I8, U8, BOOL`);
  if (!Array.isArray(shape) || !shape.every(isNonNegInt)) throw bad(file, `${t}: shape ${JSON.stringify(shape)} is not a list of non-negative integers`);
  const [b, end] = Array.isArray(offsets) && offsets.length === 2 && offsets.every(isNonNegInt) ? offsets : [];
  if (b === undefined || end === undefined || b > end) {
    throw bad(file, `${t}: data_offsets ${JSON.stringify(offsets)} is not [begin, end] with 0 <= begin <= end`);
  }
  const expected = numel(shape) * dtypeSize(dtype);
  if (!Number.isSafeInteger(expected) || end - b !== expected) {
    throw bad(file, `${t}: data_offsets [${b}, ${end}] hold ${end - b} bytes, but ${dtype} ${JSON.stringify(shape)} needs ${expected}`);
  }
  if (end > dataSize) throw bad(file, `${t}: data_offsets [${b}, ${end}] run past the ${dataSize}-byte data region (truncated file?)`);
  return { name, dtype, shape: [...shape], begin: dataStart + b, end: dataStart + end };
}

function checkNoOverlap(file: string, infos: TensorInfo[]): void {
  const sorted = [...infos].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let prev: TensorInfo | undefined;
  for (const cur of sorted) {
    if (prev !== undefined && cur.begin < prev.end) throw bad(file, `tensor "${cur.name}" overlaps tensor "${prev.name}" in the data region`);
    prev = cur;
  }
}
