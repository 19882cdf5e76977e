/**
 * A run folder: an evaluation that streams to disk and resumes.
 *
 *   <dir>/results.jsonl   one line per (sample, method), appended and flushed as each run finishes
 *   <dir>/manifest.json   what was run: bundle, dataset (hash), methods, every knob, options, shard,
 *                         program version, device, start / end times
 *   <dir>/summary.json    the per-method summary (summary.ts) of the rows, written at the end
 *
 * Opening a folder that has a manifest resumes it: its identity (bundle hash, dataset hash and
 * size, methods, knobs, options, limit, shard) must equal this run's, else the run is refused
 * (naming the fields that differ) unless `forceNew`, which starts the folder over. Rows already
 * there are kept and not run again; a half-written last line (a process killed mid-write) is cut
 * off and that run made again; error rows (a missing image) are made again, so an image added
 * since is picked up. When every row is there, results.jsonl is rewritten in the canonical order
 * (dataset order, then the manifest's method order), so a resumed or merged run has the same bytes
 * as one made in a single go.
 *
 * Rows hold what the summary and the report need without the dataset: the sample's groups and
 * ground truth (`truth`) beside the prediction and its score.
 */
import { createHash } from 'node:crypto';
import { execFile } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { mkdir, open, readdir, readFile, rename, rm, stat, truncate, writeFile } from 'node:fs/promises';
import { join, relative, resolve, sep } from 'node:path';
import { promisify } from 'node:util';
import { z } from 'zod';
import { WorkbenchError } from '../../common/contract/errors.ts';
import type { VqaProtocol, YesNo } from '../../common/laser/metrics.ts';
import type { MethodId } from '../../common/laser/knobs.ts';
import type { Rect } from '../../common/laser/grid.ts';
import type { Aggregation, SampleResult } from './score.ts';
import { canonical } from '../laser/cache.ts';
import { summarize, type MethodSummary } from './summary.ts';
import type { EvalSample } from './types.ts';
import { packageRoot } from '../library/package-root.ts';

export const RUN_FORMAT = 'laser-eval-run';
export const RUN_VERSION = 1;
export const RESULTS_FILE = 'results.jsonl';
export const MANIFEST_FILE = 'manifest.json';
export const SUMMARY_FILE = 'summary.json';

/** The ground truth a row was scored against. */
export interface RowTruth {
  answers?: readonly string[];
  protocol?: VqaProtocol;
  pope?: YesNo;
  box?: Rect;
  /** Multiple choice: the options and the index of the right one. */
  choices?: readonly string[];
  correct?: number;
}

/** One line of results.jsonl. Keys are written in this order. */
export interface RunRow {
  /** The sample's id. */
  id: string;
  /** The sample's position in the (limited) dataset: the canonical order, and what shards cover. */
  index: number;
  method: MethodId;
  status: 'ok' | 'error';
  /** Why the run could not be made (status 'error'), else null. */
  reason: string | null;
  prediction: string;
  score: number | null;
  pope: YesNo | null;
  layer: number | null;
  layerMode: 'argmax' | 'fixed' | null;
  /** The method's crop box, [x0, y0, x1, y1] on the original image. */
  cropBox: readonly number[] | null;
  fallback: boolean;
  aggregation: Aggregation | null;
  /** Grounding samples: IoU of the answer's box with the truth (score is IoU >= 0.5); else null. */
  iou: number | null;
  /** Wall time of the run (its record's timings.total), ms. */
  ms: number;
  /** The record's key in the record cache (null without a cache). */
  record: string | null;
  groups: Readonly<Record<string, string>>;
  truth: RowTruth;
}

export function truthOf(sample: EvalSample): RowTruth {
  const t: RowTruth = {};
  if (sample.vqa) {
    t.answers = [...sample.vqa.answers];
    t.protocol = sample.vqa.protocol;
  }
  if (sample.pope) t.pope = sample.pope;
  if (sample.box) t.box = [...sample.box];
  if (sample.choices) {
    t.choices = [...sample.choices.options];
    t.correct = sample.choices.correct;
  }
  return t;
}

/** The row of one result (`record` is the folder's last part: the cache key). */
export function rowOf(r: SampleResult, sample: EvalSample, index: number): RunRow {
  return {
    id: r.sampleId,
    index,
    method: r.method,
    status: r.error === null ? 'ok' : 'error',
    reason: r.error,
    prediction: r.answer,
    score: r.score,
    pope: r.pope,
    layer: r.layer,
    layerMode: r.layerMode,
    cropBox: r.cropBox === null ? null : [...r.cropBox],
    fallback: r.fallback,
    aggregation: r.aggregation,
    iou: r.iou ?? null,
    ms: r.ms,
    record: r.record === null ? null : (r.record.split(/[\\/]/).at(-1) ?? null),
    groups: { ...sample.groups },
    truth: truthOf(sample),
  };
}

