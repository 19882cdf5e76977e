/**
 * `laser eval --data <dir|file> --format pope|vqa|refcoco|world [--methods vanilla,laser,...|all]
 *   [--bundle <dir>] [--limit N] [--out report.json] [--images <dir>] [--protocol ...] [--prompt ...]
 *   [--<knob> <value> ...]`:
 * runs methods on a benchmark (src/engine/eval) and prints its tables: accuracy (VQA soft accuracy
 * with the dataset's protocol, or POPE's yes/no), POPE accuracy / precision / recall / F1 per split,
 * attention aggregation inside ground-truth boxes, and the distribution of chosen layers. --out
 * writes the JSON report. Records go to the record cache, so an interrupted evaluation (Ctrl-C)
 * resumes where it stopped when the same command is run again.
 *
 * The pieces `laser world evaluate` shares (run options, bundle, progress, cancellation) are
 * exported from here.
 */
import { resolve } from 'node:path';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { isMethodId, METHOD_IDS, type MethodId } from '../../common/laser/index.ts';
import { DEFAULT_INSTRUCTION } from '../../common/laser/instruction.ts';
import type { VqaProtocol } from '../../common/laser/metrics.ts';
import type { EvalDataset, EvalProgress, EvaluateResult } from '../../engine/eval/index.ts';
import type { DeviceRequest } from '../../engine/runtime/providers.ts';
import { addDeviceOptions, addKnobOptions, ALL_KNOBS, bundleDirFor, positiveInt } from '../model-options.ts';

export type Lines = (line: string) => void;

/** The flags every evaluating command takes. */
export interface EvalRunFlags {
  methods: MethodId[];
  bundle?: string;
  limit?: number;
  /** A folder, or false for --no-cache (then nothing resumes). */
  cache?: string | boolean;
  maxNewTokens: number;
  instruction: string;
  device: DeviceRequest;
  threads: number;
  [knob: string]: unknown;
}

export interface EvalFlags extends EvalRunFlags {
  data: string;
  format: 'pope' | 'vqa' | 'refcoco' | 'world';
  out?: string;
  images?: string;
  protocol?: VqaProtocol;
  prompt?: string;
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
    .addOption(new Option('--methods <ids>', `comma-separated methods (${METHOD_IDS.join(', ')}), or all`).argParser(parseMethods).default(parseMethods(defaultMethods), defaultMethods))
    .option('--bundle <dir>', 'compiled bundle folder (default: the demo model, compiled on first use)')
    .option('--limit <n>', 'evaluate only the first N samples', positiveInt('--limit'))
    .option('--cache <dir>', 'record cache folder (default: $LASER_CACHE_DIR where set, else the data folder); runs found there are not run again')
    .option('--no-cache', 'run every sample afresh and keep no records (an interrupted evaluation then cannot resume)')
    .option('--max-new-tokens <n>', 'tokens decoded at most per answer', positiveInt('--max-new-tokens'), 32)
    .option('--instruction <text>', "answer instruction appended to every question ('' for none)", DEFAULT_INSTRUCTION);
  addDeviceOptions(cmd);
  addKnobOptions(cmd);
  return cmd;
}

/** The knob flags that were given. */
export function knobFlags(flags: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(ALL_KNOBS.filter((k) => flags[k] !== undefined).map((k) => [k, flags[k]]));
}

/** One status line on a terminal; elsewhere (logs) a line at every tenth of the runs. */
export function evalProgressPrinter(stream: NodeJS.WriteStream): (p: EvalProgress) => void {
  if (!stream.isTTY) {
    let lastTenth = 0;
    return (p) => {
      if (p.kind !== 'run') return;
      const tenth = Math.floor((10 * p.done) / p.total);
      if (tenth > lastTenth || p.done === p.total) {
        lastTenth = tenth;
        stream.write(`runs ${p.done}/${p.total}\n`);
      }
    };
  }
  return (p) => {
    const detail = p.stage ? ` ${p.stage.stage}${p.stage.stage.endsWith('decode') && p.stage.step > 0 ? ` ${p.stage.step}/${p.stage.total} tokens` : ''}` : p.cached ? ' (cached)' : '';
    stream.write(`\r[${p.done}/${p.total}] ${p.sampleId} ${p.method}:${detail}\x1b[K`);
  };
}

