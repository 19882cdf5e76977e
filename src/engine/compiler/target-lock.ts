/**
 * One compile per bundle folder at a time, and nothing left behind by a compile that was killed.
 *
 * The lock is a file beside the target, `<bundle>.lock`, holding the holder's pid, host and start
 * time. It is created whole (written to a private name, then hard-linked into place, which fails if
 * the name exists), so a reader never sees a half-written lock. A lock whose process is gone (same
 * host, pid no longer alive) is stale and is taken over. While the lock is held, every
 * `<bundle>.partial-*` and `<bundle>.old-*` beside the target belongs to a compile that died (a live
 * one would hold the lock), so it is removed; partial folders of other targets in the same parent
 * are removed once they are a day old and their own target is not locked.
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { link, readdir, readFile, rename, rm, stat, unlink, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { WorkbenchError } from '../../common/contract/errors.ts';

export interface LockHolder {
  pid: number;
  host: string;
  startedAt: string;
}

export interface TargetLock {
  path: string;
  /** Stale folders removed when the lock was taken (absolute paths). */
  removed: string[];
  release(): Promise<void>;
}

/** A partial or replaced-bundle folder a compile writes beside its target. */
const leftoverPattern = /^(.+)\.(?:partial|old)-[0-9a-f]{8}$/;
export const STALE_AFTER_MS = 24 * 60 * 60 * 1000;

export function lockPathFor(bundleDir: string): string {
  return `${resolve(bundleDir)}.lock`;
}

/** Whether a process with this pid exists on this machine (EPERM: it exists, owned by another user). */
export function processAlive(pid: number): boolean {
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function readHolder(path: string): Promise<LockHolder | null> {
  try {
    const h = JSON.parse(await readFile(path, 'utf8')) as Partial<LockHolder>;
    if (typeof h.pid === 'number' && typeof h.host === 'string' && typeof h.startedAt === 'string') return { pid: h.pid, host: h.host, startedAt: h.startedAt };
  } catch {
    // unreadable or not ours: treated as no holder we can name
  }
  return null;
}

/** A holder that cannot be running any more. One on another host cannot be checked, so it is live. */
function isStale(holder: LockHolder | null): boolean {
  if (holder === null) return true;
  return holder.host === hostname() && !processAlive(holder.pid);
}

/**
 * Takes the lock of `bundleDir` or fails at once with a `busy` error naming the holder. Then removes
 * what killed compiles left behind (see the file comment).
 */
export async function acquireTargetLock(bundleDir: string, now: () => number = Date.now): Promise<TargetLock> {
  const path = lockPathFor(bundleDir);
  const me: LockHolder = { pid: process.pid, host: hostname(), startedAt: new Date(now()).toISOString() };
  const own = `${path}.${process.pid}-${randomBytes(4).toString('hex')}`;
  await writeFile(own, `${JSON.stringify(me)}\n`, { flag: 'wx' });
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        await link(own, path);
        break;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST' || attempt >= 3) throw e;
      }
      const holder = await readHolder(path);
      // A lock file that is not a lock (empty, garbage) could be one being written by an older
      // version; trust it as a lock only while it is fresh.
      const fresh =
        holder === null &&
        (await stat(path).then(
          (s) => now() - s.mtimeMs < 10_000,
          () => false,
        ));
      if (!isStale(holder) || fresh) throw busyError(bundleDir, path, holder);
      await takeOverStale(path, holder);
    }
  } finally {
    await unlink(own).catch(() => {});
  }
  let removed: string[];
  try {
    removed = await removeLeftovers(bundleDir, now());
  } catch (e) {
    await unlink(path).catch(() => {});
    throw e;
  }
  let released = false;
  return {
    path,
    removed,
    async release() {
      if (released) return;
      released = true;
      // Only our own lock: never remove one that someone took over after declaring ours stale.
      const holder = await readHolder(path);
      if (holder?.pid === me.pid && holder.host === me.host && holder.startedAt === me.startedAt) await unlink(path).catch(() => {});
    },
  };
}

/**
 * Moves the stale lock aside under a private name, then checks that what was moved is the stale lock
 * read a moment ago: if another process took it over in between, its fresh lock goes back.
 */
async function takeOverStale(path: string, seen: LockHolder | null): Promise<void> {
  const aside = `${path}.stale-${randomBytes(4).toString('hex')}`;
  try {
    await rename(path, aside);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return; // already gone; try to take it
    throw e;
  }
  const moved = await readHolder(aside);
  if (moved !== null && JSON.stringify(moved) !== JSON.stringify(seen) && !isStale(moved)) {
    await link(aside, path).catch(() => {});
  }
  await unlink(aside).catch(() => {});
}

function busyError(bundleDir: string, path: string, holder: LockHolder | null): WorkbenchError {
  const who = holder ? `process ${holder.pid}${holder.host === hostname() ? '' : ` on ${holder.host}`}, since ${holder.startedAt}` : 'another process';
  return new WorkbenchError(
    'busy',
    `${bundleDir} is being compiled by ${who} (lock ${path})`,
    `Wait for that compile to finish or stop it, or compile into another folder; if no compile is running, remove ${path}.`,
  );
}

/**
 * Removes leftovers of `bundleDir` (any age) and day-old leftovers of siblings whose own target is
 * not locked. One exception: a compile killed between moving the earlier bundle aside and moving the
 * new one in leaves `<bundle>.old-*` and no bundle; that earlier bundle is put back, not removed.
 */
async function removeLeftovers(bundleDir: string, nowMs: number): Promise<string[]> {
  const target = resolve(bundleDir);
  const parent = dirname(target);
  const mine = basename(target);
  const entries = await readdir(parent).catch(() => [] as string[]);
  const removed: string[] = [];
  for (const name of entries.sort()) {
    const owner = leftoverPattern.exec(name)?.[1];
    if (owner === undefined) continue;
    const full = join(parent, name);
    if (owner !== mine) {
      const st = await stat(full).catch(() => null);
      if (!st || nowMs - st.mtimeMs < STALE_AFTER_MS) continue;
      if (await heldByLiveCompile(join(parent, owner))) continue;
    } else if (
      name.includes('.old-') &&
      !(await stat(target).then(
        () => true,
        () => false,
      ))
    ) {
      await rename(full, target);
      continue;
    }
    await rm(full, { recursive: true, force: true });
    removed.push(full);
  }
  return removed;
}

async function heldByLiveCompile(target: string): Promise<boolean> {
  const path = lockPathFor(target);
  if (
    !(await stat(path).then(
      () => true,
      () => false,
    ))
  )
    return false;
  return !isStale(await readHolder(path));
}
