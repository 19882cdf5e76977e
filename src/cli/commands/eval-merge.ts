/**
 * `laser eval merge <run-dir>... --run <dir> [--force-new] [--quiet | --json]`: joins the run folders of
 * `laser eval --shard i/n` runs into one run folder (src/engine/eval/run-folder.ts `mergeRuns`):
 * the manifests must agree, the shards must be the n of one split, each finished, and cover every
 * sample exactly once. The merged folder has the rows and summary of an unsharded run. Progress
 * (shards read) goes to stderr as in laser eval: a bar, log lines, JSON lines (--json) or nothing
 * (--quiet); the summary goes to stdout either way.
 */
import type { Command } from 'commander';
import { addProgressOptions, ProgressDisplay, progressMode, type ProgressFlags } from '../progress.ts';
import type { Lines } from '../lines.ts';

export interface EvalMergeFlags extends ProgressFlags {
  run: string;
  forceNew?: boolean;
}

export async function runEvalMerge(dirs: string[], flags: EvalMergeFlags, out: Lines): Promise<void> {
  const { mergeRuns } = await import('../../engine/eval/run-folder.ts');
  const { summaryTables, renderTables } = await import('../../engine/eval/index.ts');
  const line = new ProgressDisplay(process.stderr, { label: 'shards read', unit: 'shard', mode: progressMode(process.stderr, flags) });
  const started = Date.now();
  try {
    const merged = await mergeRuns(dirs, flags.run, {
      forceNew: flags.forceNew,
      onShard: (done, total) => line.update({ done, total, skipped: 0, elapsedMs: Date.now() - started, metric: null, detail: null }),
    });
    line.end();
    out(
      `merged ${merged.manifest.mergedFrom!.length} shards: ${merged.rows} rows (${merged.manifest.identity.dataset.evaluated} samples x ${merged.manifest.identity.methods.length} methods)`,
    );
    out('');
    for (const l of renderTables(summaryTables(merged.summary.methods), 'text')) out(l);
    out('');
    out(`run: ${merged.dir}`);
  } finally {
    line.end();
  }
}

export function registerEvalMerge(evalCmd: Command, out: Lines): void {
  const cmd = evalCmd
    .command('merge')
    .description('Join the run folders of laser eval --shard i/n runs into one run folder, equal to an unsharded run')
    .argument('<run-dirs...>', 'the run folders of all n shards')
    .requiredOption('--run <dir>', 'the merged run folder to write')
    .option('--force-new', 'replace a run already in the --run folder');
  // the progress of reading the shards, in the one display the other long commands use
  addProgressOptions(cmd).action(async (dirs: string[], flags: EvalMergeFlags) => runEvalMerge(dirs, flags, out));
}
