/**
 * Option parsers and option groups shared by the commands that run a model (`ask`, `run`, `eval`,
 * `forward`, and `world evaluate` through eval.ts), so a flag parses and reads the same everywhere.
 */
import { mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { WorkbenchError } from '../common/contract/errors.ts';
import { KNOB_RANGES, knobNames, METHOD_IDS } from '../common/laser/index.ts';
import type { DeviceRequest } from '../engine/runtime/providers.ts';
import { compileProgressDisplay, type ProgressFlags } from './progress.ts';

/** Every knob of every method, in a stable order: the `--<knob>` options. */
export const ALL_KNOBS: string[] = [...new Set(METHOD_IDS.flatMap((m) => knobNames(m)))];

/**
 * A knob value as typed on the command line: null/none/off, true/false, a number, "lo,hi" (a range),
 * or the word itself. The method's schema then checks it and names the knob and range if it is wrong.
 */
export function parseKnobValue(raw: string): unknown {
  const s = raw.trim();
  if (/^(null|none|off)$/i.test(s)) return null;
  if (/^(true|false)$/i.test(s)) return s.toLowerCase() === 'true';
  if (/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(s)) return Number(s);
  const range = /^\[?\s*(-?\d+)\s*(?:,|\.\.|:)\s*(-?\d+)\s*\]?$/.exec(s);
  if (range) return [Number(range[1]), Number(range[2])];
  return s;
}

/** A `--<knob> <value>` option for every knob, each naming its range and the methods that take it. */
export function addKnobOptions(cmd: Command): Command {
  for (const knob of ALL_KNOBS) {
    const methods = METHOD_IDS.filter((m) => knobNames(m).includes(knob));
    cmd.addOption(new Option(`--${knob} <value>`, `${KNOB_RANGES[knob] ?? 'see the spec'} (${methods.join(', ')})`).argParser(parseKnobValue));
  }
  return cmd;
}

/** A parser for a positive safe integer; the error names the flag (`what`). */
export function positiveInt(what: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n < 1) throw new InvalidArgumentError(`${what} must be a positive integer.`);
    return n;
  };
}

/** --threads: a non-negative integer (0 lets onnxruntime choose). */
export function threadsArg(value: string): number {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError('--threads must be a non-negative integer.');
  return Number(value);
}

/** --device: auto, cpu or cuda. */
export function deviceArg(value: string): DeviceRequest {
  if (value !== 'auto' && value !== 'cpu' && value !== 'cuda') throw new InvalidArgumentError('Use auto, cpu or cuda.');
  return value;
}

/** What addDeviceOptions adds, as commander hands it to the action. */
export interface DeviceFlags {
  device: DeviceRequest;
  threads: number;
}

/** --device and --threads, as every command that opens a bundle takes them. */
export function addDeviceOptions(cmd: Command): Command {
  return cmd
    .option('--device <device>', 'auto (CUDA when available, else CPU), cpu or cuda', deviceArg, 'auto')
    .option('--threads <n>', 'onnxruntime intra-op threads; 0 lets it choose', threadsArg, 0);
}

/** --data-dir: the workbench's data folder (src/engine/settings/data-dir.ts), shared with the app and serve mode. */
/** What addDataDirOption adds. */
export interface DataDirFlags {
  dataDir?: string;
}

export function addDataDirOption(cmd: Command): Command {
  return cmd.option(
    '--data-dir <dir>',
    "the workbench's data folder: its model list and stored runs, shared with the app (default: $LASER_DATA_DIR, else the platform's data folder)",
  );
}

/** Creates the data folder (and its parents); 'permission-denied' naming it and the ways to choose another when it cannot be. */
export async function ensureDataDir(dir: string): Promise<void> {
  try {
    await mkdir(dir, { recursive: true });
  } catch (e) {
    throw new WorkbenchError(
      'permission-denied',
      `Cannot create the data folder ${dir}: ${(e as Error).message}.`,
      'Choose another with --data-dir or $LASER_DATA_DIR.',
    );
  }
}

/**
 * --bundle, or the demo model, compiled on first use into the data folder's bundles/ (where the app
 * and `laser run` find it too, so it is compiled once).
 */
export async function bundleDirFor(bundle: string | undefined, err: (line: string) => void, flags: ProgressFlags = {}): Promise<string> {
  if (bundle !== undefined) return resolve(bundle);
  const { dataDirOfProcess } = await import('../engine/settings/data-dir.ts');
  const { demoBundle } = await import('../engine/laser/demo-bundle.ts');
  const progress = compileProgressDisplay(process.stderr, flags);
  try {
    return await demoBundle({
      cacheRoot: dataDirOfProcess(),
      onCompileStart: () => {
        const line = 'compiling the demo model (first use only)...';
        if (flags.json) process.stderr.write(`${JSON.stringify({ event: 'note', task: 'compile', text: line })}\n`);
        else if (!flags.quiet) err(line);
      },
      onProgress: (p) => progress.update(p),
    });
  } finally {
    progress.end();
  }
}

/**
 * --min-pixels / --max-pixels: the smart_resize bounds of an any-resolution model (Qwen2-VL), at
 * compile time (recorded in the bundle) or for one run (over the bundle's). A fixed-grid model
 * (LLaVA) refuses them with a clear message.
 */
/** What addPixelOptions adds. */
export interface PixelFlags {
  minPixels?: number;
  maxPixels?: number;
}

export function addPixelOptions(cmd: Command, scope: 'bundle' | 'run'): Command {
  const whose =
    scope === 'bundle' ? 'recorded in the bundle (default: preprocessor_config.json, else 56*56 / 28*28*1280)' : "for this run's views (default: the bundle's)";
  return cmd
    .option('--min-pixels <n>', `Qwen2-VL: fewest pixels a view is resized to, ${whose}`, positiveInt('--min-pixels'))
    .option('--max-pixels <n>', `Qwen2-VL: most pixels a view is resized to, ${whose}`, positiveInt('--max-pixels'));
}

/** The pixel bounds given on the command line, with the unset ones left out. */
export function pixelBounds(flags: PixelFlags): PixelFlags {
  return { ...(flags.minPixels === undefined ? {} : { minPixels: flags.minPixels }), ...(flags.maxPixels === undefined ? {} : { maxPixels: flags.maxPixels }) };
}
