/**
 * `laser figure <record-dir> [--out <dir>] [--kind overlay,vaq,layers,heads,decoding,compare,inputs,paper,compare-maps]
 * [--format svg,png,pdf] [--scale 2] [--image <path>] [--with <dirs>] [--layers 0-31] [--layer-heads top|mean]
 * [--colormap viridis|magma|coolwarm] [--own-scale] [--exclude-sinks] [--map M|A|aq|a0|d] [--layer <n>] [--heads mean|top-<k>|<head>] [--opacity <0..1>]
 * [--smooth cells|bilinear|bicubic]
 * [--compare-map M|A|aq] [--compare-layer <n>] [--compare-heads mean|top-<k>|<head>] [--difference] [--no-titles] [--quiet | --json]`:
 * publication figures of an analysis record, or of every record below a folder (batch, with the
 * progress display of the other long commands on stderr: a bar, log lines, `--json` lines or
 * `--quiet`; a skipped or failed record gets its own line in every mode but --json, where it is a note event). Prints one written file per line on stdout; the kinds the record
 * cannot give (when none were named) are listed on stderr with the reason.
 */
import { join, relative, resolve } from 'node:path';
import { InvalidArgumentError, Option, type Command } from 'commander';
import type { FigureFormat } from '../../engine/figures/index.ts';
import { COLORMAP_NAMES, type ColormapName } from '../../common/figures/colormap.ts';
import { COMPARE_MAPS, type CompareMap } from '../../common/laser/compare-panels.ts';
import { MEAN_HEADS, type HeadSelection } from '../../common/laser/heads.ts';
import { MAP_IDS, type MapId } from '../../common/laser/overlay-maps.ts';
import { LAYER_HEADS, type LayerHeads } from '../../common/laser/layers-figure.ts';
import { SMOOTHINGS, type Smoothing } from '../../common/laser/overlay-figure.ts';
import { FIGURE_KINDS as KINDS, type FigureKind } from '../../engine/figures/record-data.ts';
import { processOutput, type CommandOutput } from '../lines.ts';
import { addProgressOptions, ProgressDisplay, progressMode, type ProgressFlags, type ProgressSink } from '../progress.ts';

const FORMATS: readonly FigureFormat[] = ['svg', 'png', 'pdf'];

export interface FigureOutput extends CommandOutput {
  /** Where a batch's progress display draws (a terminal gets a bar); default: `stderr`, one line per write. */
  progress?: ProgressSink;
}

const defaultOutput: FigureOutput = { ...processOutput, progress: process.stderr };

/** `out.stderr` as a progress sink: each written line handed over without its newline. */
function lineSink(out: FigureOutput): ProgressSink {
  return out.progress ?? { write: (text: string) => text.split('\n').forEach((l) => l !== '' && out.stderr(l)) };
}

function listOf<T extends string>(what: string, allowed: readonly T[]) {
  return (value: string): T[] => {
    const items = value
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== '');
    if (items.length === 0) throw new InvalidArgumentError(`Name at least one ${what}: ${allowed.join(', ')}.`);
    for (const it of items) if (!allowed.includes(it as T)) throw new InvalidArgumentError(`Unknown ${what} "${it}"; use ${allowed.join(', ')}.`);
    return [...new Set(items)] as T[];
  };
}

function scale(value: string): number {
  const n = Number(value);
  if (!/^\d+(\.\d+)?$/.test(value) || !(n > 0 && n <= 8))
    throw new InvalidArgumentError('--scale must be a number in (0, 8], e.g. 2 for screens or 3 for print.');
  return n;
}

/** "0-3,8,10" → [0, 1, 2, 3, 8, 10]. */
export function parseLayerList(value: string): number[] {
  const out: number[] = [];
  for (const part of value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part);
    if (!m) throw new InvalidArgumentError(`"${part}": use layer numbers and ranges, e.g. 0-7,12,14.`);
    const a = Number(m[1]);
    const b = m[2] === undefined ? a : Number(m[2]);
    if (b < a) throw new InvalidArgumentError(`"${part}": a range runs from the lower layer to the higher.`);
    for (let l = a; l <= b; l++) if (!out.includes(l)) out.push(l);
  }
  if (out.length === 0) throw new InvalidArgumentError('--layers names no layer.');
  return out;
}