/** Runs the evaluation with progress on stderr; Ctrl-C stops it at the next stage, leaving finished runs in the cache. */
export async function runEvaluation(dataset: EvalDataset, flags: EvalRunFlags, err: Lines): Promise<EvaluateResult> {
  const { evaluate } = await import('../../engine/eval/evaluate.ts');
  const { defaultCacheRoot } = await import('../../engine/laser/cache.ts');
  const { LaserModel } = await import('../../engine/laser/model.ts');
  const cacheDir = flags.cache === false ? null : typeof flags.cache === 'string' ? resolve(flags.cache) : defaultCacheRoot();
  const bundleDir = await bundleDirFor(flags.bundle, err);
  const model = await LaserModel.open(bundleDir, { device: flags.device, threads: flags.threads, log: err });
  const controller = new AbortController();
  const onSigint = () => controller.abort();
  process.once('SIGINT', onSigint);
  const progress = evalProgressPrinter(process.stderr);
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
      onProgress: (p) => {
        done = p.done;
        total = p.total;
        progress(p);
      },
    });
  } catch (e) {
    if (controller.signal.aborted && cacheDir !== null) {
      if (process.stderr.isTTY) process.stderr.write('\r\x1b[K');
      err(`stopped after ${done} of ${total} runs; they are in the record cache (${cacheDir}): run the same command again to go on from there.`);
    }
    throw e;
  } finally {
    if (process.stderr.isTTY) process.stderr.write('\r\x1b[K');
    process.removeListener('SIGINT', onSigint);
    await model.dispose();
  }
}

export async function runEvalCommand(flags: EvalFlags, out: Lines, err: Lines): Promise<void> {
  const { loadDataset, buildReport, writeJsonFile, summaryTables, renderTables } = await import('../../engine/eval/index.ts');
  const dataset = await loadDataset(resolve(flags.data), flags.format, { images: flags.images, protocol: flags.protocol, prompt: flags.prompt });
  const result = await runEvaluation(dataset, flags, err);
  const report = buildReport(result);
  out(`dataset: ${dataset.name}, ${result.samples.length} of ${dataset.samples.length} samples (${dataset.sources.join(', ')})`);
  out(`bundle: ${result.bundle.name} (${result.bundle.dir})`);
  out('');
  for (const line of renderTables(summaryTables(report.summary), 'text')) out(line);
  if (flags.out !== undefined) {
    const path = await writeJsonFile(flags.out, report);
    out('');
    out(`report: ${path}`);
  }
}

function formatArg(value: string): EvalFlags['format'] {
  if (value === 'pope' || value === 'vqa' || value === 'refcoco' || value === 'world') return value;
  throw new InvalidArgumentError('Use pope, vqa, refcoco or world.');
}

function protocolArg(value: string): VqaProtocol {
  if (value === 'simple' || value === 'leave-one-out') return value;
  throw new InvalidArgumentError('Use simple (min(1, matches / 3)) or leave-one-out (the official VQA / TextVQA average).');
}

export function registerEval(program: Command, out: Lines = (l) => process.stdout.write(`${l}\n`), err: Lines = (l) => process.stderr.write(`${l}\n`)): void {
  const cmd = program
    .command('eval')
    .description('Run methods on a benchmark (POPE, TextVQA / A-OKVQA / VQA v2, RefCOCO-style boxes, or a generated world) and print accuracy, POPE scores, attention aggregation and chosen layers')
    .requiredOption('--data <path>', 'the benchmark: an annotation file, or the folder holding it (see src/engine/eval/README.md for the layouts)')
    .requiredOption('--format <format>', 'pope, vqa, refcoco or world', formatArg)
    .option('--out <file>', 'write the JSON report (summary and every sample) here')
    .option('--images <dir>', 'folder the annotation file names its images in (default: beside the data, or one folder up)')
    .option('--protocol <protocol>', "VQA scoring: simple or leave-one-out (default: the dataset's own; TextVQA and VQA v2 leave-one-out, A-OKVQA simple)", protocolArg)
    .option('--prompt <text>', 'refcoco: the question asked, with {expression} (default "Where is {expression}?")');
  addEvalRunOptions(cmd, 'vanilla,laser');
  cmd.action(async (flags: EvalFlags) => runEvalCommand(flags, out, err));
}
