/**
 * Benchmarks shipped as parquet (lmms-eval, Hugging Face datasets), read with hyparquet: one row
 * per question, the image embedded as bytes, either a plain binary column or HF's image struct
 * `{bytes, path}`. Embedded images are written once to a content-addressed folder
 * (`<tmp>/laser-parquet-images/<sha256>.<ext>`), so the evaluator reads them as files and the
 * record cache keys (which hash the image bytes) are the same on every read.
 */
import { createHash } from 'node:crypto';
import { mkdir, rename, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { asyncBufferFromFile, parquetReadObjects } from 'hyparquet';
import { dataError } from './source.ts';

export const isParquetFile = (file: string) => file.toLowerCase().endsWith('.parquet');

/** The rows of a parquet file as objects; byte columns stay bytes. */
export async function readParquetRows(file: string, hint?: string): Promise<Record<string, unknown>[]> {
  try {
    const rows = (await parquetReadObjects({ file: await asyncBufferFromFile(file), utf8: false })) as Record<string, unknown>[];
    // INT64 columns come as bigint: ids and counts fit a number
    for (const r of rows) for (const [k, v] of Object.entries(r)) if (typeof v === 'bigint') r[k] = Number(v);
    return rows;
  } catch (e) {
    throw dataError(file, null, `not a parquet file this reads (${(e as Error).message})`, hint);
  }
}

function extensionOf(bytes: Uint8Array): string {
  const b = (k: number) => bytes[k] ?? -1;
  if (b(0) === 0x89 && b(1) === 0x50 && b(2) === 0x4e && b(3) === 0x47) return 'png';
  if (b(0) === 0xff && b(1) === 0xd8) return 'jpg';
  if (b(0) === 0x52 && b(1) === 0x49 && b(2) === 0x46 && b(3) === 0x46) return 'webp';
  if (b(0) === 0x47 && b(1) === 0x49 && b(2) === 0x46) return 'gif';
  if (b(0) === 0x42 && b(1) === 0x4d) return 'bmp';
  return 'img';
}

/** The embedded image's bytes: a binary value, or HF's `{bytes, path}`; null when there are none. */
export function embeddedImageBytes(value: unknown): Uint8Array | null {
  if (value instanceof Uint8Array) return value.length > 0 ? value : null;
  if (value !== null && typeof value === 'object' && (value as { bytes?: unknown }).bytes instanceof Uint8Array) return embeddedImageBytes((value as { bytes: Uint8Array }).bytes);
  return null;
}

export function parquetImageDir(): string {
  return join(tmpdir(), 'laser-parquet-images');
}

/** Writes the bytes to the content-addressed folder (once) and returns the file. */
export async function extractImage(bytes: Uint8Array, dir: string = parquetImageDir()): Promise<string> {
  const hash = createHash('sha256').update(bytes).digest('hex');
  const file = join(dir, `${hash}.${extensionOf(bytes)}`);
  if ((await stat(file).catch(() => null))?.size === bytes.length) return file;
  await mkdir(dir, { recursive: true });
  const tmp = `${file}.partial-${process.pid}`;
  await writeFile(tmp, bytes);
  await rename(tmp, file);
  return file;
}
