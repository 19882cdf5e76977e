/**
 * `laser scan <folder> [--json] [--verify]`: lists every image under a folder as the workbench sees it, with
 * its size, format, bytes and relative path, every broken file with the reason, then a summary.
 * Broken files are a finding, not a failure: the exit code is 0 unless the folder itself cannot be
 * scanned (missing, a file, unreadable), which is an error with the reason and a hint.
 */
import type { Command } from 'commander';
import type { ImageEntry, ScanSummary } from '../../common/contract/methods.ts';
import { scanFolder } from '../../engine/library/scan.ts';
import { processOutput, type CommandOutput } from '../lines.ts';

export type ScanOutput = CommandOutput;

export function humanBytes(n: number): string {
  if (n < 1000) return `${n} B`;
  if (n < 1e6) return `${(n / 1e3).toFixed(1)} kB`;
  if (n < 1e9) return `${(n / 1e6).toFixed(1)} MB`;
  return `${(n / 1e9).toFixed(2)} GB`;
}

/** `   640x480  jpeg    12.3 kB  animals/cat.jpg`, or `BROKEN  broken/empty.png: empty file (0 bytes)`. */
export function entryLine(e: ImageEntry): string {
  if (e.error !== undefined) return `BROKEN  ${e.relPath}: ${e.error}`;
  const size = `${e.width}x${e.height}`.padStart(11);
  return `${size}  ${(e.format ?? '').padEnd(4)}  ${humanBytes(e.bytes).padStart(8)}  ${e.relPath}`;
}

export function summaryLine(s: ScanSummary): string {
  const images = `${s.found} image${s.found === 1 ? '' : 's'}`;
  const folders = `${s.directoriesVisited} folder${s.directoriesVisited === 1 ? '' : 's'}`;
  return `${images} (${s.broken} broken) in ${folders}, ${(s.elapsedMs / 1000).toFixed(2)} s: ${s.root}`;
}

export interface ScanFlags {
  json?: boolean;
  verify?: boolean;
}

export async function runScan(folder: string, options: ScanFlags & { signal?: AbortSignal }, out: ScanOutput = processOutput): Promise<ScanSummary> {
  const summary = await scanFolder(folder, {
    signal: options.signal,
    verify: options.verify,
    onBatch: (batch) => {
      for (const e of batch.entries) out.stdout(options.json ? JSON.stringify({ type: 'entry', ...e }) : entryLine(e));
    },
  });
  if (options.json) out.stdout(JSON.stringify({ type: 'summary', ...summary }));
  else {
    for (const w of summary.warnings) out.stderr(`warning: ${w}`);
    out.stdout(summaryLine(summary));
  }
  return summary;
}

export function registerScan(program: Command, out: ScanOutput = processOutput): void {
  program
    .command('scan')
    .description('List the images under a folder with their sizes, and every broken file with the reason.')
    .argument('<folder>', 'the folder to scan, recursively')
    .option('--json', 'one JSON object per line: each entry, then the summary')
    .option('--verify', 'decode every image fully, to catch files that end early (slower)')
    .action(async (folder: string, flags: ScanFlags) => {
      const controller = new AbortController();
      const cancel = () => controller.abort();
      process.once('SIGINT', cancel);
      try {
        await runScan(folder, { ...flags, signal: controller.signal }, out);
      } finally {
        process.off('SIGINT', cancel);
      }
    });
}
