/**
 * Records cached on disk by what determines them: the bundle (its manifest hash), the image (its
 * content hash), the question, the method, every knob, and the prompt options. A second identical
 * run returns the stored record instead of running the model. The record format version is part of
 * the key, so a new version never reads an old record as its own.
 *
 * Layout: <root>/records/<key[0:2]>/<key>/{record.json, tensors.safetensors, inputs/*.png}, plus an index by
 * image content, <root>/images/<image hash>/<key> (empty files), so the runs on one image can be
 * listed without reading every record.
 */
import { createHash } from 'node:crypto';
import { homedir } from 'node:os';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { isWorkbenchError } from '../../common/contract/errors.ts';
import type { MethodId } from '../../common/laser/index.ts';
import { writeFileAtomically } from '../library/atomic-write.ts';
import { resolveDataDir } from '../settings/data-dir.ts';
import { RECORD_VERSION, type AnalysisRecord, type RecordTensors } from './record.ts';
import { loadRecord, loadRecordJson, writeRecordFolder, type LoadedRecord, type RecordFiles } from './record-io.ts';

export interface CacheKeyParts {
  bundleId: string;
  imageHash: string;
  question: string;
  method: MethodId;
  knobs: Record<string, unknown>;
  options: Record<string, unknown>;
}

/** JSON with object keys sorted at every level, so equal values give equal text. */
export function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o)
      .sort()
      .filter((k) => o[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonical(o[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}

export function cacheKey(parts: CacheKeyParts): string {
  return createHash('sha256')
    .update(canonical({ recordVersion: RECORD_VERSION, ...parts }))
    .digest('hex');
}

/**
 * $LASER_CACHE_DIR where a script still sets it (read where it is), else the data folder
 * (src/engine/settings/data-dir.ts), whose records the app lists in its history.
 */
export function defaultCacheRoot(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform, home: string = homedir()): string {
  if (env.LASER_CACHE_DIR) return env.LASER_CACHE_DIR;
  return resolveDataDir({ env, platform, home, cwd: process.cwd() }).dir;
}

export class RecordCache {
  constructor(readonly root: string) {}

  dirFor(key: string): string {
    return join(this.root, 'records', key.slice(0, 2), key);
  }

  /** The stored record, or null when there is none (or it cannot be read, which a new run then replaces). */
  async get(key: string): Promise<LoadedRecord | null> {
    try {
      const loaded = await loadRecord(this.dirFor(key));
      return loaded.record.cacheKey === key ? loaded : null;
    } catch (e) {
      if (isWorkbenchError(e)) return null;
      throw e;
    }
  }

  async put(key: string, record: AnalysisRecord, tensors: RecordTensors, files: RecordFiles): Promise<string> {
    const dir = this.dirFor(key);
    await writeRecordFolder(dir, record, tensors, files);
    // Through a fsynced temporary name (never listed: only 64-hex names are keys), like the record.
    await writeFileAtomically(join(this.root, 'images', record.image.hash, key), '');
    return dir;
  }

  /** The stored runs on an image (by content hash), newest first, record.json only; entries that no longer load are skipped. */
  async listForImage(imageHash: string): Promise<{ dir: string; record: AnalysisRecord }[]> {
    let keys: string[];
    try {
      keys = await readdir(join(this.root, 'images', imageHash));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw e;
    }
    const found = await Promise.all(
      keys
        .filter((k) => /^[0-9a-f]{64}$/.test(k))
        .map(async (k) => {
          const dir = this.dirFor(k);
          const record = await loadRecordJson(dir).catch((e: unknown) => {
            if (isWorkbenchError(e)) return null;
            throw e;
          });
          return record && record.cacheKey === k ? { dir, record } : null;
        }),
    );
    return found.filter((r) => r !== null).sort((a, b) => b.record.createdAt.localeCompare(a.record.createdAt));
  }
}
