/**
 * `laser run [--bundle <dir>] <image> "<question>" [--method <id>|all] [--<knob> <value> ...] --out <dir>`:
 * runs a LASER method (or all six) on one image and question, writes each analysis record to
 * <out>/<method>/ (record.json + tensors.safetensors + inputs/*.png), and prints the answer, the chosen layer and
 * the box (a comparison table for `all`). It calls the workbench's `laser.run` in-process
 * (src/cli/workbench.ts), so its records are stored in the data folder and listed in the app's
 * history, and an identical run prints the stored record without running the model. Without
 * --bundle it uses the demo model, compiled into the data folder on first use (once, for the app
 * too). Ctrl-C cancels.
 */
import { resolve } from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import type { ImageQuestion } from '../../common/contract/methods.ts';
import { isMethodId, knobNames, METHOD_IDS, type MethodId } from '../../common/laser/index.ts';
import { DEFAULT_INSTRUCTION } from '../../common/laser/instruction.ts';
import { answersTruth } from '../../common/laser/truth.ts';
import type { LaserProgress } from '../../common/contract/methods.ts';
import type { AnalysisRecord } from '../../engine/laser/record.ts';
import { addProgressOptions, compileProgressDisplay, ProgressDisplay, progressMode, type ProgressFlags } from '../progress.ts';
import { addDataDirOption, addDeviceOptions, addKnobOptions, addPixelOptions, ALL_KNOBS, pixelBounds, positiveInt } from '../model-options.ts';
import type { DataDirFlags, DeviceFlags, PixelFlags } from '../model-options.ts';
import { cancelOnSigint, withCliWorkbench } from '../workbench.ts';
import { stderrLines, stdoutLines, type Lines } from '../lines.ts';

export interface RunFlags extends ProgressFlags, DeviceFlags, PixelFlags, DataDirFlags {
  bundle?: string;
  method: MethodId | 'all';
  out: string;
  /** A folder (--cache, or $LASER_CACHE_DIR), false for --no-cache, or undefined: the data folder. */
  cache?: string | false;
  maxNewTokens: number;
  instruction: string;
  [knob: string]: unknown;
}

/** The knobs given on the command line that `method` has (for 'all', each method takes its own). */
export function knobsFor(method: MethodId, flags: Record<string, unknown>, strict: boolean): Record<string, unknown> {
  const own = new Set(knobNames(method));
  const out: Record<string, unknown> = {};
  for (const k of ALL_KNOBS) {
    if (flags[k] === undefined) continue;
    if (own.has(k) || strict) out[k] = flags[k];
  }
  return out;
}

function methodArg(value: string): MethodId | 'all' {
  if (value === 'all' || isMethodId(value)) return value;
  throw new InvalidArgumentError(`Use one of ${METHOD_IDS.join(', ')}, or all.`);
}

function boxText(r: AnalysisRecord): string {
  if (r.box === null) return '-';
  return `[${r.box.join(', ')}]${r.fallback ? ' (fallback: no-activation)' : r.crop?.degenerate ? ' (full image)' : ''}`;
}

function layerText(r: AnalysisRecord): string {
  if (r.layer === null || r.layerChoice === null) return '-';
  return r.layerChoice.mode === 'fixed' ? `${r.layer} (fixed)` : `${r.layer} (argmax of VAQ over ${r.layerChoice.searched[0]}..${r.layerChoice.searched[1]})`;
}

const verdict = (answer: string, truth: ImageQuestion): string => (answersTruth(answer, truth) ? 'right' : 'wrong');

