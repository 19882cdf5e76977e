/**
 * One level of a folder for the serve-mode folder picker: its sub-folders and how many images sit
 * directly inside. Names only; nothing is opened or decoded, so it is quick on any folder.
 * Hidden entries are left out, as the scan leaves them out.
 */
import type { Dirent } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import type { DirectoryListing } from '../../common/contract/methods.ts';
import { formatOfName } from './formats.ts';
import { fsError, requireDirectory } from './fsErrors.ts';
import { displayPath, dirnameBytes, encodeFsPath, fsPathBytes, fsPathFromBytes, joinBytes, resolveBytes, toFsPath } from './hostPath.ts';

const byDisplayName = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });

/** Throws WorkbenchError: 'not-found', 'not-a-directory' or 'permission-denied'. */
export async function listDirectory(hostPath: string): Promise<DirectoryListing> {
  const dir = resolveBytes(fsPathBytes(toFsPath(hostPath)));
  const display = displayPath(dir);
  await requireDirectory(fsPathFromBytes(dir), display);
  let dirents: Dirent<Buffer>[];
  try {
    dirents = await readdir(dir, { withFileTypes: true, encoding: 'buffer' });
  } catch (e) {
    throw fsError(e, 'folder', display);
  }
  const directories: DirectoryListing['directories'] = [];
  let imageCount = 0;
  await Promise.all(
    dirents.map(async (d) => {
      if (d.name[0] === 0x2e) return;
      const child = joinBytes(dir, d.name);
      let isDirectory = d.isDirectory();
      if (d.isSymbolicLink())
        isDirectory = await stat(child).then(
          (s) => s.isDirectory(),
          () => false,
        );
      if (isDirectory) directories.push({ name: d.name.toString('utf8'), path: encodeFsPath(child) });
      else if ((d.isFile() || d.isSymbolicLink()) && formatOfName(d.name) !== null) imageCount += 1;
    }),
  );
  directories.sort((a, b) => byDisplayName.compare(a.name, b.name) || (a.path < b.path ? -1 : 1));
  const parent = dirnameBytes(dir);
  return { path: encodeFsPath(dir), parent: parent.equals(dir) ? null : encodeFsPath(parent), directories, imageCount };
}
