/**
 * The analysis records kept in the data folder (the LASER record cache, `<dataDir>/records/`), as
 * the UI browses them: one by id, or every run made on an image. Records are found by the image's
 * content (its sha256), like the cache keys them, so a renamed copy finds its runs. The list is
 * read from disk once per session and then kept up to date with the runs made in it.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { WorkbenchError, isWorkbenchError } from '../../common/contract/errors.ts';
import type { LaserRecordSummary } from '../../common/contract/methods.ts';
import { RECORD_FORMAT, RECORD_JSON, RECORD_VERSION, type AnalysisRecord, type InputRole } from '../../common/laser/record.ts';
import { RecordCache } from '../laser/cache.ts';
import { loadRecord, loadRecordJson, type LoadedRecord } from '../laser/record-io.ts';
import { createLimiter } from '../library/concurrency.ts';

interface Indexed {
  imageHash: string;
  summary: LaserRecordSummary;
}

function summarize(r: Pick<AnalysisRecord, 'cacheKey' | 'createdAt' | 'method' | 'question' | 'answer' | 'image' | 'bundle' | 'layer'>): Indexed {
  return {
    imageHash: r.image.hash,
    summary: {
      id: r.cacheKey,
      createdAt: r.createdAt,
      method: r.method,
      question: r.question,
      answer: r.answer,
      imagePath: r.image.path,
      modelName: r.bundle.name,
      bundleId: r.bundle.id,
      layer: r.layer,
    },
  };
}

const readJobs = createLimiter(8);

/** The summary of a stored record.json, or null for anything that is not a record of this version. */
async function readSummary(dir: string): Promise<Indexed | null> {
  try {
    const json = JSON.parse(await readFile(join(dir, RECORD_JSON), 'utf8')) as AnalysisRecord;
    if (json.format !== RECORD_FORMAT || json.version !== RECORD_VERSION || typeof json.image?.hash !== 'string') return null;
    return summarize(json);
  } catch {
    return null;
  }
}

export class RecordStore {
  readonly cache: RecordCache;
  private index: Promise<Map<string, Indexed>> | null = null;

  constructor(root: string) {
    this.cache = new RecordCache(root);
  }

  /** Loads one record; 'not-found' when there is none with this id. */
  async load(id: string): Promise<LoadedRecord> {
    try {
      return await loadRecord(this.cache.dirFor(id));
    } catch (e) {
      if (isWorkbenchError(e) && e.code === 'not-found') {
        throw new WorkbenchError('not-found', `No stored run has the id ${id}.`, 'It may have been deleted from the data folder; run the method again.');
      }
      throw e;
    }
  }

  /** The path of a stored record's input image; 'not-found' when the record has no input of that role. */
  async inputFile(id: string, role: InputRole): Promise<string> {
    const dir = this.cache.dirFor(id);
    let record: AnalysisRecord;
    try {
      record = await loadRecordJson(dir);
    } catch (e) {
      if (isWorkbenchError(e) && e.code === 'not-found') throw new WorkbenchError('not-found', `No stored run has the id ${id}.`, 'Run the method again.');
      throw e;
    }
    const input = record.inputs.find((i) => i.role === role);
    if (!input)
      throw new WorkbenchError(
        'not-found',
        `The ${record.method} run ${id.slice(0, 12)} showed the model no ${role} image.`,
        `Its inputs are: ${record.inputs.map((i) => i.role).join(', ')}.`,
      );
    return join(dir, input.file);
  }

  /** Records a run made in this session (the first list may not have been read yet). */
  async add(record: AnalysisRecord): Promise<void> {
    const entry = summarize(record);
    (await this.read()).set(entry.summary.id, entry);
  }

  /** Runs on the image with this content hash, newest first. */
  async forImage(imageHash: string): Promise<LaserRecordSummary[]> {
    const out = [...(await this.read()).values()].filter((e) => e.imageHash === imageHash).map((e) => e.summary);
    return out.sort((a, b) => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : 0));
  }

  private read(): Promise<Map<string, Indexed>> {
    this.index ??= this.scan();
    return this.index;
  }

  private async scan(): Promise<Map<string, Indexed>> {
    const root = join(this.cache.root, 'records');
    const shards = await readdir(root).catch(() => [] as string[]);
    const dirs: string[] = [];
    for (const shard of shards) {
      for (const key of await readdir(join(root, shard)).catch(() => [] as string[])) {
        if (/^[0-9a-f]{64}$/.test(key)) dirs.push(join(root, shard, key));
      }
    }
    const found = await Promise.all(dirs.map((d) => readJobs.run(() => readSummary(d))));
    const map = new Map<string, Indexed>();
    for (const e of found) if (e) map.set(e.summary.id, e);
    return map;
  }
}