/** The summary of one record; with the truth when the image is a generated world's and the question one of its own. */
export function describeRecord(r: AnalysisRecord, dir: string, cached: boolean, truth: ImageQuestion | null = null): string[] {
  return [
    `method: ${r.method}${cached ? ' (cached)' : ''}`,
    `answer: ${r.answer}`,
    `baseline (vanilla): ${r.baselineAnswer}`,
    ...(truth
      ? [
          `truth: ${truth.answer} (answer ${verdict(r.answer, truth)}, baseline ${verdict(r.baselineAnswer, truth)}; target box ${truth.box ? `[${truth.box.join(', ')}]` : 'none'})`,
        ]
      : []),
    `layer: ${layerText(r)}`,
    `box: ${boxText(r)}${r.box ? ` in ${r.image.width}x${r.image.height} pixels` : ''}`,
    ...r.knobNotes.map((n) => `note: ${n}`),
    `record: ${dir}`,
  ];
}

/** One row per method: answer (right or wrong when the truth is known), baseline, layer, box, time. */
export function comparisonTable(rows: { record: AnalysisRecord; cached: boolean }[], truth: ImageQuestion | null = null): string[] {
  const head = ['method', 'answer', ...(truth ? ['vs truth'] : []), 'baseline', 'layer', 'box', 'ms'];
  const body = rows.map(({ record: r, cached }) => [
    r.method,
    r.answer,
    ...(truth ? [verdict(r.answer, truth)] : []),
    r.baselineAnswer,
    r.layer === null ? '-' : String(r.layer),
    boxText(r),
    cached ? 'cached' : (r.timings.total ?? 0).toFixed(0),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((row) => row[i].length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]))
      .join('  ')
      .trimEnd();
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)];
}

/**
 * The progress display (../progress.ts) of a run: the methods done of those asked, with the current
 * method's stage (and tokens while decoding) as the current item; the demo model's first-use
 * compile is said once, with a bar of its own.
 */
function runProgress(stream: NodeJS.WriteStream, flags: ProgressFlags, total: number, err: (line: string) => void) {
  const display = new ProgressDisplay(stream, { label: 'methods', unit: 'method', mode: progressMode(stream, flags) });
  const compile = compileProgressDisplay(stream, flags);
  let compiling = false;
  const started = Date.now();
  return {
    update(done: number, method: MethodId, p: LaserProgress) {
      if (p.compile) {
        if (!compiling) {
          compiling = true;
          display.end();
          const line = 'compiling the demo model (first use only)...';
          if (display.mode === 'json') display.note(line);
          else if (display.mode !== 'quiet') err(line);
        }
        compile.update(p.compile);
        return;
      }
      if (compiling) {
        compiling = false;
        compile.end();
      }
      const step = p.step ?? 0;
      const detail = `${method}: ${p.stage}${p.stage.endsWith('decode') && step > 0 ? ` ${step}/${p.total ?? step} tokens` : ''}`;
      display.update({ done, total, skipped: 0, elapsedMs: Date.now() - started, metric: null, detail }, { method, ...p });
    },
    end() {
      compile.end();
      display.end();
    },
  };
}

/** The world question asked, when the image is a generated world's; a world that cannot be read is a note, not a failure. */
async function worldTruth(image: string, question: string, err: (line: string) => void): Promise<ImageQuestion | null> {
  const { findWorldTruth } = await import('../../engine/world/image-questions.ts');
  try {
    return await findWorldTruth(resolve(image), question);
  } catch (e) {
    err(`note: the image's world questions could not be read (${(e as Error).message}); no truth shown`);
    return null;
  }
}

