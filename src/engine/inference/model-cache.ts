/**
 * Opened models, one per bundle folder, kept between runs: opening the onnxruntime sessions of a
 * real model takes seconds and gigabytes, so a second question on the same model reuses them. A
 * model unused for `idleMs` is closed to give the memory back, and `release` closes one at once
 * (before its bundle is deleted). A model in use is never closed under a run.
 */
import { resolve } from 'node:path';
import { LaserModel } from '../laser/model.ts';

/** Five minutes: long enough to ask several questions in a row, short enough not to hold gigabytes all day. */
export const DEFAULT_IDLE_MS = 5 * 60_000;

interface Entry {
  model: Promise<LaserModel>;
  users: number;
  timer: ReturnType<typeof setTimeout> | null;
  /** Released while a run used it: disposed when that run is done. */
  closing: boolean;
}

async function dispose(entry: Entry): Promise<void> {
  const model = await entry.model.catch(() => null);
  if (model) await model.dispose();
}

export class ModelCache {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly idleMs: number = DEFAULT_IDLE_MS,
    private readonly open: (dir: string) => Promise<LaserModel> = (dir) => LaserModel.open(dir),
  ) {}

  /** Runs `work` with the model of `dir`, opening it if needed; the model stays open afterwards. */
  async use<T>(dir: string, work: (model: LaserModel) => Promise<T>): Promise<T> {
    const key = resolve(dir);
    let entry = this.entries.get(key);
    if (!entry) {
      entry = { model: this.open(key), users: 0, timer: null, closing: false };
      this.entries.set(key, entry);
      // A folder that failed to open is forgotten, so fixing it and asking again works.
      entry.model.catch(() => {
        if (this.entries.get(key) === entry) this.entries.delete(key);
      });
    }
    if (entry.timer) clearTimeout(entry.timer);
    entry.timer = null;
    entry.users += 1;
    try {
      return await work(await entry.model);
    } finally {
      entry.users -= 1;
      if (entry.users === 0) {
        if (entry.closing) await dispose(entry);
        else if (this.entries.get(key) === entry) this.scheduleClose(key, entry);
      }
    }
  }

  private scheduleClose(key: string, entry: Entry): void {
    entry.timer = setTimeout(() => void this.close(key), this.idleMs);
    // An idle model must not keep the process (or the worker) alive.
    entry.timer.unref();
  }

  private async close(key: string): Promise<boolean> {
    const entry = this.entries.get(key);
    if (!entry) return false;
    this.entries.delete(key);
    if (entry.timer) clearTimeout(entry.timer);
    const model = await entry.model.catch(() => null);
    // A run still holding it finishes first: its sessions are disposed when it is done.
    if (entry.users > 0) entry.closing = true;
    else await dispose(entry);
    return model !== null;
  }

  /** Closes the model of `dir` now; true when it was open. */
  release(dir: string): Promise<boolean> {
    return this.close(resolve(dir));
  }

  /** Folders whose models are open. */
  openDirs(): string[] {
    return [...this.entries.keys()];
  }

  async closeAll(): Promise<void> {
    await Promise.all([...this.entries.keys()].map((k) => this.close(k)));
  }
}
