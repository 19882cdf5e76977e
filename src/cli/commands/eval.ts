/**
 * `laser eval --data <dir|file> --format pope|vqa|refcoco|world [--methods vanilla,laser,...|all]
 *   [--bundle <dir>] [--limit N] [--run <dir> [--force-new]] [--shard i/n] [--strict]
 *   [--out report.json] [--images <dir>] [--protocol ...] [--prompt ...] [--split <name>] [--<knob> <value> ...]`:
 * runs methods on a benchmark (src/engine/eval) and prints its tables: accuracy (VQA soft accuracy
 * with the dataset's protocol, or POPE's yes/no), POPE accuracy / precision / recall / F1 per split,
 * attention aggregation inside ground-truth boxes, and the distribution of chosen layers. --out
 * writes the JSON report. Records go to the record cache, so an interrupted evaluation (Ctrl-C)
 * resumes where it stopped when the same command is run again. --run <dir> makes a run folder
 * (src/engine/eval/run-folder.ts): results.jsonl streamed row by row, manifest.json, summary.json;
 * the same command on the same folder resumes it, even after a kill. --shard i/n runs one
 * deterministic slice; `laser eval merge` (eval-merge.ts) joins the shards.
 *
 * The pieces `laser world evaluate` shares (run options, bundle, progress, cancellation) are
 * exported from here.
 */
import { resolve } from 'node:path';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { isMethodId, METHOD_IDS, type MethodId } from '../../common/laser/index.ts';
import { DEFAULT_INSTRUCTION } from '../../common/laser/instruction.ts';
import { VQA_PROTOCOLS, type VqaProtocol } from '../../common/laser/metrics.ts';
import type { EvalDataset, EvalProgress, EvaluateRequest, EvaluateResult } from '../../engine/eval/index.ts';
import type { Shard } from '../../engine/eval/run-folder.ts';
import { addProgressOptions, ProgressDisplay, progressMode, type ProgressFlags } from '../progress.ts';
import { registerEvalMerge } from './eval-merge.ts';
import { addDeviceOptions, addKnobOptions, ALL_KNOBS, bundleDirFor, positiveInt, type DeviceFlags } from '../model-options.ts';
import { stderrLines, stdoutLines, type Lines } from '../lines.ts';

/** The flags every evaluating command takes. */
export interface EvalRunFlags extends ProgressFlags, DeviceFlags {
  methods: MethodId[];
  bundle?: string;
  limit?: number;
  /** A folder, or false for --no-cache (then nothing resumes). */
  cache?: string | boolean;
  maxNewTokens: number;
  instruction: string;
  [knob: string]: unknown;
}

export interface EvalFlags extends EvalRunFlags {
  data: string;
  format: 'pope' | 'vqa' | 'refcoco' | 'world';
  out?: string;
  run?: string;
  forceNew?: boolean;
  shard?: Shard;
  strict?: boolean;
  images?: string[];
  protocol?: VqaProtocol | 'mc';
  ocr?: boolean;
  prompt?: string;
  split?: string;
}

/** "vanilla,laser" or "all" → method ids, in the order given, without repeats. */
export function parseMethods(value: string): MethodId[] {
  if (value.trim() === 'all') return [...METHOD_IDS];
  const ids = value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  for (const id of ids) if (!isMethodId(id)) throw new InvalidArgumentError(`"${id}" is not a method; use ${METHOD_IDS.join(', ')} (comma-separated), or all.`);
  if (ids.length === 0) throw new InvalidArgumentError('Name at least one method.');
  return [...new Set(ids as MethodId[])];
}

