/** File-system failures a user can cause, turned into WorkbenchErrors that say what to do next. */
import { constants, type Stats } from 'node:fs';
import { access, stat as fsStat } from 'node:fs/promises';
import { WorkbenchError } from '../../common/contract/errors.ts';
import type { FsPath } from './hostPath.ts';

export function errnoOf(e: unknown): string | undefined {
  return typeof e === 'object' && e !== null && 'code' in e && typeof e.code === 'string' ? e.code : undefined;
}

/** A WorkbenchError for a failed file-system call on `display` (a folder or a file, per `what`). */
export function fsError(e: unknown, what: 'folder' | 'file', display: string): WorkbenchError {
  const code = errnoOf(e);
  if (code === 'ENOENT' || code === 'ENOTDIR') {
    return new WorkbenchError('not-found', `The ${what} ${display} does not exist.`, `Check the path, or pick the ${what} again if it was moved or renamed.`);
  }
  if (code === 'EACCES' || code === 'EPERM') {
    return new WorkbenchError('permission-denied', `Permission denied reading the ${what} ${display}.`, `Give your user read access to the ${what} (and execute access to the folders above it), or pick another.`);
  }
  if (code === 'ELOOP') {
    return new WorkbenchError('not-found', `The ${what} ${display} is behind a loop of symbolic links.`, 'Fix or remove the symbolic links on the way to it.');
  }
  const message = e instanceof Error ? e.message : String(e);
  return new WorkbenchError('internal', `Could not read the ${what} ${display}: ${message}`, 'Check that the disk is mounted and readable, then try again.');
}

/** A short reason for a problem that does not stop a scan (an unreadable sub-folder). */
export function fsReason(e: unknown): string {
  const code = errnoOf(e);
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'ENOENT') return 'it disappeared during the scan';
  if (code === 'ELOOP') return 'too many levels of symbolic links';
  return e instanceof Error ? e.message : String(e);
}

/** Stats a folder the user named, refusing a missing path, a file, or one that cannot be read. */
export async function requireDirectory(p: FsPath, display: string, stat: (p: FsPath) => Promise<Stats> = fsStat): Promise<Stats> {
  let s: Stats;
  try {
    s = await stat(p);
  } catch (e) {
    throw fsError(e, 'folder', display);
  }
  if (!s.isDirectory()) {
    throw new WorkbenchError('not-a-directory', `${display} is a file, not a folder.`, 'Pick the folder that contains your images.');
  }
  return s;
}

/**
 * Stats a file the user asked for and checks that it can be read. The check is explicit because
 * sharp reports a file it may not open as "unsupported image format", which would send the user
 * looking for the wrong problem.
 */
export async function statReadableFile(
  p: FsPath,
  display: string,
  fs: { stat: (p: FsPath) => Promise<Stats>; access: (p: FsPath) => Promise<void> } = { stat: fsStat, access: (q) => access(q, constants.R_OK) },
): Promise<Stats> {
  let s: Stats;
  try {
    s = await fs.stat(p);
  } catch (e) {
    throw fsError(e, 'file', display);
  }
  if (!s.isFile()) {
    throw new WorkbenchError('unsupported-image', `${display} is not a file.`, 'Pick an image file inside the folder.');
  }
  try {
    await fs.access(p);
  } catch (e) {
    throw fsError(e, 'file', display);
  }
  return s;
}
