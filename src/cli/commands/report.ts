/**
 * `laser report <run-dir>... [--out report.html|report.md] [--resamples N] [--seed N]`: the run
 * folders of laser eval as a report (src/engine/eval/run-report.ts): accuracy per method and per
 * group with 95 % bootstrap intervals, paired differences with their intervals and McNemar's exact
 * test, charts, and each run's manifest. --out writes HTML (.html, one self-contained file) or
 * Markdown (.md); without it the Markdown goes to stdout.
 */
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { dirname, extname, resolve } from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import { positiveInt } from '../model-options.ts';
import { stdoutLines, type Lines } from '../lines.ts';

export interface ReportFlags {
  out?: string;
  resamples: number;
  seed: number;
}

export async function runReport(dirs: string[], flags: ReportFlags, out: Lines): Promise<void> {
  const { buildRunReports, renderHtml, renderMarkdown } = await import('../../engine/eval/run-report.ts');
  const kind = flags.out === undefined ? 'md' : extname(flags.out).toLowerCase();
  if (kind !== 'md' && kind !== '.md' && kind !== '.html' && kind !== '.htm') throw new InvalidArgumentError(`--out ${flags.out}: name a .html or .md file.`);
  const reports = await buildRunReports(dirs, { resamples: flags.resamples, seed: flags.seed });
  const text = kind === '.html' || kind === '.htm' ? renderHtml(reports) : renderMarkdown(reports);
  if (flags.out === undefined) {
    for (const l of text.split('\n')) out(l);
    return;
  }
  const target = resolve(flags.out);
  await mkdir(dirname(target), { recursive: true });
  await writeFile(`${target}.partial-${process.pid}`, text);
  await rename(`${target}.partial-${process.pid}`, target);
  out(`report: ${target} (${reports.length} run${reports.length === 1 ? '' : 's'})`);
}

export function registerReport(program: Command, out: Lines = stdoutLines): void {
  program
    .command('report')
    .description(
      'Report run folders of laser eval: accuracy with 95 % bootstrap intervals per method and group, paired differences with McNemar tests, charts, manifests',
    )
    .argument('<run-dirs...>', 'folders made by laser eval --run (or laser eval merge)')
    .option('--out <file>', 'report.html (one self-contained file) or report.md (default: Markdown on stdout)')
    .option('--resamples <n>', 'bootstrap resamples', positiveInt('--resamples'), 2000)
    .option(
      '--seed <n>',
      'seed of the bootstrap draws',
      (v: string) => {
        const n = Number(v);
        if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) throw new InvalidArgumentError('Use an integer in 0..4294967295.');
        return n;
      },
      0,
    )
    .action(async (dirs: string[], flags: ReportFlags) => runReport(dirs, flags, out));
}