/** --methods, --bundle, --limit, the cache, decoding, device and every knob. */
export function addEvalRunOptions(cmd: Command, defaultMethods: string): Command {
  cmd
    .addOption(
      new Option('--methods <ids>', `comma-separated methods (${METHOD_IDS.join(', ')}), or all`)
        .argParser(parseMethods)
        .default(parseMethods(defaultMethods), defaultMethods),
    )
    .option('--bundle <dir>', 'compiled bundle folder (default: the demo model, compiled on first use)')
    .option('--limit <n>', 'evaluate only the first N samples', positiveInt('--limit'))
    .option('--cache <dir>', 'record cache folder (default: $LASER_CACHE_DIR where set, else the data folder); runs found there are not run again')
    .option('--no-cache', 'run every sample afresh and keep no records (an interrupted evaluation then cannot resume)')
    .option('--max-new-tokens <n>', 'tokens decoded at most per answer', positiveInt('--max-new-tokens'), 32)
    .option('--instruction <text>', "answer instruction appended to every question ('' for none)", DEFAULT_INSTRUCTION);
  addDeviceOptions(cmd);
  addProgressOptions(cmd);
  addKnobOptions(cmd);
  return cmd;
}

/** The knob flags that were given. */
export function knobFlags(flags: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(ALL_KNOBS.filter((k) => flags[k] !== undefined).map((k) => [k, flags[k]]));
}

/**
 * The progress line (../progress.ts) of an evaluation: done/total, elapsed, rate, ETA, and the
 * running metric when `metric` gives one; on a terminal also the sample, method and stage.
 */
export function evalProgressPrinter(
  stream: NodeJS.WriteStream,
  metric: () => string | null = () => null,
  now: () => number = Date.now,
  flags: ProgressFlags = {},
): ((p: EvalProgress) => void) & { end(): void } {
  const line = new ProgressDisplay(stream, { label: 'runs', mode: progressMode(stream, flags) });
  const started = now();
  const print = (p: EvalProgress) => {
    const detail =
      p.kind === 'stage' && p.stage
        ? `${p.sampleId} ${p.method}: ${p.stage.stage}${p.stage.stage.endsWith('decode') && p.stage.step > 0 ? ` ${p.stage.step}/${p.stage.total} tokens` : ''}`
        : null;
    // A log gets the runs; a terminal and JSON lines also every stage.
    if (p.kind === 'stage' && line.mode === 'lines') return;
    line.update({ done: p.done, total: p.total, skipped: p.skipped, elapsedMs: now() - started, metric: metric(), detail }, p);
  };
  return Object.assign(print, { end: () => line.end() });
}

/** What a run folder adds to an evaluation (see runEvalCommand). */
export type EvalHooks = Pick<EvaluateRequest, 'skip' | 'onReady' | 'onResult' | 'strict'> & { metric?: () => string | null };

/** Runs the evaluation with progress on stderr; Ctrl-C stops it at the next stage, leaving finished runs in the cache (and the run folder). */
export async function runEvaluation(dataset: EvalDataset, flags: EvalRunFlags, err: Lines, hooks: EvalHooks = {}): Promise<EvaluateResult> {
  const { evaluate } = await import('../../engine/eval/evaluate.ts');
  const { defaultCacheRoot } = await import('../../engine/laser/cache.ts');
  const { LaserModel } = await import('../../engine/laser/model.ts');
  const cacheDir = flags.cache === false ? null : typeof flags.cache === 'string' ? resolve(flags.cache) : defaultCacheRoot();
  const bundleDir = await bundleDirFor(flags.bundle, err, flags);
  const model = await LaserModel.open(bundleDir, { device: flags.device, threads: flags.threads, log: err });
  const controller = new AbortController();
  const onSigint = () => controller.abort();
  process.once('SIGINT', onSigint);
  const progress = evalProgressPrinter(process.stderr, hooks.metric, Date.now, flags);
  let done = 0;
  let total = 0;
  try {
    return await evaluate({
      bundle: model,
      dataset,
      methods: flags.methods,
      knobs: knobFlags(flags),
      options: { maxNewTokens: flags.maxNewTokens, instruction: flags.instruction },
      limit: flags.limit,
      cacheDir,
      signal: controller.signal,
      strict: hooks.strict,
      skip: hooks.skip,
      onReady: hooks.onReady,
      onResult: hooks.onResult,
      onProgress: (p) => {
        done = p.done;
        total = p.total;
        progress(p);
      },
    });
  } catch (e) {
    if (controller.signal.aborted && cacheDir !== null) {
      progress.end();
      err(`stopped after ${done} of ${total} runs; they are in the record cache (${cacheDir}): run the same command again to go on from there.`);
    }
    throw e;
  } finally {
    progress.end();
    process.removeListener('SIGINT', onSigint);
    await model.dispose();
  }
}