function oneOf<T extends string>(flag: string, allowed: readonly T[]) {
  return (value: string): T => {
    if (!allowed.includes(value as T)) throw new InvalidArgumentError(`${flag} is one of ${allowed.join(', ')}, not "${value}".`);
    return value as T;
  };
}

/** A layer number (whether the record has it is checked against the record). */
function layerNumber(flag: string) {
  return (value: string): number => {
    if (!/^\d+$/.test(value)) throw new InvalidArgumentError(`${flag} is a layer number, e.g. 14, not "${value}".`);
    return Number(value);
  };
}

/**
 * "mean", "top-8" (the top 8 heads of the layer by its VAQ per head) or "5" (head 5), as the Compare
 * view's and the overlay's heads controls (`flag` names the option in the error).
 */
export function parseHeads(value: string, flag = '--compare-heads'): HeadSelection {
  if (value === 'mean') return MEAN_HEADS;
  const top = /^top-(\d+)$/.exec(value);
  if (top && Number(top[1]) >= 1) return { kind: 'top', k: Number(top[1]) };
  if (/^\d+$/.test(value)) return { kind: 'head', head: Number(value) };
  throw new InvalidArgumentError(`${flag} is mean, top-<k> (e.g. top-8) or a head number, not "${value}".`);
}

/** The overlay's opacity, 0..1 as its slider. */
function opacity(value: string): number {
  const n = Number(value);
  if (!/^\d*\.?\d+$/.test(value) || !(n >= 0 && n <= 1))
    throw new InvalidArgumentError(`--opacity is a number in 0..1 (the view opens at 0.6), not "${value}".`);
  return n;
}

export interface FigureFlags extends ProgressFlags {
  out?: string;
  kind?: FigureKind[];
  format: FigureFormat[];
  scale: number;
  image?: string;
  with?: string;
  layers?: number[];
  layerHeads?: LayerHeads;
  colormap?: ColormapName;
  ownScale?: boolean;
  excludeSinks?: boolean;
  map?: MapId;
  layer?: number;
  heads?: HeadSelection;
  opacity?: number;
  smooth?: Smoothing;
  compareMap?: CompareMap;
  compareLayer?: number;
  compareHeads?: HeadSelection;
  difference?: boolean;
  titles: boolean;
}

/** The record's question as a generated world knows it (for the true box on the overlay); null otherwise or when unreadable. */
async function recordTruth(dir: string, image: string | undefined) {
  const { loadRecordJson } = await import('../../engine/laser/record-io.ts');
  const { findWorldTruth } = await import('../../engine/world/image-questions.ts');
  try {
    const r = await loadRecordJson(dir);
    return await findWorldTruth(image === undefined ? r.image.path : resolve(image), r.question);
  } catch {
    // a missing or broken record is reported by figuresForRecord itself; a moved image or a broken world just has no truth
    return null;
  }
}

export async function runFigure(recordDir: string, flags: FigureFlags, out: FigureOutput = defaultOutput): Promise<void> {
  const dir = resolve(recordDir);
  const { existsSync } = await import('node:fs');
  if (!existsSync(join(dir, 'record.json'))) {
    const { findRecordFolders } = await import('../../engine/figures/batch.ts');
    const records = await findRecordFolders(dir);
    if (records.length > 0) return runFigureBatch(dir, records, flags, out);
  }
  return runFigureOne(dir, flags, out);
}

/**
 * Every record below `root`: each into `<out>/<its path below root>` (default `<root>/figures/...`),
 * with progress on stderr; a record that fails is reported and the rest go on, and
 * the command fails at the end if any did. With --kind, a record that cannot give a kind skips it.
 */
