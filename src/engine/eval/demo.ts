/**
 * `npm run demo`: the workbench's main job, headless, on what ships with it. LASER and vanilla
 * answer every question of the sample folder (resources/samples, a generated world) with the demo
 * model (resources/models/laser-demo, compiled into the cache on first use); each LASER run gets
 * its figures (the map and crop over the image, the VAQ curve, the comparison with vanilla), and a
 * summary (markdown and JSON) gives accuracy by object size and question family, attention
 * aggregation inside the true boxes, the chosen layers, and every question with both answers.
 *
 * Nothing needs a display or a GPU: figures are SVG rasterised by sharp, and the runtime falls back
 * to the CPU. Runs are cached, so a second demo only redraws.
 */
import { mkdir, rm, stat } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { WorkbenchError } from '../../common/contract/errors.ts';
import type { MethodId } from '../../common/laser/knobs.ts';
import { figuresForRecord, type FigureKind } from '../figures/index.ts';
import { defaultCacheRoot } from '../laser/cache.ts';
import { DEMO_MODEL_DIR, demoBundle } from '../laser/demo-bundle.ts';
import { loadRecordJson } from '../laser/record-io.ts';
import type { CompileProgress } from '../compiler/compile.ts';
import { evaluate, type EvalProgress, type EvaluateResult } from './evaluate.ts';
import type { Aggregation, SampleResult } from './score.ts';
import { pct, renderTable, renderTables, type Table } from './tables.ts';
import { loadWorld } from './world.ts';
import { worldExtraTables, worldReport, worldTable, type WorldReport } from './world-report.ts';
import { writeFileAtomically, writeJsonAtomically } from '../library/atomic-write.ts';
import { packageRoot } from '../library/package-root.ts';

export const DEMO_SAMPLES_DIR = join(packageRoot(), 'resources', 'samples');
export const DEMO_METHODS: readonly MethodId[] = ['vanilla', 'laser'];

export interface DemoOptions {
  /** Where the figures and the summary go (made if missing; an earlier demo's files there are replaced). */
  out: string;
  /** A generated world; default resources/samples. */
  samples?: string;
  /** A compiled bundle; default the demo model, compiled on first use. */
  bundle?: string;
  /** The demo model's checkpoint folder (default DEMO_MODEL_DIR), compiled when no bundle is given. */
  modelSource?: string;
  /** Record cache (and compiled demo bundle) root; default defaultCacheRoot(). */
  cacheDir?: string;
  /** Only the first N questions. */
  limit?: number;
  /** Figures per LASER run; [] for none. Default overlay, vaq, compare. */
  figures?: readonly FigureKind[];
  maxNewTokens?: number;
  signal?: AbortSignal;
  onProgress?: (p: EvalProgress) => void;
  onCompileStart?: () => void;
  onCompileProgress?: (p: CompileProgress) => void;
  /** Called as each question's figures are written. */
  onFigures?: (done: number, total: number) => void;
}

export interface DemoRow {
  id: string;
  question: string;
  truth: string;
  family: string;
  size: string | null;
  answers: Record<string, string>;
  correct: Record<string, boolean>;
  /** LASER's chosen layer. */
  layer: number | null;
  /** LASER's map and raw attention inside the target box, when the question has a target. */
  aggregation: Aggregation | null;
  /** Paths relative to the output folder. */
  figures: string[];
  records: Record<string, string | null>;
}

export interface DemoResult {
  out: string;
  markdown: string;
  json: string;
  figuresDir: string;
  figureCount: number;
  report: WorldReport;
  rows: DemoRow[];
  evaluation: EvaluateResult;
}

async function exists(path: string): Promise<boolean> {
  return (await stat(path).catch(() => null)) !== null;
}

/** Everything the demo needs that is not there, named in one error. */
async function checkInputs(samples: string, bundle: string | undefined, modelSource: string): Promise<void> {
  const missing: string[] = [];
  if (!(await exists(join(samples, 'manifest.json')))) missing.push(`the sample folder ${samples} (a generated world: manifest.json, questions.json, images/)`);
  if (bundle === undefined && !(await exists(join(modelSource, 'config.json')))) {
    missing.push(`the demo model ${modelSource} (a Hugging Face LLaVA checkpoint: config.json, model.safetensors, tokenizer files)`);
  }
  if (bundle !== undefined && !(await exists(join(bundle, 'manifest.json'))))
    missing.push(`the bundle ${bundle} (no manifest.json: not a folder written by \`laser compile\`)`);
  if (missing.length === 0) return;
  throw new WorkbenchError(
    'not-found',
    `The demo cannot run; missing: ${missing.join('; and ')}.`,
    'Both ship with the repository (resources/samples, resources/models/laser-demo): restore them from git. The samples can be made again with `laser world generate --seed 42 --count 24 --out resources/samples`, and the model is trained by training/ (see its README). Or pass --samples <world folder> and --bundle <compiled bundle>.',
  );
}

const DEFAULT_FIGURES: readonly FigureKind[] = ['overlay', 'vaq', 'compare'];

function safeName(id: string): string {
  return id.replace(/[^A-Za-z0-9._-]/g, '_');
}

/** `truthBox`: the question's target in the world, drawn dashed on the overlay beside LASER's crop. */
async function drawFigures(
  r: SampleResult,
  kinds: readonly FigureKind[],
  dir: string,
  truthBox: readonly [number, number, number, number] | null,
): Promise<string[]> {
  if (r.record === null || kinds.length === 0) return [];
  const record = await loadRecordJson(r.record);
  // a run whose question moved no attention has no map to overlay; its other figures still say so
  const usable = kinds.filter((k) => k !== 'overlay' || record.fallback === null);
  const { written } = await figuresForRecord(r.record, { kinds: usable, formats: ['png'], outDir: dir, truthBox });
  return written.map((w) => w.path);
}