export async function runEvalCommand(flags: EvalFlags, out: Lines, err: Lines): Promise<void> {
  const { loadDataset, buildReport, writeJsonFile, summaryTables, renderTables } = await import('../../engine/eval/index.ts');
  const { ensureWritableFile } = await import('../../engine/library/writable.ts');
  // Before any model work: an evaluation that cannot save its report should not start.
  if (flags.out !== undefined) await ensureWritableFile(flags.out, 'the report --out');
  const mc = flags.protocol === 'mc';
  const full = await loadDataset(resolve(flags.data), flags.format, {
    images: flags.images,
    protocol: mc ? undefined : (flags.protocol as VqaProtocol | undefined),
    multipleChoice: mc,
    ocr: flags.ocr,
    prompt: flags.prompt,
    split: flags.split,
    strict: flags.strict,
  });
  // a benchmark whose protocol has its own instruction (multiple choice) takes it unless one was given
  if (full.instruction !== undefined && flags.instruction === DEFAULT_INSTRUCTION) flags = { ...flags, instruction: full.instruction };
  // --limit first, then --shard: a shard is a slice of the samples evaluated
  const limited = full.samples.slice(0, flags.limit);
  const dataset: EvalDataset = { ...full, samples: limited };
  const { shardOf } = await import('../../engine/eval/run-folder.ts');
  if (flags.shard !== undefined) {
    const { index, count } = flags.shard;
    dataset.samples = limited.filter((s) => shardOf(s.id, count) === index);
    if (dataset.samples.length === 0) throw new InvalidArgumentError(`shard ${index}/${count} has none of the ${limited.length} samples; use fewer shards.`);
  }
  const missing = dataset.samples.filter((s) => s.missing !== undefined).length;
  if (missing > 0)
    err(
      `${missing} of ${dataset.samples.length} samples have no image (recorded as error rows; --strict stops instead): ${dataset.samples.find((s) => s.missing !== undefined)!.missing}`,
    );
  const folder = flags.run === undefined ? null : await openRunFolder(flags, full, dataset, limited, err);
  const result = await runEvaluation(dataset, { ...flags, limit: undefined }, err, { strict: flags.strict, ...(folder?.hooks ?? {}) }).catch(
    async (e: unknown) => {
      const summary = folder ? await folder.close() : null;
      if (folder && summary) err(`run folder ${folder.dir}: ${summary.rows} of ${summary.expected} rows; run the same command again to resume.`);
      throw e;
    },
  );
  const summary = folder ? await folder.close() : null;
  out(
    `dataset: ${dataset.name}, ${dataset.samples.length} of ${full.samples.length} samples${flags.shard ? ` (shard ${flags.shard.index}/${flags.shard.count})` : ''} (${dataset.sources.join(', ')})`,
  );
  out(`bundle: ${result.bundle.name} (${result.bundle.dir})`);
  out('');
  const report = buildReport(result);
  for (const line of renderTables(summaryTables(summary ? summary.methods : report.summary), 'text')) out(line);
  if (folder && summary) {
    out('');
    out(
      `run: ${folder.dir} (${summary.rows} rows${folder.resumed > 0 ? `, ${folder.resumed} kept from before` : ''}${summary.complete ? '' : `, ${summary.expected - summary.rows} missing`})`,
    );
  }
  if (flags.out !== undefined) {
    const path = await writeJsonFile(flags.out, report);
    out('');
    out(`report: ${path}`);
  }
}

interface RunFolderHooks {
  dir: string;
  resumed: number;
  hooks: EvalHooks;
  /** The summary; null when the folder was never opened (the model or the manifest check failed first). */
  close(): Promise<import('../../engine/eval/run-folder.ts').RunSummary | null>;
}

