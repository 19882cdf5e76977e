/**
 * Writes that a crash cannot leave half done: what the user keeps (records, reports, settings, the
 * model list, figures) is written to a temporary name beside its target, flushed to the disk
 * (fsync), and renamed over the target, which POSIX file systems do in one step. A process killed
 * at any moment leaves the old file or the new one, never a mixture and never half a JSON file;
 * what it can leave is a `*.tmp` beside the target, which readers never look at.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, open, rename, rm, stat } from 'node:fs/promises';
import { dirname } from 'node:path';

/** A temporary name beside `target`, unique per call. */
export function temporarySibling(target: string): string {
  return `${target}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
}

/** Flushes a file's (or a folder's) contents to the disk. */
export async function syncPath(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } catch (e) {
    // Some file systems (and Windows, for folders) cannot sync a folder: the rename still holds.
    if ((e as NodeJS.ErrnoException).code !== 'EINVAL' && (e as NodeJS.ErrnoException).code !== 'EPERM' && (e as NodeJS.ErrnoException).code !== 'EISDIR')
      throw e;
  } finally {
    await handle.close();
  }
}

/** Writes `data` to `file` so that it is either entirely old or entirely new, even across a crash. */
export async function writeFileAtomically(file: string, data: string | Uint8Array): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  const temporary = temporarySibling(file);
  try {
    const handle = await open(temporary, 'w');
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temporary, file);
  } catch (e) {
    await rm(temporary, { force: true });
    throw e;
  }
}

/** JSON (two-space indented, newline-terminated) written as `writeFileAtomically` does. */
export async function writeJsonAtomically(file: string, value: unknown): Promise<void> {
  await writeFileAtomically(file, `${JSON.stringify(value, null, 2)}\n`);
}

/**
 * Puts the folder `partial` (every file in it already written and fsynced, e.g. by
 * writeFileAtomically) in the place of `target`: the folder itself is fsynced, an earlier `target`
 * is moved aside, `partial` renamed into place, and only then the old one removed. A kill at any
 * point leaves the old folder or the new one whole (at `target`, or, in the instant between the two
 * renames, the old one at `<target>.old-*`); never a folder that is half old and half new. When a
 * rename fails, the old folder is put back; `partial` is the caller's to remove.
 */
export async function replaceFolder(partial: string, target: string): Promise<void> {
  await syncPath(partial);
  let aside: string | null = null;
  try {
    if (await stat(target).catch(() => null)) {
      aside = `${target}.old-${process.pid}-${randomBytes(4).toString('hex')}`;
      await rename(target, aside);
    }
    await rename(partial, target);
  } catch (e) {
    if (aside !== null) await rename(aside, target).catch(() => undefined);
    throw e;
  }
  await syncPath(dirname(target)).catch(() => undefined);
  if (aside !== null) await rm(aside, { recursive: true, force: true });
}