export async function runRunCommand(image: string, question: string, flags: RunFlags, out: Lines, err: Lines): Promise<void> {
  const { loadRecord, writeRecordFolder } = await import('../../engine/laser/record-io.ts');
  const { RecordCache } = await import('../../engine/laser/cache.ts');
  const { DEMO_MODEL_ID } = await import('../../engine/models/catalog.ts');
  const { checkQuestion } = await import('../../engine/laser/prompts.ts');
  const { parseKnobs } = await import('../../common/laser/index.ts');
  const { ensureWritableDir } = await import('../../engine/library/writable.ts');
  checkQuestion(question);
  // Before a model is opened or compiled: the records must have somewhere to go.
  await ensureWritableDir(flags.out, 'the records --out folder');
  const methods: MethodId[] = flags.method === 'all' ? [...METHOD_IDS] : [flags.method];
  const strict = flags.method !== 'all';
  // Refuse bad knobs before a bundle is opened or compiled.
  for (const m of methods) parseKnobs(m, knobsFor(m, flags, strict));

  const recordsDir = typeof flags.cache === 'string' ? resolve(flags.cache) : undefined;
  const options = { maxNewTokens: flags.maxNewTokens, instruction: flags.instruction, ...pixelBounds(flags) };
  const imagePath = resolve(image);
  const rows: { record: AnalysisRecord; cached: boolean; dir: string }[] = [];
  await withCliWorkbench({ dataDir: flags.dataDir, recordsDir, runtime: { device: flags.device, threads: flags.threads }, note: err }, (cli) =>
    cancelOnSigint(async (signal) => {
      const modelId = flags.bundle === undefined ? DEMO_MODEL_ID : await cli.modelIdOfBundle(resolve(flags.bundle));
      await cli.allowImage(imagePath);
      const records = new RecordCache(recordsDir ?? cli.dataDir);
      const progress = runProgress(process.stderr, flags, methods.length, err);
      try {
        for (const [done, method] of methods.entries()) {
          const knobs = knobsFor(method, flags, strict);
          const r = await cli.call(
            'laser.run',
            { modelId, imagePath, question, method, knobs, options, ...(flags.cache === false ? { rerun: true } : {}) },
            { signal, onProgress: (p) => progress.update(done, method, p) },
          );
          const loaded = await loadRecord(records.dirFor(r.id));
          const dir = resolve(flags.out, method);
          await writeRecordFolder(dir, loaded.record, loaded.tensors, loaded.files);
          rows.push({ record: loaded.record, cached: r.cached, dir });
        }
      } finally {
        progress.end();
      }
    }),
  );
  const truth = await worldTruth(image, question, err);
  if (rows.length === 1) for (const l of describeRecord(rows[0].record, rows[0].dir, rows[0].cached, truth)) out(l);
  else {
    out(`question: ${question}`);
    if (truth) out(`truth: ${truth.answer} (a question of the generated world this image belongs to)`);
    for (const l of comparisonTable(rows, truth)) out(l);
    out(`records: ${resolve(flags.out)}/<method>/`);
  }
}

export function registerRun(program: Command, out: Lines = stdoutLines, err: Lines = stderrLines): void {
  const cmd = program
    .command('run')
    .description('Run a LASER method (or all six) on an image and a question; write the analysis record(s) and print the answer, layer and box')
    .argument('<image>', 'image file')
    .argument('<question>', 'the question about the image')
    .option('--bundle <dir>', 'compiled bundle folder (default: the demo model, compiled on first use)')
    .option('--method <id>', `${METHOD_IDS.join(', ')}, or all (runs the six and prints a comparison table)`, methodArg, 'laser')
    .requiredOption('--out <dir>', 'folder to write <method>/record.json and <method>/tensors.safetensors into')
    .option('--cache <dir>', 'record store folder (default: $LASER_CACHE_DIR where set, else the data folder, whose runs the app lists)')
    .option('--no-cache', 'always run the model, even when a stored run matches; the new record replaces it')
    .option('--max-new-tokens <n>', 'tokens decoded at most per answer', positiveInt('--max-new-tokens'), 32)
    .option('--instruction <text>', "answer instruction appended to the question ('' for none)", DEFAULT_INSTRUCTION);
  addDeviceOptions(cmd);
  addPixelOptions(cmd, 'run');
  addKnobOptions(cmd);
  addDataDirOption(cmd);
  addProgressOptions(cmd);
  cmd.action(async (image: string, question: string, flags: RunFlags) => {
    // --cache <dir> and --no-cache share one attribute: a folder, false, or (neither given) undefined/true.
    const cache = flags.cache as string | boolean | undefined;
    const resolved: RunFlags = { ...flags, cache: typeof cache === 'string' || cache === false ? cache : process.env.LASER_CACHE_DIR || undefined };
    await runRunCommand(image, question, resolved, out, err);
  });
}
