/**
 * A Hugging Face checkpoint folder's weights behind one small interface, whether they sit in one
 * `model.safetensors` or in shards listed by `model.safetensors.index.json` (its `weight_map` maps
 * tensor name → shard file). Every shard is opened and its header validated up front, so a missing
 * shard or a tensor the index promises but the shard lacks fails at open, not halfway through a
 * compile.
 */
import { readFile, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { WorkbenchError } from '../../common/contract/errors.ts';
import type { Dtype } from './dtype.ts';
import { findDuplicateKey } from './json-duplicates.ts';
import { SafetensorsFile } from './safetensors.ts';
import { jsonSyntaxReason } from '../library/json-errors.ts';

export interface CheckpointTensorInfo {
  dtype: Dtype;
  shape: number[];
  /** The safetensors file that holds it (absolute or as given). */
  file: string;
}

export interface Checkpoint {
  /** The checkpoint folder (for messages). */
  readonly dir: string;
  /** Tensor names (for a sharded checkpoint: the index's, in index order). */
  names(): string[];
  has(name: string): boolean;
  /** Throws WorkbenchError 'invalid-checkpoint' naming the tensor if absent. */
  info(name: string): CheckpointTensorInfo;
  /** Any float dtype (F32/F16/BF16/F64) widened or rounded to float32. */
  readFloat32(name: string): Promise<Float32Array>;
  /** Raw little-endian bytes in a buffer of its own. */
  readRaw(name: string): Promise<Buffer>;
  /** Raw bytes in pieces of about `chunkBytes` (whole elements), for copying big tensors with flat memory. */
  chunks(name: string, chunkBytes: number): AsyncIterable<Buffer>;
  close(): Promise<void>;
}

export const singleFileName = 'model.safetensors';
export const indexFileName = 'model.safetensors.index.json';

/**
 * Opens the weights of checkpoint folder `dir`. Throws WorkbenchError: 'not-found' if `dir` does not
 * exist, 'invalid-checkpoint' if it holds no safetensors weights, if the index is malformed or names
 * a missing shard, or if any header is invalid.
 */
export async function openCheckpoint(dir: string): Promise<Checkpoint> {
  const dirStat = await stat(dir).catch(() => null);
  if (!dirStat) throw new WorkbenchError('not-found', `${dir}: no such folder`, 'Pass the folder that holds config.json and the .safetensors weights.');
  if (!dirStat.isDirectory()) throw new WorkbenchError('not-a-directory', `${dir} is not a folder`, 'Pass the checkpoint folder, not a file inside it.');
  const indexPath = join(dir, indexFileName);
  if (await exists(indexPath)) return openSharded(dir, indexPath);
  const single = join(dir, singleFileName);
  if (await exists(single)) return new SingleFileCheckpoint(dir, await SafetensorsFile.open(single));
  throw new WorkbenchError(
    'invalid-checkpoint',
    `${dir}: no ${singleFileName} or ${indexFileName}`,
    'Only safetensors checkpoints are supported. Download the .safetensors files, or convert a PyTorch .bin checkpoint with save_pretrained(safe_serialization=True).',
  );
}

async function exists(p: string): Promise<boolean> {
  return (await stat(p).catch(() => null))?.isFile() ?? false;
}

class SingleFileCheckpoint implements Checkpoint {
  constructor(
    readonly dir: string,
    private readonly file: SafetensorsFile,
  ) {}
  names(): string[] {
    return this.file.names();
  }
  has(name: string): boolean {
    return this.file.has(name);
  }
  info(name: string): CheckpointTensorInfo {
    const t = this.file.info(name);
    return { dtype: t.dtype, shape: t.shape, file: this.file.path };
  }
  readFloat32(name: string): Promise<Float32Array> {
    return this.file.readFloat32(name);
  }
  readRaw(name: string): Promise<Buffer> {
    return this.file.readRaw(name);
  }
  chunks(name: string, chunkBytes: number): AsyncIterable<Buffer> {
    return this.file.chunks(name, chunkBytes);
  }
  close(): Promise<void> {
    return this.file.close();
  }
}

class ShardedCheckpoint implements Checkpoint {
  constructor(
    readonly dir: string,
    private readonly indexPath: string,
    private readonly where: Map<string, SafetensorsFile>,
    private readonly shards: SafetensorsFile[],
  ) {}
  private shard(name: string): SafetensorsFile {
    const f = this.where.get(name);
    if (!f)
      throw new WorkbenchError('invalid-checkpoint', `${this.indexPath}: has no tensor "${name}"`, 'The checkpoint is incomplete or is for a different model.');
    return f;
  }
  names(): string[] {
    return [...this.where.keys()];
  }
  has(name: string): boolean {
    return this.where.has(name);
  }
  info(name: string): CheckpointTensorInfo {
    const f = this.shard(name);
    const t = f.info(name);
    return { dtype: t.dtype, shape: t.shape, file: f.path };
  }
  readFloat32(name: string): Promise<Float32Array> {
    return this.shard(name).readFloat32(name);
  }
  readRaw(name: string): Promise<Buffer> {
    return this.shard(name).readRaw(name);
  }
  chunks(name: string, chunkBytes: number): AsyncIterable<Buffer> {
    return this.shard(name).chunks(name, chunkBytes);
  }
  async close(): Promise<void> {
    await Promise.all(this.shards.map((s) => s.close()));
  }
}

async function openSharded(dir: string, indexPath: string): Promise<Checkpoint> {
  const weightMap = parseIndex(indexPath, await readFile(indexPath, 'utf8'));
  const opened = new Map<string, SafetensorsFile>();
  try {
    for (const shardName of new Set(Object.values(weightMap))) {
      const path = join(dir, shardName);
      if (!(await exists(path))) {
        throw new WorkbenchError(
          'invalid-checkpoint',
          `${indexPath}: shard "${shardName}" is listed in the index but ${path} does not exist`,
          'The download is incomplete: fetch every model-*.safetensors file the index lists.',
        );
      }
      opened.set(shardName, await SafetensorsFile.open(path));
    }
    const where = new Map<string, SafetensorsFile>();
    for (const [name, shardName] of Object.entries(weightMap)) {
      const f = opened.get(shardName)!;
      if (!f.has(name)) {
        throw new WorkbenchError(
          'invalid-checkpoint',
          `${indexPath}: tensor "${name}" is mapped to shard "${shardName}", but ${f.path} does not contain it`,
          'The shards do not match the index (mixed downloads of different revisions?). Re-download the checkpoint.',
        );
      }
      where.set(name, f);
    }
    return new ShardedCheckpoint(dir, indexPath, where, [...opened.values()]);
  } catch (e) {
    await Promise.all([...opened.values()].map((f) => f.close()));
    throw e;
  }
}

/** Validates the index JSON and returns its weight_map. Shard names must be plain file names. */
function parseIndex(indexPath: string, text: string): Record<string, string> {
  const hint = 'The index file is damaged. Re-download model.safetensors.index.json.';
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new WorkbenchError('invalid-checkpoint', `${indexPath}: not valid JSON (${jsonSyntaxReason(e)})`, hint);
  }
  const wm = (json as { weight_map?: unknown } | null)?.weight_map;
  if (typeof wm !== 'object' || wm === null || Array.isArray(wm))
    throw new WorkbenchError('invalid-checkpoint', `${indexPath}: has no "weight_map" object`, hint);
  const dup = findDuplicateKey(text);
  if (dup) {
    const what = dup.path.join('.') === 'weight_map' ? `tensor "${dup.key}" is listed twice in weight_map` : `key "${dup.key}" occurs twice`;
    throw new WorkbenchError('invalid-checkpoint', `${indexPath}: ${what}`, hint);
  }
  for (const [name, shard] of Object.entries(wm)) {
    if (typeof shard !== 'string' || shard === '' || basename(shard) !== shard || shard === '..' || shard === '.') {
      throw new WorkbenchError(
        'invalid-checkpoint',
        `${indexPath}: tensor "${name}" maps to ${JSON.stringify(shard)}, which is not a file name in the checkpoint folder`,
        hint,
      );
    }
  }
  return wm as Record<string, string>;
}