async function runFigureBatch(root: string, records: string[], flags: FigureFlags, out: FigureOutput): Promise<void> {
  const { batchOutDir } = await import('../../engine/figures/batch.ts');
  const { FIGURE_KINDS, unavailableReason } = await import('../../engine/figures/record-data.ts');
  const { loadRecord } = await import('../../engine/laser/record-io.ts');
  const outRoot = flags.out === undefined ? join(root, 'figures') : resolve(flags.out);
  const sink = lineSink(out);
  const display = new ProgressDisplay(sink, { label: 'records', unit: 'record', mode: progressMode(sink, flags) });
  const started = Date.now();
  const failed: string[] = [];
  const step = (done: number, detail: string) =>
    display.update({
      done,
      total: records.length,
      skipped: 0,
      elapsedMs: Date.now() - started,
      metric: failed.length > 0 ? `${failed.length} failed` : null,
      detail,
    });
  try {
    for (const [i, rec] of records.entries()) {
      const name = relative(root, rec) || '.';
      try {
        let kinds = flags.kind;
        if (kinds) {
          const loaded = await loadRecord(rec);
          kinds = kinds.filter((k) => unavailableReason(k, loaded, 0, flags.layerHeads) === null);
          if (kinds.length === 0) {
            display.note(`${name}: none of ${flags.kind?.join(', ')} (of ${FIGURE_KINDS.length} kinds) can be drawn from it, skipped`);
            step(i + 1, `${name}: skipped`);
            continue;
          }
        }
        const before: string[] = [];
        await runFigureOne(
          rec,
          { ...flags, kind: kinds, out: batchOutDir(root, rec, outRoot) },
          {
            stdout: (l) => before.push(l),
            stderr: (l) => {
              if (l.startsWith('warning ')) display.note(`${name}: ${l}`);
            },
          },
        );
        for (const l of before) out.stdout(l);
        step(i + 1, `${name}: ${before.length} file${before.length === 1 ? '' : 's'}`);
      } catch (e) {
        failed.push(name);
        display.note(`${name}: failed: ${e instanceof Error ? e.message : String(e)}`);
        step(i + 1, `${name}: failed`);
      }
    }
  } finally {
    display.end();
  }
  if (failed.length > 0) {
    const { WorkbenchError } = await import('../../common/contract/errors.ts');
    throw new WorkbenchError(
      'bad-request',
      `${failed.length} of ${records.length} records gave no figures: ${failed.join(', ')}.`,
      'See the lines above for why each failed.',
    );
  }
}

async function runFigureOne(dir: string, flags: FigureFlags, out: FigureOutput): Promise<void> {
  // Loaded on use, so that `laser --help` does not load sharp.
  const { figuresForRecord } = await import('../../engine/figures/index.ts');
  const { ensureWritableDir } = await import('../../engine/library/writable.ts');
  if (flags.out !== undefined) await ensureWritableDir(flags.out, 'the figures --out folder');
  const truth = await recordTruth(dir, flags.image);
  const result = await figuresForRecord(dir, {
    truthBox: truth?.box ?? null,
    kinds: flags.kind,
    formats: flags.format,
    outDir: flags.out === undefined ? join(dir, 'figures') : resolve(flags.out),
    scale: flags.scale,
    titles: flags.titles,
    image: flags.image === undefined ? undefined : resolve(flags.image),
    layers: flags.layers,
    layerHeads: flags.layerHeads,
    colormap: flags.colormap,
    ownScale: flags.ownScale,
    excludeSinks: flags.excludeSinks,
    layer: flags.layer,
    ...(flags.smooth ? { smooth: flags.smooth } : {}),
    overlay: {
      ...(flags.map ? { map: flags.map } : {}),
      ...(flags.heads ? { heads: flags.heads } : {}),
      ...(flags.opacity !== undefined ? { opacity: flags.opacity } : {}),
    },
    compare: {
      ...(flags.compareMap ? { map: flags.compareMap } : {}),
      ...(flags.compareLayer !== undefined ? { layer: flags.compareLayer } : {}),
      ...(flags.compareHeads ? { heads: flags.compareHeads } : {}),
      ...(flags.difference ? { difference: true } : {}),
    },
    compareWith: flags.with
      ?.split(',')
      .map((s) => s.trim())
      .filter((s) => s !== ''),
  });
  for (const s of result.skipped) out.stderr(`skipped ${s.kind}: ${s.reason}`);
  for (const w of result.warnings) out.stderr(`warning ${w}`);
  for (const w of result.written) out.stdout(w.path);
}

