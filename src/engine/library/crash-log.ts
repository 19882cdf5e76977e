/**
 * Crash logs: the full trace of an unexpected error (a bug), written to a file under the data
 * folder so that what the user sees stays one line that names the file. Every host uses this: the
 * CLI's error boundary, serve mode's and the Electron utility process's wire host, the inference
 * worker.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { WorkbenchErrorData } from '../../common/contract/errors.ts';
import { resolveDataDir } from '../settings/data-dir.ts';

/** Where crash logs go: `logs/` in the data folder (`$LASER_DATA_DIR`, else the platform's convention; settings/data-dir.ts). */
export function crashLogDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(resolveDataDir({ env, platform: process.platform, home: homedir(), cwd: process.cwd() }).dir, 'logs');
}

/** The first line of what was thrown: `TypeError: x is undefined`. */
export function describeThrown(e: unknown): string {
  const text = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
  return text.split('\n')[0] ?? '';
}

/** A crash log: where it happened, on what, and every stack in the cause chain. */
export function crashLogText(e: unknown, context: string, now: Date): string {
  const lines = [
    'LASER Workbench crash log',
    `time: ${now.toISOString()}`,
    context,
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

/** Writes the crash log of `e` and returns its path. Throws when it cannot be written. */
export async function writeCrashLog(e: unknown, context: string, opts: { env?: NodeJS.ProcessEnv; now?: Date } = {}): Promise<string> {
  const now = opts.now ?? new Date();
  const dir = crashLogDir(opts.env);
  const file = join(dir, `crash-${now.toISOString().replace(/[:.]/g, '-')}-${process.pid}-${Math.random().toString(16).slice(2, 6)}.log`);
  await mkdir(dir, { recursive: true });
  await writeFile(file, crashLogText(e, context, now));
  return file;
}

/**
 * For a host that must stay up: turns an unexpected error thrown while serving `what` (a method, an
 * operation) into the error its caller gets, after writing its trace to a crash log.
 */
export function reportUnexpected(host: string, env: NodeJS.ProcessEnv = process.env): (e: unknown, what: string) => Promise<WorkbenchErrorData> {
  return async (e, what) => {
    const hint = 'This is a bug; please report it with the steps that led here.';
    try {
      const file = await writeCrashLog(e, `host: ${host}; call: ${what}`, { env });
      return {
        code: 'internal',
        message: `Unexpected error in ${what}: ${describeThrown(e)} (full trace in ${file})`,
        hint: `${hint.slice(0, -1)} and that file.`,
      };
    } catch {
      return { code: 'internal', message: `Unexpected error in ${what}: ${describeThrown(e)}`, hint };
    }
  };
}
