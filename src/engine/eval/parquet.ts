/**
 * Benchmarks shipped as parquet (lmms-eval, Hugging Face datasets), read with hyparquet: one row
 * per question, the image embedded as bytes, either a plain binary column or HF's image struct
 * `{bytes, path}`. Embedded images are written once to a content-addressed folder
 * (`<tmp>/laser-parquet-images/<sha256>.<ext>`), so the evaluator reads them as files and the
 * record cache keys (which hash the image bytes) are the same on every read.
 *
 * A dataset is often several files, named as HF's datasets write them
 * (`data/<split>-00000-of-00003.parquet`): `parquetSource` picks those of one split from a
 * folder (or its `data/`), and `readParquetRows` reads them in order as one list of rows, each
 * with its file and row number (from 1) for errors. Lists and structs come as arrays and objects,
 * numeric lists as plain arrays, INT64 as numbers; byte columns stay bytes.
 */
import { createHash } from 'node:crypto';
import { mkdir, readdir, rename, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { asyncBufferFromFile, parquetReadObjects } from 'hyparquet';
import { WorkbenchError } from '../../common/contract/errors.ts';
import { dataError, isDirectory, type JsonLine } from './source.ts';

export const isParquetFile = (file: string) => file.toLowerCase().endsWith('.parquet');

/** INT64 → number, typed numeric arrays → arrays, recursively; bytes stay bytes. */
function plain(v: unknown): unknown {
  if (typeof v === 'bigint') return Number(v);
  if (v instanceof Uint8Array || v === null || typeof v !== 'object') return v;
  if (ArrayBuffer.isView(v)) return Array.from(v as unknown as ArrayLike<number | bigint>, (x) => (typeof x === 'bigint' ? Number(x) : x));
  if (Array.isArray(v)) return v.map(plain);
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]));
}

/** The rows of a parquet file as objects (see the header). */
export async function readParquetFile(file: string, hint?: string): Promise<Record<string, unknown>[]> {
  let rows: Record<string, unknown>[];
  try {
    rows = (await parquetReadObjects({ file: await asyncBufferFromFile(file), utf8: false })) as Record<string, unknown>[];
  } catch (e) {
    throw dataError(file, null, `not a parquet file this reads (${(e as Error).message})`, hint);
  }
  return rows.map((r) => plain(r) as Record<string, unknown>);
}

/** A row with its place: `line` is the row number in `file`, from 1 (errors read `file:row`). */
export interface ParquetRow extends JsonLine {
  file: string;
  value: Record<string, unknown>;
}

/** The rows of several files, in order. */
export async function readParquetRows(files: string | readonly string[], hint?: string): Promise<ParquetRow[]> {
  const out: ParquetRow[] = [];
  for (const file of typeof files === 'string' ? [files] : files)
    (await readParquetFile(file, hint)).forEach((value, k) => out.push({ file, line: k + 1, value }));
  return out;
}

/** HF's shard name `<split>-00000-of-00003[-<hash>].parquet` → its split; another name → its stem. */
export function parquetSplitOf(file: string): string {
  const stem = basename(file).replace(/\.parquet$/i, '');
  return /^(.+?)-\d{5}-of-\d{5}(-[0-9a-f]+)?$/i.exec(stem)?.[1] ?? stem;
}

/**
 * The parquet files --data names: the file itself, or those of a folder (or of its `data/`, HF's
 * dataset layout) of one split: `split` when given, else the only one there is. Null when there
 * are none (the caller reads its JSON layouts).
 */
export async function parquetSource(path: string, split?: string): Promise<{ files: string[]; split: string } | null> {
  if (!(await isDirectory(path))) return isParquetFile(path) ? { files: [path], split: parquetSplitOf(path) } : null;
  for (const dir of [path, join(path, 'data')]) {
    const names = (await readdir(dir).catch(() => [] as string[])).filter(isParquetFile).sort();
    if (names.length === 0) continue;
    const bySplit = new Map<string, string[]>();
    for (const n of names) bySplit.set(parquetSplitOf(n), [...(bySplit.get(parquetSplitOf(n)) ?? []), join(dir, n)]);
    const splits = [...bySplit.keys()];
    if (split !== undefined) {
      const files = bySplit.get(split);
      if (files === undefined)
        throw new WorkbenchError(
          'not-found',
          `${dir}: no parquet files of split "${split}" (its splits: ${splits.join(', ')})`,
          'Pass --split with one of these.',
        );
      return { files, split };
    }
    if (splits.length > 1)
      throw new WorkbenchError(
        'bad-request',
        `${dir}: parquet files of several splits (${splits.join(', ')})`,
        'Pass --split with the one to evaluate, e.g. --split validation.',
      );
    const only = splits[0];
    const files = only === undefined ? undefined : bySplit.get(only);
    if (only === undefined || files === undefined) continue;
    return { files, split: only };
  }
  return null;
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
  if (value !== null && typeof value === 'object' && (value as { bytes?: unknown }).bytes instanceof Uint8Array)
    return embeddedImageBytes((value as { bytes: Uint8Array }).bytes);
  return null;
}

export function parquetImageDir(): string {
  return join(tmpdir(), 'laser-parquet-images');
}

/** The file of a row's embedded image (extracted once), or null when the value holds no bytes. */
export async function embeddedImageFile(value: unknown): Promise<string | null> {
  const bytes = embeddedImageBytes(value);
  return bytes === null ? null : extractImage(bytes);
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
