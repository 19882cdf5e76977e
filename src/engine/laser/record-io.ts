/**
 * Record folders on disk: written whole or not at all (a temporary sibling renamed into place), and
 * read back with the schema checked and the tensors in their stored precision (F64 stays F64, so a
 * VAQ recomputed from the stored maps matches the stored one exactly). The model's input images
 * (record.inputs) are PNG files in the folder, read back as bytes.
 */
import { mkdir, readFile, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import sharp from 'sharp';
import { WorkbenchError } from '../../common/contract/errors.ts';
import { SafetensorsFile } from '../checkpoint/safetensors.ts';
import { replaceFolder, writeFileAtomically } from '../library/atomic-write.ts';
import { writeSafetensors, type TensorToWrite } from '../checkpoint/safetensors-writer.ts';
import type { RgbImage } from '../preprocess/image.ts';
import {
  RECORD_FORMAT,
  RECORD_JSON,
  RECORD_TENSOR_FILE,
  RECORD_TENSORS,
  RECORD_VERSION,
  recordSchema,
  recordToJson,
  type AnalysisRecord,
  type RecordTensor,
  type RecordTensorName,
  type RecordTensors,
} from './record.ts';
import { jsonSyntaxReason } from '../library/json-errors.ts';

/** Files of a record folder besides record.json and the tensors, by path inside the folder: the input PNGs. */
export type RecordFiles = Record<string, Uint8Array>;

export interface LoadedRecord {
  dir: string;
  record: AnalysisRecord;
  tensors: RecordTensors;
  files: RecordFiles;
}

/** The input images as PNG files (lossless, so a PNG decodes to exactly the pixels the encoder got). */
export async function encodeInputPngs(images: Record<string, RgbImage>): Promise<RecordFiles> {
  const out: RecordFiles = {};
  for (const [file, img] of Object.entries(images)) {
    out[file] = new Uint8Array(
      await sharp(img.data, { raw: { width: img.width, height: img.height, channels: 3 } })
        .png()
        .toBuffer(),
    );
  }
  return out;
}

/**
 * Writes `dir` (replacing an earlier record there) atomically; `files` must hold every input's PNG.
 * Every file is written and fsynced in a temporary sibling folder, which replaceFolder
 * (library/atomic-write.ts) puts in place: an earlier record is moved aside,
 * the new folder renamed into place, and only then the old one removed. A kill at any point leaves
 * the old record or the new one whole at `dir` (or, in the instant between the two renames, none:
 * then a run recomputes it); never a record.json without its tensors or inputs.
 */
export async function writeRecordFolder(dir: string, record: AnalysisRecord, tensors: RecordTensors, files: RecordFiles): Promise<void> {
  for (const input of record.inputs) if (!files[input.file]) throw new Error(`The record lists ${input.file}, but no bytes were given for it.`);
  await mkdir(dirname(dir), { recursive: true });
  const tmp = `${dir}.partial-${process.pid}-${Date.now()}`;
  await mkdir(tmp, { recursive: true });
  try {
    const toWrite: Record<string, TensorToWrite> = {};
    for (const [name, t] of Object.entries(tensors)) if (t) toWrite[name] = { dtype: t.dtype, shape: t.shape, data: t.data };
    await writeSafetensors(join(tmp, RECORD_TENSOR_FILE), toWrite, { format: RECORD_FORMAT, version: String(RECORD_VERSION) });
    for (const input of record.inputs) {
      const bytes = files[input.file];
      if (bytes === undefined) throw new Error(`The record lists ${input.file}, but no bytes were given for it.`);
      await mkdir(dirname(join(tmp, input.file)), { recursive: true });
      await writeFileAtomically(join(tmp, input.file), bytes);
    }
    await writeFileAtomically(join(tmp, RECORD_JSON), recordToJson(record));
    await replaceFolder(tmp, dir);
  } catch (e) {
    await rm(tmp, { recursive: true, force: true });
    throw e;
  }
}

function invalid(path: string, what: string): WorkbenchError {
  return new WorkbenchError('bad-request', `${path}: ${what}.`, 'Run the method again to write a fresh record.');
}

async function readTensor(file: SafetensorsFile, name: string): Promise<RecordTensor> {
  const info = file.info(name);
  const raw = await file.readRaw(name);
  const bytes = new Uint8Array(raw.byteLength);
  bytes.set(raw);
  if (info.dtype === 'F32') return { dtype: 'F32', shape: [...info.shape], data: new Float32Array(bytes.buffer) };
  if (info.dtype === 'F64') return { dtype: 'F64', shape: [...info.shape], data: new Float64Array(bytes.buffer) };
  throw invalid(file.path, `tensor "${name}" is ${info.dtype}; records hold F32 and F64 tensors only`);
}

/** Reads and checks `dir`/record.json alone (no tensors): enough to list runs. */
export async function loadRecordJson(dir: string): Promise<AnalysisRecord> {
  const jsonPath = join(dir, RECORD_JSON);
  if (!(await stat(dir).catch(() => null))?.isDirectory())
    throw new WorkbenchError('not-found', `${dir}: no such record folder.`, 'Pass the folder that `laser run --out` wrote.');
  let text: string;
  try {
    text = await readFile(jsonPath, 'utf8');
  } catch {
    throw new WorkbenchError('not-found', `${dir} has no ${RECORD_JSON}, so it is not a record folder.`, 'Pass the folder that `laser run --out` wrote.');
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw invalid(jsonPath, `not valid JSON (${jsonSyntaxReason(e)})`);
  }
  const head = (typeof json === 'object' && json !== null ? json : {}) as Record<string, unknown>;
  if (head.format !== RECORD_FORMAT) throw invalid(jsonPath, `format is ${JSON.stringify(head.format)}, not "${RECORD_FORMAT}"`);
  if (head.version !== RECORD_VERSION) throw invalid(jsonPath, `record version ${JSON.stringify(head.version)}; this build reads version ${RECORD_VERSION}`);
  const parsed = recordSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw invalid(jsonPath, `field "${issue?.path.map(String).join('.') ?? ''}" is invalid (${issue?.message ?? parsed.error.message})`);
  }
  return parsed.data;
}

