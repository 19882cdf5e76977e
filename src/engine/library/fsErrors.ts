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
    return new WorkbenchError(
      'permission-denied',
      `Permission denied reading the ${what} ${display}.`,
      `Give your user read access to the ${what} (and execute access to the folders above it), or pick another.`,
    );
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

interface ErrnoLike {
  code: string;
  syscall?: string;
  path?: string;
  dest?: string;
}

function errnoError(e: unknown): ErrnoLike | null {
  if (typeof e !== 'object' || e === null) return null;
  const { code, syscall, path, dest } = e as Record<string, unknown>;
  if (typeof code !== 'string' || !/^E[A-Z0-9]+$/.test(code)) return null;
  return {
    code,
    syscall: typeof syscall === 'string' ? syscall : undefined,
    path: typeof path === 'string' ? path : undefined,
    dest: typeof dest === 'string' ? dest : undefined,
  };
}

const writingCalls = new Set(['mkdir', 'rename', 'write', 'unlink', 'rmdir', 'rm', 'copyfile', 'link', 'symlink', 'utime', 'chmod', 'ftruncate', 'fsync']);
const readingCalls = new Set(['scandir', 'stat', 'lstat', 'read', 'readlink', 'access', 'realpath']);

/**
 * The one-line form of a file-system error, or null when `e` is not one this boundary can explain.
 * The verb comes from the system call (mkdir and rename write; stat and scandir read; open may be
 * either, so it says "open").
 */
export function describeFsError(e: unknown): { message: string; hint: string } | null {
  const err = errnoError(e);
  if (!err || err.path === undefined) return null;
  const path = err.syscall === 'rename' || err.syscall === 'link' || err.syscall === 'copyfile' ? (err.dest ?? err.path) : err.path;
  const verb = err.syscall && writingCalls.has(err.syscall) ? 'write' : err.syscall && readingCalls.has(err.syscall) ? 'read' : 'open';
  switch (err.code) {
    case 'ENOENT':
      if (verb === 'write')
        return { message: `cannot write ${path}: the folder it goes in does not exist`, hint: 'Check the path, or create the folder first.' };
      return { message: `${err.path} does not exist`, hint: 'Check the path (and that the folder it should be in exists).' };
    case 'EACCES':
    case 'EPERM':
      return {
        message: `cannot ${verb} ${path}: permission denied`,
        hint: `Give your user ${verb === 'read' ? 'read' : 'write'} access to it (and to the folders above it), or choose another location.`,
      };
    case 'EROFS':
      return { message: `cannot write ${path}: the file system is read-only`, hint: 'Choose a location on a writable disk.' };
    case 'ENOSPC':
    case 'EDQUOT':
      return { message: `disk full while writing ${path}`, hint: 'Free some space on that disk (or raise your quota), or choose a location on another disk.' };
    case 'EISDIR':
      return { message: `${path} is a folder, not a file`, hint: 'Pass a file path there.' };
    case 'ENOTDIR':
      return { message: `${path}: a part of this path is a file, not a folder`, hint: 'Check the path: one of the folders on the way is a file.' };
    case 'EEXIST':
      return { message: `cannot create ${path}: something already exists there`, hint: 'Choose another location, or move what is there out of the way.' };
    case 'EMFILE':
    case 'ENFILE':
      return { message: `too many open files while opening ${path}`, hint: 'Raise the open-file limit (ulimit -n) or close other programs, then try again.' };
    case 'ELOOP':
      return { message: `${path} is behind a loop of symbolic links`, hint: 'Fix or remove the symbolic links on the way to it.' };
    case 'ENAMETOOLONG':
      return { message: `${path}: the path is too long`, hint: 'Choose a shorter path.' };
    default:
      return null;
  }
}
