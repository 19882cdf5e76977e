/**
 * Record folders on disk: written whole or not at all (a temporary sibling renamed into place), and
 * read back with the schema checked and the tensors in their stored precision (F64 stays F64, so a
 * VAQ recomputed from the stored maps matches the stored one exactly).
 */
import { mkdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { WorkbenchError } from '../../common/contract/errors.ts';
import { SafetensorsFile } from '../checkpoint/safetensors.ts';
import { syncPath, writeFileAtomically } from '../library/atomic-write.ts';
import { writeSafetensors, type TensorToWrite } from '../checkpoint/safetensors-writer.ts';
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

export interface LoadedRecord {
  dir: string;
  record: AnalysisRecord;
  tensors: RecordTensors;
}

/**
 * Writes `dir` (replacing an earlier record there) atomically: both files are written and fsynced in
 * a temporary sibling folder, an earlier record is moved aside, the new folder renamed into place,
 * and only then the old one removed. A kill at any point leaves the old record or the new one whole
 * at `dir` (or, in the instant between the two renames, none: then a run recomputes it); never a
 * record.json without its tensors.
 */
export async function writeRecordFolder(dir: string, record: AnalysisRecord, tensors: RecordTensors): Promise<void> {
  await mkdir(dirname(dir), { recursive: true });
  const tmp = `${dir}.partial-${process.pid}-${Date.now()}`;
  await mkdir(tmp, { recursive: true });
  let aside: string | null = null;
  try {
    const toWrite: Record<string, TensorToWrite> = {};
    for (const [name, t] of Object.entries(tensors)) if (t) toWrite[name] = { dtype: t.dtype, shape: t.shape, data: t.data };
    await writeSafetensors(join(tmp, RECORD_TENSOR_FILE), toWrite, { format: RECORD_FORMAT, version: String(RECORD_VERSION) });
    await writeFileAtomically(join(tmp, RECORD_JSON), recordToJson(record));
    await syncPath(tmp);
    if (await stat(dir).catch(() => null)) {
      aside = `${dir}.old-${process.pid}-${Date.now()}`;
      await rename(dir, aside);
    }
    await rename(tmp, dir);
  } catch (e) {
    if (aside !== null) await rename(aside, dir).catch(() => undefined);
    await rm(tmp, { recursive: true, force: true });
    throw e;
  }
  if (aside !== null) await rm(aside, { recursive: true, force: true });
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
  if (!(await stat(dir).catch(() => null))?.isDirectory()) throw new WorkbenchError('not-found', `${dir}: no such record folder.`, 'Pass the folder that `laser run --out` wrote.');
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
    throw invalid(jsonPath, `field "${issue.path.map(String).join('.')}" is invalid (${issue.message})`);
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
    return { dir, record, tensors };
  } finally {
    await file.close();
  }
}