/** Loads a record folder; 'not-found' when there is none, 'bad-request' naming the file when it is damaged or of another version. */
export async function loadRecord(dir: string): Promise<LoadedRecord> {
  const record = await loadRecordJson(dir);
  const file = await SafetensorsFile.open(join(dir, record.tensors.file));
  try {
    const tensors: RecordTensors = {};
    for (const name of record.tensors.names) {
      if (!(name in RECORD_TENSORS)) throw invalid(file.path, `unknown tensor "${name}"`);
      if (!file.has(name)) throw invalid(file.path, `tensor "${name}", which ${RECORD_JSON} lists, is missing`);
      tensors[name as RecordTensorName] = await readTensor(file, name);
    }
    checkMapGrids(file.path, record, tensors);
    return { dir, record, tensors, files: await readInputFiles(dir, record) };
  } finally {
    await file.close();
  }
}

/** Tensors that are not maps on a grid (scores per layer and head). */
const GRIDLESS_TENSORS: ReadonlySet<string> = new Set(['vaq', 'vaq_heads']);

/** Every map tensor's cells agree with the grid the record says it lies on ([.., rows * cols] or [.., rows, cols]). */
function checkMapGrids(path: string, record: AnalysisRecord, tensors: RecordTensors): void {
  for (const name of record.tensors.names) {
    if (!GRIDLESS_TENSORS.has(name) && !(name in record.tensors.maps))
      throw invalid(
        path,
        `tensor "${name}" is an attention map, but ${RECORD_JSON} does not say which input's grid it lies on (tensors.maps has no "${name}")`,
      );
  }
  const g = record.geometry;
  for (const [name, info] of Object.entries(record.tensors.maps)) {
    if (info.input === 'image' && (info.grid[0] !== g.gridHeight || info.grid[1] !== g.gridWidth))
      throw invalid(path, `tensor "${name}" lies on a ${info.grid[0]}x${info.grid[1]} grid of I, but the record's geometry has ${g.gridHeight}x${g.gridWidth}`);
  }
  for (const [name, info] of Object.entries(record.tensors.maps)) {
    const t = tensors[name as RecordTensorName];
    if (!t) throw invalid(path, `tensor "${name}", which ${RECORD_JSON} places on a grid, is missing`);
    const [rows, cols] = info.grid;
    const s = t.shape;
    const flat = s[s.length - 1] === rows * cols;
    const square = s.length >= 2 && s[s.length - 2] === rows && s[s.length - 1] === cols;
    if (!flat && !square)
      throw invalid(path, `tensor "${name}" has shape [${s.join(', ')}], which does not end in the ${rows}x${cols} grid of its input (${info.input})`);
  }
}

async function readInputFiles(dir: string, record: AnalysisRecord): Promise<RecordFiles> {
  const files: RecordFiles = {};
  for (const input of record.inputs) {
    if (!/^inputs\/[a-z-]+\.png$/.test(input.file)) throw invalid(join(dir, RECORD_JSON), `input file "${input.file}" is not a PNG under inputs/`);
    try {
      files[input.file] = new Uint8Array(await readFile(join(dir, input.file)));
    } catch {
      throw invalid(join(dir, input.file), `the ${input.role} input image, which ${RECORD_JSON} lists, is missing`);
    }
  }
  return files;
}