/** The manifest is written once the model is open and the knobs checked (onReady); rows are appended as each run finishes. */
async function openRunFolder(flags: EvalFlags, full: EvalDataset, dataset: EvalDataset, limited: EvalDataset['samples'], err: Lines): Promise<RunFolderHooks> {
  const rf = await import('../../engine/eval/run-folder.ts');
  const dir = resolve(flags.run!);
  const indexOf = new Map(limited.map((s, k) => [s.id, k]));
  const datasetHash = await rf.hashFiles(full.sources);
  const program = await rf.programVersion();
  const cacheDir =
    flags.cache === false ? null : typeof flags.cache === 'string' ? resolve(flags.cache) : (await import('../../engine/laser/cache.ts')).defaultCacheRoot();
  const protocols = [...new Set(full.samples.flatMap((s) => (s.vqa ? [s.vqa.protocol] : s.choices ? ['mc'] : [])))];
  let opened: import('../../engine/eval/run-folder.ts').OpenedRun | null = null;
  let scored = 0;
  let sum = 0;
  const hooks: EvalHooks = {
    skip: (id, method) => opened?.has(id, method) ?? false,
    metric: () => (scored === 0 ? null : `score ${((100 * sum) / scored).toFixed(1)}%`),
    onReady: async ({ bundle, knobs, model }) => {
      const seeds = Object.values(knobs).flatMap((k) => (typeof k?.seed === 'number' ? [k.seed] : []));
      opened = await rf.openRun({
        dir,
        forceNew: flags.forceNew,
        manifest: {
          format: rf.RUN_FORMAT,
          version: rf.RUN_VERSION,
          identity: {
            bundle: { hash: bundle.id, name: bundle.name, dtype: model.manifest.dtype, modelType: model.manifest.source.modelType },
            dataset: { format: full.format, name: full.name, hash: datasetHash, samples: full.samples.length, evaluated: limited.length },
            methods: flags.methods,
            knobs,
            options: {
              maxNewTokens: flags.maxNewTokens,
              instruction: flags.instruction,
              protocol: protocols.length === 1 ? protocols[0] : protocols,
              prompt: full.prompt ?? null,
            },
            limit: flags.limit ?? null,
          },
          shard: flags.shard ?? null,
          expected: dataset.samples.length * flags.methods.length,
          bundle: { dir: bundle.dir, id: bundle.dir.split(/[\\/]/).filter(Boolean).at(-1) ?? bundle.dir },
          dataset: { sources: full.sources },
          seed: seeds.length > 0 ? seeds[0] : null,
          device: `${flags.device} (requested), ${flags.threads} threads`,
          program,
          command: process.argv.slice(2),
          cacheDir,
          startedAt: new Date().toISOString(),
          resumedAt: [],
          endedAt: null,
        },
      });
      for (const r of opened.rows()) {
        if (r.score !== null) {
          scored++;
          sum += r.score;
        }
      }
      if (opened.resumed > 0 || opened.cutPartial || opened.retried > 0) {
        err(
          `resuming ${dir}: ${opened.resumed} rows kept${opened.cutPartial ? ', a half-written last row cut off' : ''}${opened.retried > 0 ? `, ${opened.retried} error rows to make again` : ''}`,
        );
      }
    },
    onResult: async (result, sample) => {
      await opened!.append(rf.rowOf(result, sample, indexOf.get(sample.id)!));
      if (result.score !== null) {
        scored++;
        sum += result.score;
      }
    },
  };
  return {
    dir,
    get resumed() {
      return opened?.resumed ?? 0;
    },
    hooks,
    close: async () => (opened === null ? null : opened.close()),
  };
}

function formatArg(value: string): EvalFlags['format'] {
  if (value === 'pope' || value === 'vqa' || value === 'refcoco' || value === 'world') return value;
  throw new InvalidArgumentError('Use pope, vqa, refcoco or world.');
}