const rowSchema = z.looseObject({
  id: z.string(),
  index: z.number().int().min(0),
  method: z.string(),
  status: z.enum(['ok', 'error']),
  reason: z.string().nullable(),
  prediction: z.string(),
  score: z.number().nullable(),
  groups: z.record(z.string(), z.string()),
  truth: z.looseObject({}),
});

export const rowKey = (id: string, method: string) => `${id}\u0000${method}`;

/** The sample and result a row stands for, for summarize(). */
export function resultOfRow(row: RunRow): { sample: EvalSample; result: SampleResult } {
  const t = row.truth;
  const sample: EvalSample = { id: row.id, imagePath: '', question: '', groups: row.groups };
  if (t.answers && t.protocol) sample.vqa = { answers: t.answers, protocol: t.protocol };
  if (t.pope) sample.pope = t.pope;
  if (t.box) sample.box = [...t.box];
  if (t.choices && t.correct !== undefined) sample.choices = { options: t.choices, correct: t.correct };
  const result: SampleResult = {
    sampleId: row.id,
    method: row.method,
    answer: row.prediction,
    score: row.score,
    pope: row.pope,
    layer: row.layer,
    layerMode: row.layerMode,
    fallback: row.fallback,
    aggregation: row.aggregation,
    record: row.record,
    cached: false,
    ms: row.ms,
    cropBox: row.cropBox,
    error: row.status === 'error' ? (row.reason ?? 'error') : null,
    iou: row.iou ?? null,
  };
  return { sample, result };
}

export interface RunSummary {
  format: 'laser-eval-summary';
  version: 1;
  /** Every (sample, method) of the run has its row. */
  complete: boolean;
  rows: number;
  expected: number;
  /** Rows with status 'error', per method. */
  errors: Record<string, number>;
  methods: Record<string, MethodSummary>;
}

export function summarizeRows(methods: readonly MethodId[], rows: readonly RunRow[], expected: number): RunSummary {
  const samples = new Map<string, EvalSample>();
  const results: SampleResult[] = [];
  for (const row of rows) {
    const { sample, result } = resultOfRow(row);
    if (!samples.has(sample.id)) samples.set(sample.id, sample);
    results.push(result);
  }
  const errors: Record<string, number> = {};
  for (const m of methods) errors[m] = rows.filter((r) => r.method === m && r.status === 'error').length;
  return {
    format: 'laser-eval-summary',
    version: 1,
    complete: rows.length === expected,
    rows: rows.length,
    expected,
    errors,
    methods: summarize(methods, [...samples.values()], results),
  };
}

/** Rows sorted in the canonical order: dataset index, then the methods' order. */
export function canonicalRows(rows: readonly RunRow[], methods: readonly string[]): RunRow[] {
  const pos = new Map(methods.map((m, k) => [m, k]));
  return [...rows].sort((a, b) => a.index - b.index || (pos.get(a.method) ?? 0) - (pos.get(b.method) ?? 0));
}

export const rowLine = (row: RunRow): string => `${JSON.stringify(row)}\n`;

// ---------------------------------------------------------------------------------------------
// manifest

/** What must agree for two runs (or a run and its resumption, or shards) to be one evaluation. */
export interface RunIdentity {
  bundle: { hash: string; name: string; dtype: string; modelType: string };
  dataset: { format: string; name: string; hash: string; samples: number; evaluated: number };
  methods: MethodId[];
  /** Every method's knobs as its runs use them (defaults included). */
  knobs: Partial<Record<MethodId, Record<string, unknown>>>;
  /** Decoding and prompt: max new tokens, instruction, the benchmark's prompt and scoring protocol. */
  options: Record<string, unknown>;
  limit: number | null;
}

export interface Shard {
  index: number;
  count: number;
}