export function registerFigure(program: Command, out: FigureOutput = defaultOutput): void {
  const cmd = program
    .command('figure')
    .description('Draw publication figures of an analysis record: SVG (self-contained), PNG and PDF (vector)')
    .argument('<record-dir>', 'a record folder (record.json + tensors.safetensors), or a folder of them (every record below it, in turn)')
    .option('--out <dir>', 'where to write <kind>.svg, <kind>.png and <kind>.pdf (default <record-dir>/figures)')
    .option('--kind <list>', `figures to draw, comma-separated: ${KINDS.join(', ')} (default: all the record can give)`, listOf('figure kind', KINDS))
    .addOption(new Option('--format <list>', 'svg, png, pdf, comma-separated').argParser(listOf('format', FORMATS)).default(['svg', 'png'], 'svg,png'))
    .option('--scale <n>', 'PNG pixels per SVG pixel', scale, 2)
    .option('--image <path>', "the record's image, if it has moved (its hash is checked)")
    .option(
      '--with <dirs>',
      'more records, comma-separated: for compare, other methods on the same image and question; for compare-maps, any runs (up to 3) side by side',
    )
    .option('--layers <list>', 'layers in the layer strip, e.g. 8-20 or 10,14,17 (default all)', parseLayerList)
    .option(
      '--layer-heads <how>',
      "the layer strip's maps: top (each layer's top-kHead heads by VAQ, spec step 7; default) or mean (the head mean, as the app's Layers view)",
      oneOf('--layer-heads', LAYER_HEADS),
    )
    .option(
      '--colormap <name>',
      `the maps' colormap (overlay, paper figure, layer strip, compared maps): ${COLORMAP_NAMES.join(', ')} (default viridis)`,
      oneOf('--colormap', COLORMAP_NAMES),
    )
    .option('--own-scale', 'each layer of the strip and each compared map on its own colour scale (default: one shared scale)')
    .option(
      '--exclude-sinks',
      'overlay, paper, inputs: the colour scales set without the attention sinks, as the views\' "sinks out of the scale" (the sinks saturate)',
    )
    .option(
      '--map <map>',
      `overlay, paper: the map shown, as the overlay's map toggle: ${MAP_IDS.join(', ')} (d: the signed a_q − a_0, on coolwarm) (default M)`,
      oneOf('--map', MAP_IDS),
    )
    .option(
      '--layer <n>',
      "the layer in view: A's on the overlay and the paper figure (--map A), and the inputs figure's (default the record's l*)",
      layerNumber('--layer'),
    )
    .option('--heads <heads>', 'overlay, paper (--map A): the heads of A, mean (default), top-<k> by VAQ, or a head number', (v: string) =>
      parseHeads(v, '--heads'),
    )
    .option('--opacity <x>', "overlay, paper: the map's opacity over the picture, 0..1 (default 0.6)", opacity)
    .option(
      '--smooth <how>',
      `overlay, paper, inputs: the maps as the views' smoothing draws them: ${SMOOTHINGS.join(', ')} (the grid upsampled, drawn as finer vector cells) (default cells)`,
      oneOf('--smooth', SMOOTHINGS),
    )
    .option(
      '--compare-map <map>',
      "compare-maps: M (each run's map at its own l*, default), A or aq (at the linked layer)",
      oneOf('--compare-map', COMPARE_MAPS),
    )
    .option('--compare-layer <n>', "compare-maps: the linked layer of A and aq (default each run's l*)", layerNumber('--compare-layer'))
    .option('--compare-heads <heads>', 'compare-maps: the heads of A: mean (default), top-<k> by VAQ, or a head number', (v: string) => parseHeads(v))
    .option('--difference', 'compare-maps: the first run minus the second, on a scale centred at 0')
    .option('--no-titles', 'leave titles off (a paper puts them in the caption)');
  // a folder of records: the one progress display the other long commands use (--quiet, --json)
  addProgressOptions(cmd).action(async (recordDir: string, flags: FigureFlags) => runFigure(recordDir, flags, out));
}
