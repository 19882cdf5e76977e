/**
 * The recursive image scanner. It walks a folder, reads each image's header (never the pixels),
 * and streams entries in batches while it goes, so a 20,000-image folder fills the grid at once.
 *
 * - Names are read as raw bytes, so a file whose name is not UTF-8 is still found and opened
 *   (see hostPath.ts for how its path is handed out).
 * - Broken files are entries with an `error`; nothing about one file stops the scan.
 * - A sub-folder that cannot be read is a warning; the root itself must be readable.
 * - Symbolic links to folders are followed at most once per real folder, so a link back to an
 *   ancestor is reported as a loop and not followed. Real folders are walked before linked ones,
 *   so an image is listed under its real location when both exist.
 * - Links whose target lies outside the scanned folder are not followed: the path guard would
 *   refuse to serve what they lead to (see openedFolders.ts), so listing it would only show broken
 *   tiles. The scan says how many there were and how to see those images.
 * - Hidden entries (names starting with '.') below the root are skipped: they are tool metadata
 *   (.git, .thumbnails, macOS '._name.jpg' resource forks that are not images).
 */
import { constants, type Dirent, type Stats } from 'node:fs';
import { access, readdir, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { cancelledError } from '../../common/contract/errors.ts';
import type { ImageEntry, ScanProgress, ScanSummary } from '../../common/contract/methods.ts';
import { orderedMap } from './concurrency.ts';
import { formatOfName } from './formats.ts';
import { errnoOf, fsError, fsReason, requireDirectory } from './fsErrors.ts';
import { displayPath, encodeFsPath, fsPathBytes, fsPathFromBytes, isInsideBytes, joinBytes, resolveBytes, toFsPath } from './hostPath.ts';
import { ImageError } from './imageErrors.ts';
import { readHeader, sharpInput, verifyDecode } from './imageRead.ts';

/** The file-system calls the scanner makes; injectable so tests can simulate failures root cannot see. */
export interface ScanFs {
  stat(p: Buffer): Promise<Stats>;
  readdir(p: Buffer): Promise<Dirent<Buffer>[]>;
  realpath(p: Buffer): Promise<Buffer>;
  /** Rejects when the file may not be read. */
  access(p: Buffer): Promise<void>;
}

export const nodeScanFs: ScanFs = {
  stat: (p) => stat(p),
  readdir: (p) => readdir(p, { withFileTypes: true, encoding: 'buffer' }),
  realpath: (p) => realpath(p, { encoding: 'buffer' }),
  access: (p) => access(p, constants.R_OK),
};

export interface ScanOptions {
  signal?: AbortSignal;
  /** Receives entries as they are found, with running totals. */
  onBatch?: (progress: ScanProgress) => void;
  /** A batch goes out when it holds this many entries… */
  batchSize?: number;
  /** …or when this long has passed since the last one, whichever comes first. */
  batchIntervalMs?: number;
  /** How many files are stat'ed and header-read at once. */
  concurrency?: number;
  /**
   * Also decode every image fully, which is the only way to catch a file that ends early (its
   * header reads fine). Many times slower; for checking a data set, not for browsing.
   */
  verify?: boolean;
  fs?: ScanFs;
}

interface Folder {
  /** As reached from the root (through links, if any): what entries' paths are built from. */
  path: Buffer;
  /** The real location, for loop detection. */
  real: Buffer;
  /** Relative to the root, '' for the root. */
  rel: string;
}

interface Candidate {
  path: Buffer;
  rel: string;
  name: Buffer;
}

interface PendingLink {
  path: Buffer;
  rel: string;
  name: Buffer;
  /** The real folder the link sits in. */
  parentReal: Buffer;
}

interface LinkTarget {
  real: Buffer;
  stats: Stats;
}

function relOf(parentRel: string, name: Buffer): string {
  const n = name.toString('utf8');
  return parentRel === '' ? n : `${parentRel}/${n}`;
}

function byName(a: Dirent<Buffer>, b: Dirent<Buffer>): number {
  return Buffer.compare(a.name, b.name);
}

/**
 * Scans `root` (a host path; relative paths resolve against the working directory) recursively.
 * Throws WorkbenchError for a root that is missing, a file, or unreadable, and 'cancelled' when
 * `signal` aborts. Every other problem ends up in an entry's `error` or in the summary's warnings.
 */
export async function scanFolder(root: string, options: ScanOptions = {}): Promise<ScanSummary> {
  const started = performance.now();
  const { signal, onBatch, batchSize = 200, batchIntervalMs = 100, concurrency = 8, fs = nodeScanFs, verify = false } = options;
  const rootBytes = resolveBytes(fsPathBytes(toFsPath(root)));
  const rootHost = encodeFsPath(rootBytes);
  const rootDisplay = displayPath(rootBytes);
  await requireDirectory(rootBytes, rootDisplay, (p) => fs.stat(fsPathBytes(p)));
  let rootReal: Buffer;
  try {
    rootReal = await fs.realpath(rootBytes);
  } catch (e) {
    throw fsError(e, 'folder', rootDisplay);
  }

  const warnings: string[] = [];
  const outsideLinks: string[] = [];
  let directoriesVisited = 0;
  const checkAbort = () => {
    if (signal?.aborted) throw cancelledError();
  };

  async function* walk(): AsyncGenerator<Candidate> {
    const visited = new Set<string>();
    const folders: Folder[] = [{ path: rootBytes, real: rootReal, rel: '' }];
    const links: Array<PendingLink & { target: LinkTarget }> = [];
    for (;;) {
      checkAbort();
      let folder = folders.pop();
      if (folder === undefined) {
        const link = links.shift();
        if (link === undefined) return;
        folder = followLink(link, visited);
        if (folder === undefined) continue;
      }
      const key = folder.real.toString('latin1');
      if (visited.has(key)) continue;
      visited.add(key);

      let dirents: Dirent<Buffer>[];
      try {
        dirents = await fs.readdir(folder.path);
      } catch (e) {
        if (folder.rel === '') throw fsError(e, 'folder', rootDisplay);
        warnings.push(`Could not read the folder "${folder.rel}": ${fsReason(e)}. Its images are not listed.`);
        continue;
      }
      directoriesVisited += 1;
      dirents.sort(byName);
      const subfolders: Folder[] = [];
      const folderLinks: PendingLink[] = [];
      for (const d of dirents) {
        if (d.name[0] === 0x2e) continue;
        const childPath = joinBytes(folder.path, d.name);
        const rel = relOf(folder.rel, d.name);
        if (d.isDirectory()) subfolders.push({ path: childPath, real: joinBytes(folder.real, d.name), rel });
        else if (d.isSymbolicLink()) folderLinks.push({ path: childPath, rel, name: d.name, parentReal: folder.real });
        else if (d.isFile() && formatOfName(d.name) !== null) {
          checkAbort();
          yield { path: childPath, rel, name: d.name };
        }
      }
      // A linked image is listed with its folder's files; a linked folder waits until the real
      // folders are done, so that what it leads to is listed under its real location if it has one.
      for (const link of folderLinks) {
        const target = await resolveLink(link);
        if (target === undefined) continue;
        if (target.stats.isDirectory()) links.push({ ...link, target });
        else if (target.stats.isFile() && formatOfName(link.name) !== null) {
          checkAbort();
          yield { path: link.path, rel: link.rel, name: link.name };
        }
      }
      // Depth first, in name order: pushed in reverse so that the first name is walked first.
      folders.push(...subfolders.toReversed());
    }
  }

  /** Resolves a link; undefined when it dangles, or leads outside the root (noted for the summary). */
  async function resolveLink(link: PendingLink): Promise<LinkTarget | undefined> {
    let real: Buffer;
    let stats: Stats;
    try {
      real = await fs.realpath(link.path);
      stats = await fs.stat(real);
    } catch (e) {
      const reason = errnoOf(e) === 'ENOENT' ? 'its target does not exist' : fsReason(e);
      warnings.push(`The symbolic link "${link.rel}" leads nowhere (${reason}); skipped.`);
      return undefined;
    }
    if (!isInsideBytes(real, rootReal)) {
      // Only links that would have been listed are worth a word: folders and images.
      if (stats.isDirectory() || (stats.isFile() && formatOfName(link.name) !== null)) {
        outsideLinks.push(`"${link.rel}" -> ${displayPath(real)}`);
      }
      return undefined;
    }
    return { real, stats };
  }

  function followLink(link: PendingLink & { target: LinkTarget }, visited: Set<string>): Folder | undefined {
    const { real } = link.target;
    if (visited.has(real.toString('latin1'))) {
      const where = relativeDisplay(real);
      warnings.push(
        isInsideBytes(link.parentReal, real)
          ? `Symbolic link loop: "${link.rel}" points back to ${where}; not followed.`
          : `The symbolic link "${link.rel}" points to ${where}, which is already listed; not listed twice.`,
      );
      return undefined;
    }
    return { path: link.path, real, rel: link.rel };
  }

  function relativeDisplay(real: Buffer): string {
    const rel = Buffer.from(path.relative(rootReal.toString('latin1'), real.toString('latin1')), 'latin1').toString('utf8');
    return rel === '' ? 'the scanned folder itself' : `"${rel}"`;
  }

  async function probe(c: Candidate): Promise<ImageEntry> {
    const base = { path: encodeFsPath(c.path), relPath: c.rel, name: c.name.toString('utf8') };
    let s: Stats;
    try {
      s = await fs.stat(c.path);
    } catch (e) {
      return { ...base, bytes: 0, mtimeMs: 0, error: `cannot read the file: ${fsReason(e)}` };
    }
    const entry = { ...base, bytes: s.size, mtimeMs: s.mtimeMs };
    try {
      const input = await sharpInput(fsPathFromBytes(c.path));
      const header = await readHeader(input, s.size, c.rel);
      if (verify) await verifyDecode(input, c.rel);
      return { ...entry, width: header.width, height: header.height, format: header.format };
    } catch (e) {
      // sharp calls a file it may not open "unsupported"; only on failure is it worth asking why.
      const unreadable = await fs.access(c.path).then(
        () => undefined,
        (x: unknown) => x,
      );
      if (unreadable !== undefined) return { ...entry, error: `cannot read the file: ${fsReason(unreadable)}` };
      if (e instanceof ImageError) return { ...entry, error: e.reason };
      return { ...entry, error: `cannot read the file: ${fsReason(e)}` };
    }
  }

  let found = 0;
  let broken = 0;
  let pending: ImageEntry[] = [];
  let lastFlush = performance.now();
  const flush = () => {
    if (pending.length > 0) onBatch?.({ entries: pending, found, broken, directoriesVisited });
    pending = [];
    lastFlush = performance.now();
  };

  for await (const entry of orderedMap(walk(), concurrency, probe)) {
    checkAbort();
    found += 1;
    if (entry.error !== undefined) broken += 1;
    pending.push(entry);
    if (pending.length >= batchSize || performance.now() - lastFlush >= batchIntervalMs) flush();
  }
  flush();

  if (outsideLinks.length > 0) {
    const n = outsideLinks.length;
    warnings.push(
      `${n} symbolic link${n === 1 ? '' : 's'} point${n === 1 ? 's' : ''} outside the folder and ${n === 1 ? 'was' : 'were'} not followed ` +
        `(${outsideLinks.slice(0, 3).join(', ')}${n > 3 ? ', …' : ''}). Open the target folders themselves to see those images.`,
    );
  }
  return { root: rootHost, found, broken, directoriesVisited, warnings, elapsedMs: performance.now() - started };
}
