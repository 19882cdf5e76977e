/**
 * The CLI's error boundary: whatever a command throws becomes a short message and an exit code.
 *
 * - A WorkbenchError (bad input, a missing file, a model we do not support): `error: <what>` and
 *   `hint: <what to do>`, exit 1.
 * - A file-system error that escaped a command (ENOENT, EACCES, ENOSPC, EISDIR, ...): one line naming
 *   the path and the reason (`cannot write /data/out: permission denied`) and a hint, exit 1. These
 *   are the machine's state, not a bug.
 * - Anything else (and a WorkbenchError 'internal') is a bug: one line with the error's message and
 *   the crash log that holds its stack (under `$LASER_DATA_DIR/logs`, else `~/.laser-workbench/logs`), exit 2. No stack on the
 *   terminal.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { isWorkbenchError } from '../common/contract/errors.ts';
import { describeFsError } from '../engine/library/fsErrors.ts';

export const EXIT_BAD_INPUT = 1;
export const EXIT_INTERNAL = 2;

export interface Report {
  exitCode: typeof EXIT_BAD_INPUT | typeof EXIT_INTERNAL;
  /** What goes on stderr: one `error:` line, and a `hint:` line when there is one. */
  text: string;
}

/** Where crash logs go: `$LASER_DATA_DIR/logs`, else `~/.laser-workbench/logs`. */
export function crashLogDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(env.LASER_DATA_DIR || join(homedir(), '.laser-workbench'), 'logs');
}

function describeThrown(e: unknown): string {
  if (e instanceof Error) return `${e.name}: ${e.message}`.split('\n')[0];
  return String(e).split('\n')[0];
}

/** A crash log: what ran, on what, and every stack in the cause chain. */
export function crashLogText(e: unknown, argv: readonly string[], now: Date): string {
  const lines = [
    'LASER Workbench crash log',
    `time: ${now.toISOString()}`,
    `command: laser ${argv.slice(2).join(' ')}`,
    `version: ${process.env.npm_package_version ?? 'unknown'}; node ${process.version}; ${process.platform} ${process.arch}`,
    '',
  ];
  let cur: unknown = e;
  for (let depth = 0; cur !== undefined && depth < 8; depth++) {
    if (depth > 0) lines.push('', 'caused by:');
    lines.push(cur instanceof Error ? (cur.stack ?? `${cur.name}: ${cur.message}`) : String(cur));
    cur = cur instanceof Error ? cur.cause : undefined;
  }
  return `${lines.join('\n')}\n`;
}

export interface BoundaryOptions {
  argv: readonly string[];
  env?: NodeJS.ProcessEnv;
  now?: () => Date;
}

/** Turns what a command threw into the report to print; writes the crash log of a bug. */
export async function reportError(e: unknown, opts: BoundaryOptions): Promise<Report> {
  if (isWorkbenchError(e) && e.code !== 'internal') {
    return { exitCode: EXIT_BAD_INPUT, text: `error: ${e.message}\n${e.hint ? `hint: ${e.hint}\n` : ''}` };
  }
  const fs = describeFsError(e);
  if (fs) return { exitCode: EXIT_BAD_INPUT, text: `error: ${fs.message}\nhint: ${fs.hint}\n` };

  const now = (opts.now ?? (() => new Date()))();
  const dir = crashLogDir(opts.env);
  const file = join(dir, `crash-${now.toISOString().replace(/[:.]/g, '-')}-${process.pid}.log`);
  const what = describeThrown(e);
  try {
    await mkdir(dir, { recursive: true });
    await writeFile(file, crashLogText(e, opts.argv, now));
  } catch (logError) {
    const why = describeFsError(logError)?.message ?? describeThrown(logError);
    return { exitCode: EXIT_INTERNAL, text: `error: internal error (a bug): ${what}; no crash log could be written (${why}), so please report the command that led here\n` };
  }
  return { exitCode: EXIT_INTERNAL, text: `error: internal error (a bug): ${what}; the full trace is in ${file}, please report it with that file\n` };
}
