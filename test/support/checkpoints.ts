/**
 * Byte-level builders and corrupters for bad-input tests of the checkpoint readers: a safetensors
 * file with a header that says whatever the test wants, and ways to damage a good file.
 */
import { readFile, truncate, writeFile } from 'node:fs/promises';

/**
 * A safetensors file from a header given as an object or as raw JSON text (to write things an
 * object cannot hold, such as a duplicated key), followed by `dataBytes` bytes of data (0x00…).
 * `headerLength` overrides the 8-byte length field (to lie about it).
 */
export async function writeRawSafetensors(path: string, header: object | string, dataBytes: number, headerLength?: bigint): Promise<void> {
  const json = Buffer.from(typeof header === 'string' ? header : JSON.stringify(header), 'utf8');
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(headerLength ?? BigInt(json.byteLength));
  const data = Buffer.alloc(dataBytes);
  for (let i = 0; i < dataBytes; i++) data[i] = i & 0xff;
  await writeFile(path, Buffer.concat([len, json, data]));
}

/** Cuts `bytes` off the end of a file. */
export async function truncateBy(path: string, bytes: number): Promise<void> {
  const size = (await readFile(path)).byteLength;
  await truncate(path, Math.max(0, size - bytes));
}

/** Rewrites a safetensors file's header through `edit` (data region untouched, length field updated). */
export async function editSafetensorsHeader(path: string, edit: (header: Record<string, unknown>) => Record<string, unknown> | string): Promise<void> {
  const bytes = await readFile(path);
  const n = Number(bytes.readBigUInt64LE(0));
  const header = JSON.parse(bytes.subarray(8, 8 + n).toString('utf8')) as Record<string, unknown>;
  const edited = edit(header);
  const json = Buffer.from(typeof edited === 'string' ? edited : JSON.stringify(edited), 'utf8');
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(json.byteLength));
  await writeFile(path, Buffer.concat([len, json, bytes.subarray(8 + n)]));
}

/** Overwrites the 8-byte header length field with `value`. */
export async function setHeaderLength(path: string, value: bigint): Promise<void> {
  const bytes = await readFile(path);
  bytes.writeBigUInt64LE(value, 0);
  await writeFile(path, bytes);
}
