/**
 * `laser world evaluate --data <dir> --methods vanilla,laser,... [--bundle <dir>] --out <file.json>`:
 * runs methods on a generated world's questions and writes, as its contract,
 *
 *   {"methods": {"<method>": {"accuracy": x, "bySize": {"small": x, "medium": x, "large": x}, "byFamily": {"<family>": x}}}}
 *
 * (accuracies in 0..1; a size class the world has no question of is null), with
 * `attentionAggregation`, `layers`, `pope`, `dataset` and `bundle` beside "methods"
 * (src/engine/eval/world-report.ts). Prints the same as a table, then the aggregation and the chosen
 * layers per family. Without --bundle it uses the demo model. Runs are cached, so Ctrl-C and the
 * same command again resumes.
 */
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { addEvalRunOptions, runEvaluation, type EvalRunFlags } from './eval.ts';
import { stderrLines, stdoutLines, type Lines } from '../lines.ts';

export interface WorldEvaluateFlags extends EvalRunFlags {
  data: string;
  out: string;
}

export async function runWorldEvaluate(flags: WorldEvaluateFlags, out: Lines, err: Lines): Promise<void> {
  const { loadWorld } = await import('../../engine/eval/world.ts');
  const { worldReport, worldReportSchema, worldTable, worldExtraTables } = await import('../../engine/eval/world-report.ts');
  const { renderTables } = await import('../../engine/eval/tables.ts');
  const { writeJsonFile } = await import('../../engine/eval/report.ts');
  const { ensureWritableFile } = await import('../../engine/library/writable.ts');
  // Before any model work: an evaluation that cannot save its report should not start.
  await ensureWritableFile(flags.out, 'the report --out');
  const dataset = await loadWorld(resolve(flags.data));
  const result = await runEvaluation(dataset, flags, err);
  const report = worldReport(result);
  // the contract is checked on the way out, so a change that breaks it fails here and not in a reader
  worldReportSchema.parse(report);
  const path = await writeJsonFile(flags.out, report);
  out(`${dataset.name}: ${result.samples.length} of ${dataset.samples.length} questions, bundle ${result.bundle.name}`);
  out('');
  for (const line of renderTables([worldTable(report), ...worldExtraTables(report)], 'text')) out(line);
  out('');
  out(`report: ${path}`);
}

/** Adds `evaluate` to the `world` command (registerWorld in world.ts returns it). */
export function registerWorldEvaluate(world: Command, out: Lines = stdoutLines, err: Lines = stderrLines): Command {
  const cmd = world
    .command('evaluate')
    .description(
      'Run methods on a generated world and write accuracy overall, by object size and by question family (JSON), with attention aggregation and chosen layers',
    )
    .requiredOption('--data <dir>', 'a folder written by `laser world generate`')
    .requiredOption('--out <file>', 'the JSON report to write');
  addEvalRunOptions(cmd, 'vanilla,laser');
  cmd.action(async (flags: WorldEvaluateFlags) => runWorldEvaluate(flags, out, err));
  return world;
}