export interface RunManifest {
  format: typeof RUN_FORMAT;
  version: typeof RUN_VERSION;
  identity: RunIdentity;
  /** This run's slice (`--shard i/n`); null for the whole dataset. */
  shard: Shard | null;
  /** The rows this run makes when complete (its shard's samples x methods). */
  expected: number;
  bundle: { dir: string; id: string };
  dataset: { sources: string[] };
  /** The seed of any random draw the methods make (their knob `seed`), null when none draws. */
  seed: number | null;
  device: string;
  program: { name: string; version: string; commit: string | null; node: string };
  command: string[];
  cacheDir: string | null;
  startedAt: string;
  resumedAt: string[];
  endedAt: string | null;
  /** The shard folders a merged run was made from. */
  mergedFrom?: string[];
}

const manifestSchema = z.looseObject({
  format: z.literal(RUN_FORMAT),
  version: z.literal(RUN_VERSION),
  identity: z.looseObject({ methods: z.array(z.string()), dataset: z.looseObject({ evaluated: z.number().int() }) }),
  shard: z.object({ index: z.number().int(), count: z.number().int() }).nullable(),
  expected: z.number().int(),
});

/** The dotted paths where two values differ (leaves), e.g. "knobs.laser.kHead". */
export function differences(a: unknown, b: unknown, at = ''): string[] {
  const isObj = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
  if (isObj(a) && isObj(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    return keys.flatMap((k) => differences(a[k], b[k], at === '' ? k : `${at}.${k}`));
  }
  return canonical(a) === canonical(b) ? [] : [at || '(root)'];
}

function valueAt(v: unknown, path: string): unknown {
  return path.split('.').reduce<unknown>((o, k) => (o !== null && typeof o === 'object' ? (o as Record<string, unknown>)[k] : undefined), v);
}

const shown = (v: unknown) => {
  const s = v === undefined ? 'none' : JSON.stringify(v);
  return s.length > 40 ? `${s.slice(0, 37)}...` : s;
};

/** The differences as "path: this vs that" (at most 4). */
export function differenceText(mine: unknown, theirs: unknown, paths: readonly string[]): string {
  const listed = paths.slice(0, 4).map((p) => `${p} ${shown(valueAt(mine, p))} here, ${shown(valueAt(theirs, p))} there`);
  return listed.join('; ') + (paths.length > 4 ? `; and ${paths.length - 4} more` : '');
}

/**
 * sha256 over the files, in order, each as its size + bytes (streamed: benchmark files can be
 * large); a folder (a generated world) counts as every file under it, by sorted relative path.
 */
export async function hashFiles(paths: readonly string[]): Promise<string> {
  const h = createHash('sha256');
  const add = async (file: string, name: string) => {
    h.update(`${name}\n${(await stat(file)).size}\n`);
    for await (const chunk of createReadStream(file)) h.update(chunk as Buffer);
  };
  for (const p of paths) {
    if ((await stat(p)).isDirectory()) {
      const names = (await readdir(p, { recursive: true, withFileTypes: true }))
        .filter((e) => e.isFile())
        .map((e) => relative(p, join(e.parentPath, e.name)).split(sep).join('/'))
        .sort();
      for (const n of names) await add(join(p, n), n);
    } else await add(p, '');
  }
  return h.digest('hex');
}

let programInfo: Promise<RunManifest['program']> | null = null;

/** This program's name, version (package.json) and git commit (null outside a checkout). */
export function programVersion(): Promise<RunManifest['program']> {
  programInfo ??= (async () => {
    const root = packageRoot();
    const pkg = JSON.parse(await readFile(join(root, 'package.json'), 'utf8')) as { name: string; version: string };
    const commit = await promisify(execFile)('git', ['rev-parse', 'HEAD'], { cwd: root, timeout: 5000 }).then(
      (r) => r.stdout.trim() || null,
      () => null,
    );
    return { name: pkg.name, version: pkg.version, commit, node: process.version };
  })();
  return programInfo;
}

// ---------------------------------------------------------------------------------------------
// shards

/** 32-bit FNV-1a of the id's UTF-8 bytes. */
export function idHash(id: string): number {
  let h = 0x811c9dc5;
  for (const b of Buffer.from(id, 'utf8')) {
    h ^= b;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** The shard a sample belongs to: its id's hash mod n (so it depends on the id alone, not on order or on other samples). */
export const shardOf = (id: string, count: number): number => idHash(id) % count;

// ---------------------------------------------------------------------------------------------
// reading and writing the folder

/** Rows of a results.jsonl; `keepBytes` is the length of its whole lines (a half-written tail is past it). */
export async function readRows(file: string): Promise<{ rows: RunRow[]; keepBytes: number; partial: boolean }> {
  const buf = await readFile(file).catch((e: NodeJS.ErrnoException) => {
    if (e.code === 'ENOENT') return Buffer.alloc(0);
    throw e;
  });
  const end = buf.lastIndexOf(0x0a) + 1;
  const lines = buf.subarray(0, end).toString('utf8').split('\n');
  lines.pop();
  const rows: RunRow[] = [];
  let keepBytes = 0;
  let partial = end < buf.length;
  for (const [k, line] of lines.entries()) {
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      value = undefined;
    }
    const r = rowSchema.safeParse(value);
    if (!r.success) {
      // the last line can be a run killed mid-write whose bytes reached the disk out of order
      if (k === lines.length - 1 && end === buf.length) {
        partial = true;
        break;
      }
      throw new WorkbenchError(
        'bad-request',
        `${file}:${k + 1}: not a result row (${value === undefined ? 'not JSON' : firstIssueText(r.error)})`,
        'Delete that line (its run is made again), or pass --force-new to start the run over.',
      );
    }
    // the line's own object, not zod's copy (which puts the checked keys first): rows are rewritten as read
    rows.push(value as RunRow);
    keepBytes += Buffer.byteLength(line) + 1;
  }
  return { rows, keepBytes, partial };
}

/** `path: message` of a failed parse's first issue. */
function firstIssueText(error: z.ZodError): string {
  const issue = error.issues[0];
  return issue === undefined ? error.message : `${issue.path.join('.')}: ${issue.message}`;
}

export async function readManifest(dir: string): Promise<RunManifest | null> {
  const file = join(dir, MANIFEST_FILE);
  const text = await readFile(file, 'utf8').catch((e: NodeJS.ErrnoException) => {
    if (e.code === 'ENOENT') return null;
    throw e;
  });
  if (text === null) return null;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new WorkbenchError('bad-request', `${file}: not valid JSON (${(e as Error).message})`, 'Pass --force-new to start the run over.');
  }
  const r = manifestSchema.safeParse(value);
  if (!r.success)
    throw new WorkbenchError(
      'bad-request',
      `${file}: not a laser eval run manifest (${firstIssueText(r.error)})`,
      'Pass --force-new to start the run over, or use another --run folder.',
    );
  return r.data as unknown as RunManifest;
}

async function writeWhole(file: string, text: string): Promise<void> {
  const tmp = `${file}.partial-${process.pid}`;
  await writeFile(tmp, text);
  await rename(tmp, file);
}

export const writeManifest = (dir: string, m: RunManifest) => writeWhole(join(dir, MANIFEST_FILE), `${JSON.stringify(m, null, 2)}\n`);
export const writeSummary = (dir: string, s: RunSummary) => writeWhole(join(dir, SUMMARY_FILE), `${JSON.stringify(s, null, 2)}\n`);
export const writeRows = (dir: string, rows: readonly RunRow[]) => writeWhole(join(dir, RESULTS_FILE), rows.map(rowLine).join(''));

export interface OpenRunRequest {
  dir: string;
  /** This run's manifest; on resume its startedAt is replaced by the first one's. */
  manifest: RunManifest;
  forceNew?: boolean;
}

export interface OpenedRun {
  dir: string;
  manifest: RunManifest;
  /** Rows kept from an earlier, interrupted run. */
  resumed: number;
  /** A half-written last line was cut off. */
  cutPartial: boolean;
  /** Error rows dropped to be made again. */
  retried: number;
  has(id: string, method: string): boolean;
  /** Appends the row and flushes it to disk before returning. */
  append(row: RunRow): Promise<void>;
  rows(): readonly RunRow[];
  /** Closes the file; when every row is there, puts them in canonical order, and writes the summary and the end time. */
  close(): Promise<RunSummary>;
}

/** Opens (resumes, or starts) a run folder; see the header. */
export async function openRun(req: OpenRunRequest): Promise<OpenedRun> {
  const dir = resolve(req.dir);
  const resultsFile = join(dir, RESULTS_FILE);
  if (req.forceNew) for (const f of [RESULTS_FILE, SUMMARY_FILE, MANIFEST_FILE]) await rm(join(dir, f), { force: true });
  await mkdir(dir, { recursive: true });
  const old = await readManifest(dir);
  const manifest: RunManifest = { ...req.manifest };
  let rows: RunRow[] = [];
  let cutPartial = false;
  let retried = 0;
  if (old === null) {
    if ((await stat(resultsFile).catch(() => null)) !== null) {
      throw new WorkbenchError(
        'bad-request',
        `${dir} has a ${RESULTS_FILE} but no ${MANIFEST_FILE}, so what made its rows is unknown.`,
        'Pass --force-new to start the run over, or use another --run folder.',
      );
    }
  } else {
    const diff = [...differences({ identity: req.manifest.identity, shard: req.manifest.shard }, { identity: old.identity, shard: old.shard })];
    if (diff.length > 0) {
      throw new WorkbenchError(
        'bad-request',
        `${dir} holds another run (${differenceText({ identity: req.manifest.identity, shard: req.manifest.shard }, { identity: old.identity, shard: old.shard }, diff)}).`,
        'Pass --force-new to start it over with these settings, or use another --run folder.',
      );
    }
    manifest.startedAt = old.startedAt;
    manifest.resumedAt = [...(old.resumedAt ?? []), req.manifest.startedAt];
    const read = await readRows(resultsFile);
    cutPartial = read.partial;
    const seen = new Set<string>();
    for (const r of read.rows) {
      const key = rowKey(r.id, r.method);
      if (seen.has(key))
        throw new WorkbenchError('bad-request', `${resultsFile}: the row of ${r.id} / ${r.method} is there twice.`, 'Pass --force-new to start the run over.');
      seen.add(key);
    }
    rows = read.rows.filter((r) => r.status === 'ok');
    retried = read.rows.length - rows.length;
    if (retried > 0) await writeRows(dir, rows);
    else if (cutPartial) await truncate(resultsFile, read.keepBytes);
  }
  await writeManifest(dir, manifest);
  const done = new Set(rows.map((r) => rowKey(r.id, r.method)));
  const resumed = rows.length;
  const fh = await open(resultsFile, 'a');
  let closed = false;
  return {
    dir,
    manifest,
    resumed,
    cutPartial,
    retried,
    has: (id, method) => done.has(rowKey(id, method)),
    async append(row) {
      await fh.write(rowLine(row));
      await fh.datasync();
      rows.push(row);
      done.add(rowKey(row.id, row.method));
    },
    rows: () => rows,
    async close() {
      if (!closed) {
        closed = true;
        await fh.close();
      }
      const complete = rows.length === manifest.expected;
      if (complete) {
        const ordered = canonicalRows(rows, manifest.identity.methods);
        if (ordered.some((r, k) => r !== rows[k])) await writeRows(dir, ordered);
        rows = ordered;
      }
      const summary = summarizeRows(manifest.identity.methods, rows, manifest.expected);
      await writeSummary(dir, summary);
      if (complete) await writeManifest(dir, { ...manifest, endedAt: new Date().toISOString() });
      return summary;
    },
  };
}

// ---------------------------------------------------------------------------------------------
// merging shards

export interface MergeResult {
  dir: string;
  manifest: RunManifest;
  summary: RunSummary;
  rows: number;
}

/**
 * Joins the run folders of `--shard i/n` runs into one run folder at `out`: their manifests must
 * agree (identity), they must be the n shards of one split, each complete, each row in the shard
 * its id hashes to, and together cover every (sample, method) exactly once. The merged folder has
 * the rows and summary of an unsharded run made with the same settings, byte for byte (given the
 * same records: `ms` is each record's own time), and a manifest with `shard: null` and
 * `mergedFrom`.
 */
export async function mergeRuns(
  dirs: readonly string[],
  out: string,
  opts: { forceNew?: boolean; onShard?: (done: number, total: number) => void } = {},
): Promise<MergeResult> {
  const hint = 'Pass the folders of all n shards of one run (laser eval --shard i/n --run <folder>), each finished.';
  if (dirs.length === 0) throw new WorkbenchError('bad-request', 'No run folders to merge.', hint);
  const target = resolve(out);
  const shards: { dir: string; manifest: RunManifest; rows: RunRow[] }[] = [];
  for (const d of dirs) {
    const dir = resolve(d);
    if (dir === target) throw new WorkbenchError('bad-request', `${dir} is both a shard and the merged --run folder.`, 'Merge into a new folder.');
    const manifest = await readManifest(dir);
    if (manifest === null) throw new WorkbenchError('not-found', `${dir}: no ${MANIFEST_FILE}; not a laser eval run folder.`, hint);
    const { rows, partial } = await readRows(join(dir, RESULTS_FILE));
    if (partial || rows.length !== manifest.expected) {
      throw new WorkbenchError(
        'bad-request',
        `${dir} is not finished (${rows.length} of ${manifest.expected} rows${partial ? ', and a half-written last line' : ''}).`,
        'Run its laser eval command again to finish it, then merge.',
      );
    }
    shards.push({ dir, manifest, rows });
    opts.onShard?.(shards.length, dirs.length);
  }
  const [firstShard] = shards;
  if (firstShard === undefined) throw new WorkbenchError('bad-request', 'No run folders to merge.', hint);
  const first = firstShard.manifest;
  for (const s of shards.slice(1)) {
    const diff = differences(s.manifest.identity, first.identity);
    if (diff.length > 0)
      throw new WorkbenchError(
        'bad-request',
        `${s.dir} and ${firstShard.dir} are not shards of one run (${differenceText(s.manifest.identity, first.identity, diff)}).`,
        hint,
      );
  }
  const counts = new Set(shards.map((s) => s.manifest.shard?.count ?? 1));
  if (shards.some((s) => s.manifest.shard === null) || counts.size !== 1) {
    throw new WorkbenchError(
      'bad-request',
      `The folders are not shards of one split (${shards.map((s) => `${s.dir}: ${s.manifest.shard === null ? 'unsharded' : `${s.manifest.shard.index}/${s.manifest.shard.count}`}`).join(', ')}).`,
      hint,
    );
  }
  const [n] = counts;
  if (n === undefined) throw new WorkbenchError('bad-request', 'No run folders to merge.', hint);
  const byIndex = new Map<number, string>();
  for (const s of shards) {
    const i = s.manifest.shard!.index;
    if (byIndex.has(i)) throw new WorkbenchError('bad-request', `Shard ${i}/${n} is given twice (${byIndex.get(i)} and ${s.dir}).`, hint);
    byIndex.set(i, s.dir);
  }
  const absent = Array.from({ length: n }, (_, i) => i).filter((i) => !byIndex.has(i));
  if (absent.length > 0)
    throw new WorkbenchError(
      'bad-request',
      `Shard${absent.length > 1 ? 's' : ''} ${absent.map((i) => `${i}/${n}`).join(', ')} missing: ${shards.length} of ${n} given.`,
      hint,
    );

  const all: RunRow[] = [];
  const seen = new Map<string, string>();
  for (const s of shards) {
    for (const r of s.rows) {
      if (shardOf(r.id, n) !== s.manifest.shard!.index)
        throw new WorkbenchError(
          'bad-request',
          `${s.dir}: the row of ${r.id} belongs to shard ${shardOf(r.id, n)}/${n}, not ${s.manifest.shard!.index}/${n}.`,
          hint,
        );
      const key = rowKey(r.id, r.method);
      if (seen.has(key)) throw new WorkbenchError('bad-request', `The row of ${r.id} / ${r.method} is in ${seen.get(key)} and ${s.dir}.`, hint);
      seen.set(key, s.dir);
      all.push(r);
    }
  }
  const methods = first.identity.methods;
  const expected = first.identity.dataset.evaluated * methods.length;
  const indices = new Set(all.map((r) => r.index));
  if (all.length !== expected || indices.size !== first.identity.dataset.evaluated || all.some((r) => r.index >= first.identity.dataset.evaluated)) {
    throw new WorkbenchError(
      'bad-request',
      `The shards hold ${all.length} rows over ${indices.size} samples; the run has ${first.identity.dataset.evaluated} samples x ${methods.length} methods = ${expected}.`,
      hint,
    );
  }
  const rows = canonicalRows(all, methods);
  if (opts.forceNew) for (const f of [RESULTS_FILE, SUMMARY_FILE, MANIFEST_FILE]) await rm(join(target, f), { force: true });
  if ((await readManifest(target)) !== null || (await stat(join(target, RESULTS_FILE)).catch(() => null)) !== null) {
    throw new WorkbenchError('bad-request', `${target} already holds a run.`, 'Merge into a new folder, or pass --force-new to replace it.');
  }
  await mkdir(target, { recursive: true });
  const times = shards.map((s) => s.manifest);
  const manifest: RunManifest = {
    ...first,
    shard: null,
    expected,
    command: process.argv.slice(2),
    startedAt: times.map((m) => m.startedAt).reduce((a, b) => (b < a ? b : a)),
    resumedAt: [],
    endedAt:
      times
        .map((m) => m.endedAt ?? '')
        .sort()
        .at(-1) || null,
    mergedFrom: [...byIndex].sort(([a], [b]) => a - b).map(([, d]) => d),
  };
  await writeRows(target, rows);
  const summary = summarizeRows(methods, rows, expected);
  await writeSummary(target, summary);
  await writeManifest(target, manifest);
  return { dir: target, manifest, summary, rows: rows.length };
}
