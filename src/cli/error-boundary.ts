/**
 * The CLI's error boundary: whatever a command throws becomes a short message and an exit code.
 *
 * - A WorkbenchError (bad input, a missing file, a model we do not support): `error: <what>` and
 *   `hint: <what to do>`, exit 1.
 * - A file-system error that escaped a command (ENOENT, EACCES, ENOSPC, EISDIR, ...): one line naming
 *   the path and the reason (`cannot write /data/out: permission denied`) and a hint, exit 1. These
 *   are the machine's state, not a bug.
 * - Anything else (and a WorkbenchError 'internal') is a bug: one line with the error's message and
 *   the crash log that holds its stack (under the data folder's `logs/`: `$LASER_DATA_DIR`, else the platform's), exit 2. No stack on the
 *   terminal.
 */
import { isWorkbenchError } from '../common/contract/errors.ts';
import { describeThrown, writeCrashLog } from '../engine/library/crash-log.ts';
import { describeFsError } from '../engine/library/fsErrors.ts';

export const EXIT_BAD_INPUT = 1;
export const EXIT_INTERNAL = 2;

export interface Report {
  exitCode: typeof EXIT_BAD_INPUT | typeof EXIT_INTERNAL;
  /** What goes on stderr: one `error:` line, and a `hint:` line when there is one. */
  text: string;
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
  const what = describeThrown(e);
  let file: string;
  try {
    file = await writeCrashLog(e, `command: laser ${opts.argv.slice(2).join(' ')}`, { env: opts.env, now });
  } catch (logError) {
    const why = describeFsError(logError)?.message ?? describeThrown(logError);
    return {
      exitCode: EXIT_INTERNAL,
      text: `error: internal error (a bug): ${what}; no crash log could be written (${why}), so please report the command that led here\n`,
    };
  }
  return { exitCode: EXIT_INTERNAL, text: `error: internal error (a bug): ${what}; the full trace is in ${file}, please report it with that file\n` };
}
