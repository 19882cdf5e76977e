/**
 * The path guard. Files are served (thumbnails, originals, details) only from folders the user
 * opened in this session; in serve mode the renderer is a browser tab and every path it sends is
 * untrusted. A path is let through only if it lies inside an opened folder both as written (so
 * `..` cannot climb out, and nothing outside is even looked at) and after every symbolic link is
 * resolved (so a link inside the folder cannot lead out). The caller then opens the resolved real
 * path, not the one it was given.
 */
import { realpath } from 'node:fs/promises';
import path from 'node:path';
import { WorkbenchError } from '../../common/contract/errors.ts';
import { fsError, requireDirectory } from './fsErrors.ts';
import { displayPath, encodeFsPath, fsPathBytes, fsPathFromBytes, isInsideBytes, resolveBytes, toFsPath } from './hostPath.ts';
import type { FsPath } from './hostPath.ts';

export interface InsidePath {
  /** The real location, every link resolved: what to open. */
  real: FsPath;
  /** The path as requested, for messages. */
  display: string;
}

interface Root {
  /** As the user named it, made absolute. */
  given: Buffer;
  real: Buffer;
}

function outside(display: string, why: string): WorkbenchError {
  return new WorkbenchError(
    'outside-opened-folders',
    `Refused to read ${display}: ${why}.`,
    'Only files inside folders you opened can be read. Open the folder that contains it first.',
  );
}

export class OpenedFolders {
  private readonly roots: Root[] = [];

  /**
   * Opens a folder. Throws WorkbenchError for a missing path, a file, or an unreadable folder.
   * Returns the folder's host path, made absolute.
   */
  async add(root: string): Promise<string> {
    const given = resolveBytes(fsPathBytes(toFsPath(root)));
    const display = displayPath(given);
    await requireDirectory(fsPathFromBytes(given), display);
    let real: Buffer;
    try {
      real = await realpath(given, { encoding: 'buffer' });
    } catch (e) {
      throw fsError(e, 'folder', display);
    }
    if (!this.roots.some((r) => r.given.equals(given) && r.real.equals(real))) this.roots.push({ given, real });
    return encodeFsPath(given);
  }

  /** Host paths of the opened folders, as the user named them. */
  list(): string[] {
    return this.roots.map((r) => encodeFsPath(r.given));
  }

  /**
   * Resolves a host path that must lie inside an opened folder. Throws 'outside-opened-folders'
   * for anything else, 'not-found' for a missing file inside one, 'bad-request' for a malformed path.
   */
  async resolveInside(hostPath: string): Promise<InsidePath> {
    const raw = fsPathBytes(toFsPath(hostPath));
    const display = displayPath(raw);
    if (!path.isAbsolute(raw.toString('latin1'))) throw outside(display, 'it is not an absolute path');
    const lexical = resolveBytes(raw);
    if (!this.roots.some((r) => isInsideBytes(lexical, r.given) || isInsideBytes(lexical, r.real))) {
      throw outside(display, 'it is not inside a folder you opened');
    }
    let real: Buffer;
    try {
      real = await realpath(lexical, { encoding: 'buffer' });
    } catch (e) {
      throw fsError(e, 'file', display);
    }
    if (!this.roots.some((r) => isInsideBytes(real, r.real))) {
      throw outside(display, 'it is a symbolic link (or lies below one) that leads outside the folders you opened');
    }
    return { real: fsPathFromBytes(real), display };
  }
}
