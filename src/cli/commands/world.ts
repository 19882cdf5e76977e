/**
 * `laser world generate --seed <n> --count <n> --out <dir> [--objects 3-8] [--questions attribute=1,existence=2,relation=1,glyph=1]`:
 * a synthetic grounding world (src/engine/world): `count` scenes drawn from `seed`, with questions
 * and their target boxes, written as a dataset folder that loadWorldDataset (and `laser eval`)
 * reads directly. Same seed and count, same bytes.
 */
import { join, resolve } from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import type { QuestionCounts } from '../../engine/world/questions.ts';
import { addProgressOptions, ProgressDisplay, progressMode, type ProgressFlags } from '../progress.ts';

function nonNegativeInt(name: string) {
  return (value: string): number => {
    if (!/^\d+$/.test(value)) throw new InvalidArgumentError(`${name} must be a non-negative integer.`);
    return Number(value);
  };
}

const families = ['attribute', 'existence', 'relation', 'glyph'] as const;

/** "2-5" → [2, 5]. */
export function objectRange(value: string): [number, number] {
  const m = /^(\d+)-(\d+)$/.exec(value);
  if (!m || Number(m[1]) < 1 || Number(m[2]) < Number(m[1]) || Number(m[2]) > 12)
    throw new InvalidArgumentError('Use min-max with 1 <= min <= max <= 12, e.g. 3-8.');
  return [Number(m[1]), Number(m[2])];
}

/** "attribute=4,glyph=2" → counts, the families not named keeping their defaults. */
export function parseQuestionCounts(spec: string, defaults: QuestionCounts): QuestionCounts {
  const out = { ...defaults };
  for (const part of spec.split(',').filter((p) => p.length > 0)) {
    const m = /^(\w+)=(\d+)$/.exec(part.trim());
    if (!m || !(families as readonly string[]).includes(m[1]))
      throw new InvalidArgumentError(`"${part}": use family=count with a family among ${families.join(', ')}.`);
    out[m[1] as keyof QuestionCounts] = Number(m[2]);
  }
  return out;
}

export interface WorldGenerateFlags extends ProgressFlags {
  seed: number;
  count: number;
  out: string;
  questions?: string;
  objects?: [number, number];
}

export async function runWorldGenerate(flags: WorldGenerateFlags): Promise<void> {
  const { generateWorld } = await import('../../engine/world/generate.ts');
  const { DEFAULT_COUNTS } = await import('../../engine/world/questions.ts');
  const counts = flags.questions === undefined ? DEFAULT_COUNTS : parseQuestionCounts(flags.questions, DEFAULT_COUNTS);
  const controller = new AbortController();
  const onSigint = () => controller.abort();
  process.once('SIGINT', onSigint);
  const t0 = Date.now();
  const display = new ProgressDisplay(process.stderr, { label: 'scenes', unit: 'scene', mode: progressMode(process.stderr, flags) });
  try {
    const m = await generateWorld({
      seed: flags.seed,
      count: flags.count,
      out: flags.out,
      counts,
      objects: flags.objects,
      signal: controller.signal,
      onProgress: (done, total) =>
        display.update({ done, total, skipped: 0, elapsedMs: Date.now() - t0, metric: null, detail: done < total ? `scene ${done + 1}` : null }),
    });
    display.end();
    const fam = Object.entries(m.stats.byFamily)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ');
    const size = Object.entries(m.stats.bySize)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ');
    process.stderr.write(
      `wrote ${flags.out}: ${m.stats.scenes} scenes, ${m.stats.questions} questions (${fam}; by size: ${size}) in ${((Date.now() - t0) / 1000).toFixed(1)} s\n`,
    );
  } finally {
    display.end();
    process.removeListener('SIGINT', onSigint);
  }
}

/** Adds `laser world` and its `generate` subcommand; returns `world` so that further subcommands can join it. */
export function registerWorld(program: Command): Command {
  const world = program.command('world').description('A synthetic grounding world: scenes with known object boxes, and questions about them');
  const generate = world
    .command('generate')
    .description('Generate scenes, questions and their target boxes into a dataset folder')
    .requiredOption('--seed <n>', 'seed (0..4294967295); the same seed gives the same bytes', nonNegativeInt('--seed'))
    .requiredOption('--count <n>', 'number of scenes (about five questions each)', nonNegativeInt('--count'))
    .requiredOption('--out <dir>', 'output folder (created; an earlier world there is replaced)')
    .option('--objects <min-max>', 'objects per scene (default 3-8)', objectRange)
    .option(
      '--questions <spec>',
      'questions per scene and family, e.g. attribute=4,existence=4,relation=2,glyph=2 (default attribute=1,existence=2,relation=1,glyph=1)',
    );
  addProgressOptions(generate).action(async (flags: WorldGenerateFlags) => runWorldGenerate(flags));
  world
    .command('export')
    .description(
      "Write a generated world in each real benchmark layout (POPE, LLaVA's and lmms-eval's POPE, TextVQA, A-OKVQA, VQA v2, ViCrop, the refer API's RefCOCO, lmms-eval's RefCOCO), to try laser eval on each",
    )
    .requiredOption('--data <dir>', 'a folder written by laser world generate (e.g. resources/samples)')
    .requiredOption('--out <dir>', 'output folder (one sub-folder per layout, the images in coco/val2014/)')
    .action(async (flags: { data: string; out: string }) => {
      const { exportWorldFormats } = await import('../../engine/eval/world-formats.ts');
      const formats = await exportWorldFormats(flags.data, flags.out);
      const images = join(resolve(flags.out), 'coco');
      for (const f of formats)
        process.stdout.write(
          `${f.name}: ${f.samples} samples: laser eval --data ${f.data} --format ${f.format}${f.multipleChoice ? ' --protocol mc' : ''} --images ${images}\n`,
        );
    });
  return world;
}