function rowsTable(rows: DemoRow[], methods: readonly MethodId[]): Table {
  const link = (paths: string[]) =>
    paths
      .map(
        (p) =>
          `[${p
            .split('/')
            .pop()!
            .replace(/\.png$/, '')}](${p})`,
      )
      .join(' ');
  return {
    title: 'Every question',
    head: ['question', 'family', 'size', 'truth', ...methods, 'layer', 'map in box', 'chance', 'figures'],
    rows: rows.map((r) => [
      r.question,
      r.family,
      r.size ?? '-',
      r.truth,
      ...methods.map((m) => `${r.answers[m] ?? '-'}${r.correct[m] ? ' ✓' : ''}`),
      r.layer === null ? '-' : String(r.layer),
      r.aggregation === null ? '-' : pct(r.aggregation.map),
      r.aggregation === null ? '-' : pct(r.aggregation.uniform),
      link(r.figures),
    ]),
  };
}

/** A path as short as it can be said: relative to the working folder when inside it. */
function shown(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel === '' ? '.' : rel.startsWith('..') ? path : rel;
}

function markdown(report: WorldReport, rows: DemoRow[], methods: readonly MethodId[], samples: string): string {
  const lines = [
    `# LASER demo: ${report.dataset.name}`,
    '',
    `${report.dataset.evaluated} questions from \`${samples}\`, answered by ${methods.join(' and ')} with the bundle \`${report.bundle.name}\` ` +
      `(${report.bundle.layers} layers, \`${report.bundle.dir}\`). Accuracy: a match with the one true answer after VQA normalisation. ` +
      'Map in box: the share of LASER\'s localisation map inside the target object\'s true box ("attention aggregation"); chance: the share a flat map would put there. ' +
      "Figures per LASER run under `figures/`, beside this file: overlay (the map, the crop box, the masked cells and, dashed, the target's true box on the image), vaq (VAQ per layer, the chosen layer marked), compare (the answers side by side).",
    '',
    ...renderTables([worldTable(report), ...worldExtraTables(report)], 'markdown'),
    '',
    `### Every question`,
    '',
    ...renderTable(rowsTable(rows, methods), 'markdown'),
    '',
  ];
  return lines.join('\n');
}

export async function runDemo(o: DemoOptions): Promise<DemoResult> {
  const samples = resolve(o.samples ?? DEMO_SAMPLES_DIR);
  const modelSource = o.modelSource ?? DEMO_MODEL_DIR;
  const bundleArg = o.bundle === undefined ? undefined : resolve(o.bundle);
  await checkInputs(samples, bundleArg, modelSource);
  const cacheDir = o.cacheDir ?? defaultCacheRoot();
  const bundle =
    bundleArg ??
    (await demoBundle({ cacheRoot: cacheDir, source: modelSource, onCompileStart: o.onCompileStart, onProgress: o.onCompileProgress, signal: o.signal }));
  const dataset = await loadWorld(samples);
  const methods = DEMO_METHODS;
  const evaluation = await evaluate({
    bundle,
    dataset,
    methods,
    limit: o.limit,
    options: o.maxNewTokens === undefined ? undefined : { maxNewTokens: o.maxNewTokens },
    cacheDir,
    signal: o.signal,
    onProgress: o.onProgress,
  });
  const report = worldReport(evaluation);

  const out = resolve(o.out);
  const figuresDir = join(out, 'figures');
  // an earlier demo's figures are replaced; a folder that holds no demo is never emptied
  if (await exists(join(out, 'summary.json'))) await rm(figuresDir, { recursive: true, force: true });
  await mkdir(figuresDir, { recursive: true });
  const kinds = o.figures ?? DEFAULT_FIGURES;
  const rows: DemoRow[] = [];
  let figureCount = 0;
  for (const [k, s] of evaluation.samples.entries()) {
    if (o.signal?.aborted) throw new WorkbenchError('cancelled', 'Cancelled.');
    const mine = evaluation.results.filter((r) => r.sampleId === s.id);
    const laser = mine.find((r) => r.method === 'laser')!;
    const paths = await drawFigures(laser, kinds, join(figuresDir, safeName(s.id)), s.box ?? null);
    figureCount += paths.length;
    o.onFigures?.(k + 1, evaluation.samples.length);
    const truth = s.vqa?.answers[0];
    const family = s.groups.family;
    if (truth === undefined || family === undefined) throw new Error(`world sample ${s.id} has no ${truth === undefined ? 'VQA answer' : 'family group'}`);
    rows.push({
      id: s.id,
      question: s.question,
      truth,
      family,
      size: s.groups.size ?? null,
      answers: Object.fromEntries(mine.map((r) => [r.method, r.answer])),
      correct: Object.fromEntries(mine.map((r) => [r.method, r.score === 1])),
      layer: laser.layer,
      aggregation: laser.aggregation,
      figures: paths.map((p) => relative(out, p)),
      records: Object.fromEntries(mine.map((r) => [r.method, r.record])),
    });
  }
  const md = join(out, 'summary.md');
  const json = join(out, 'summary.json');
  await writeFileAtomically(md, markdown(report, rows, methods, shown(samples)));
  await writeJsonAtomically(json, { ...report, questions: rows });
  return { out, markdown: md, json, figuresDir, figureCount, report, rows, evaluation };
}