function shardArg(value: string): Shard {
  const m = /^(\d+)\/(\d+)$/.exec(value.trim());
  if (!m || Number(m[2]) < 1 || Number(m[1]) >= Number(m[2]))
    throw new InvalidArgumentError('Use i/n with 0 <= i < n, e.g. 0/8 (with Slurm: $SLURM_ARRAY_TASK_ID/8).');
  return { index: Number(m[1]), count: Number(m[2]) };
}

function protocolArg(value: string): VqaProtocol | 'mc' {
  if ((VQA_PROTOCOLS as readonly string[]).includes(value) || value === 'mc') return value as VqaProtocol | 'mc';
  throw new InvalidArgumentError(
    'Use vqav2 (VQA v2 vqaEval.py), leave-one-out (TextVQA, EvalAI normalisation), exact (A-OKVQA direct answer, exact matches), simple (min(1, matches / 3) after normalisation) or mc (A-OKVQA multiple choice).',
  );
}

export function registerEval(program: Command, out: Lines = stdoutLines, err: Lines = stderrLines): void {
  const cmd = program
    .command('eval')
    .description(
      'Run methods on a benchmark (POPE, TextVQA / A-OKVQA / VQA v2, RefCOCO-style boxes, or a generated world) and print accuracy, POPE scores, attention aggregation and chosen layers',
    )
    .option('--data <path>', 'the benchmark: an annotation file, or the folder holding it (see src/engine/eval/README.md for the layouts)')
    .option('--format <format>', 'pope, vqa, refcoco or world', formatArg)
    .option(
      '--run <dir>',
      'run folder: results.jsonl (one row per sample and method, written as each finishes), manifest.json, summary.json; the same command again resumes it',
    )
    .option('--force-new', 'start the --run folder over (its rows are deleted), e.g. after changing a knob')
    .option(
      '--shard <i/n>',
      'run only the i-th of n deterministic slices of the samples (by id; 0-based), for a cluster array; join them with laser eval merge',
      shardArg,
    )
    .option('--strict', 'stop at the first sample whose image is missing or unreadable (default: record it as an error row and go on)')
    .option('--out <file>', 'write the JSON report (summary and every sample) here')
    .option(
      '--images <dir>',
      'folder the annotation file names its images in; give it again for more folders, tried in order; their standard subfolders (val2014/, train2017/, train_images/ ...) are searched too (default: beside the data, or one folder up)',
      (v: string, prev: string[] | undefined) => [...(prev ?? []), v],
    )
    .option(
      '--protocol <protocol>',
      "VQA scoring: vqav2, leave-one-out, exact, simple, or mc for A-OKVQA's multiple choice (default: each benchmark's official one: VQA v2 vqav2, TextVQA leave-one-out, A-OKVQA exact)",
      protocolArg,
    )
    .option(
      '--ocr',
      "TextVQA: ask LLaVA's prompt with the image's OCR tokens (\"Reference OCR token: ...\"), from the entries' ocr_tokens or the *OCR*.json beside the data",
    )
    .option('--split <name>', "only the samples of this split: RefCOCO's val / testA / testB (RefCOCOg: val / test), POPE's random / popular / adversarial")
    .option(
      '--prompt <text>',
      'refcoco: the question asked, with {expression} (default "Where is {expression}?"); rec: lmms-eval\'s REC prompt, scored Acc@0.5 of the box in the answer',
    );
  addEvalRunOptions(cmd, 'vanilla,laser');
  cmd.action(async (flags: EvalFlags) => {
    // required here rather than by commander, which would also ask for them of `eval merge`
    for (const [key, flag] of [
      ['data', '--data <path>'],
      ['format', '--format <format>'],
    ] as const)
      if (flags[key] === undefined) cmd.error(`error: required option '${flag}' not specified`);
    return runEvalCommand(flags, out, err);
  });
  // eval's own --run and --force-new stop at `merge`, which has its own (the root program's options are positional too)
  cmd.enablePositionalOptions();
  program.enablePositionalOptions();
  registerEvalMerge(cmd, out);
}
