/**
 * Output locations checked before long work starts, so an evaluation of an hour does not end with
 * "permission denied" and nothing saved. The check does what writing will do: it creates the
 * missing folders and writes (then removes) a small file there, so permissions, read-only mounts,
 * a file in the way and a full disk all show up now, each as one line naming the path.
 *
 * Missing folders are created one level at a time from the nearest existing ancestor: Node's
 * recursive mkdir loops forever on some virtual file systems (under /proc it keeps retrying).
 */
import { randomBytes } from 'node:crypto';
import { mkdir, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import type { ErrorCode } from '../../common/contract/errors.ts';
import { WorkbenchError } from '../../common/contract/errors.ts';
import { describeFsError, errnoOf } from './fsErrors.ts';

function codeFor(errno: string | undefined): ErrorCode {
  if (errno === 'EACCES' || errno === 'EPERM' || errno === 'EROFS') return 'permission-denied';
  if (errno === 'ENOENT') return 'not-found';
  if (errno === 'ENOTDIR' || errno === 'EEXIST' || errno === 'EISDIR') return 'not-a-directory';
  if (errno === 'ENOSPC' || errno === 'EDQUOT') return 'disk-full';
  return 'internal';
}

/** A file-system error while preparing `what` (e.g. "the report --out") as a WorkbenchError. */
export function outputError(e: unknown, what: string): WorkbenchError {
  const d = describeFsError(e);
  if (d) return new WorkbenchError(codeFor(errnoOf(e)), `${d.message} (${what})`, d.hint);
  return new WorkbenchError(
    'internal',
    `Cannot prepare ${what}: ${e instanceof Error ? e.message : String(e)}`,
    'Check that the disk is mounted and writable, then try again.',
  );
}

async function kindOf(p: string): Promise<'dir' | 'other' | null> {
  const s = await stat(p).catch((e: unknown) => {
    // ENOTDIR: a file further up; walking on finds it and names it.
    if (errnoOf(e) === 'ENOENT' || errnoOf(e) === 'ENOTDIR') return null;
    throw e;
  });
  if (s === null) return null;
  return s.isDirectory() ? 'dir' : 'other';
}

/**
 * Makes sure `dir` exists (creating what is missing) and that a file can be written in it. `what`
 * names the location in messages ("the --out folder"). Returns the absolute path.
 */
export async function ensureWritableDir(dir: string, what: string): Promise<string> {
  const target = resolve(dir);
  try {
    const missing: string[] = [];
    let cur = target;
    for (;;) {
      const kind = await kindOf(cur);
      if (kind === 'dir') break;
      if (kind === 'other')
        throw new WorkbenchError('not-a-directory', `${cur} is a file, not a folder (${what})`, 'Choose another location, or move that file out of the way.');
      missing.unshift(cur);
      const up = dirname(cur);
      if (up === cur) break;
      cur = up;
    }
    for (const d of missing) {
      await mkdir(d).catch((e: unknown) => {
        if (errnoOf(e) !== 'EEXIST') throw e;
      });
    }
    const probe = join(target, `.laser-write-check-${process.pid}-${randomBytes(4).toString('hex')}`);
    await writeFile(probe, 'x').catch((e: unknown) => {
      // Named after the folder: the probe's own name would only puzzle.
      throw Object.assign(new Error(String(e)), { code: errnoOf(e), syscall: 'write', path: target });
    });
    await rm(probe, { force: true });
  } catch (e) {
    throw e instanceof WorkbenchError ? e : outputError(e, what);
  }
  return target;
}

/**
 * Makes sure `file` can be written: its folder is writable (see ensureWritableDir) and nothing that
 * is not a file is in its place. Does not create or touch `file` itself. Returns the absolute path.
 */
export async function ensureWritableFile(file: string, what: string): Promise<string> {
  const target = resolve(file);
  await ensureWritableDir(dirname(target), what);
  const kind = await kindOf(target).catch((e: unknown) => {
    throw outputError(e, what);
  });
  if (kind === 'dir')
    throw new WorkbenchError('not-a-directory', `${target} is a folder, not a file (${what})`, 'Pass a file path, e.g. report.json inside that folder.');
  return target;
}
