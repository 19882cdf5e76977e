import { afterEach, describe, expect, it, vi } from 'vitest';
import type { LaserModel } from '../laser/model.ts';
import { ModelCache } from './model-cache.ts';

/** Stands in for LaserModel: only open and dispose matter to the cache. */
function fakeOpener() {
  const opened: string[] = [];
  const disposed: string[] = [];
  const open = async (dir: string) => {
    opened.push(dir);
    if (dir.endsWith('broken')) throw new Error(`cannot open ${dir}`);
    return { dir, dispose: async () => void disposed.push(dir) } as unknown as LaserModel;
  };
  return { opened, disposed, open };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('ModelCache', () => {
  it('opens a bundle once and shares it between runs', async () => {
    const f = fakeOpener();
    const cache = new ModelCache(60_000, f.open);
    const [a, b] = await Promise.all([cache.use('/b/one', async (m) => m), cache.use('/b/one', async (m) => m)]);
    expect(a).toBe(b);
    expect(f.opened).toEqual(['/b/one']);
    await cache.closeAll();
    expect(f.disposed).toEqual(['/b/one']);
  });

  it('closes a model left idle, and not one in use', async () => {
    vi.useFakeTimers();
    const f = fakeOpener();
    const cache = new ModelCache(1000, f.open);
    let finish!: () => void;
    const long = cache.use('/b/one', () => new Promise<void>((r) => (finish = r)));
    await vi.advanceTimersByTimeAsync(5000);
    expect(f.disposed).toEqual([]);
    finish();
    await long;
    await vi.advanceTimersByTimeAsync(999);
    expect(f.disposed).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(f.disposed).toEqual(['/b/one']);
    expect(cache.openDirs()).toEqual([]);
  });

  it('a use before the idle time is up keeps the model open', async () => {
    vi.useFakeTimers();
    const f = fakeOpener();
    const cache = new ModelCache(1000, f.open);
    await cache.use('/b/one', async () => {});
    await vi.advanceTimersByTimeAsync(900);
    await cache.use('/b/one', async () => {});
    await vi.advanceTimersByTimeAsync(900);
    expect(f.disposed).toEqual([]);
    expect(f.opened).toEqual(['/b/one']);
  });

  it('release closes at once, or when the run holding the model is done', async () => {
    const f = fakeOpener();
    const cache = new ModelCache(60_000, f.open);
    expect(await cache.release('/b/none')).toBe(false);
    await cache.use('/b/one', async () => {});
    expect(await cache.release('/b/one')).toBe(true);
    expect(f.disposed).toEqual(['/b/one']);

    let finish!: () => void;
    const long = cache.use('/b/two', () => new Promise<void>((r) => (finish = r)));
    await vi.waitFor(() => expect(f.opened).toContain('/b/two'));
    expect(await cache.release('/b/two')).toBe(true);
    expect(f.disposed).toEqual(['/b/one']);
    finish();
    await long;
    expect(f.disposed).toEqual(['/b/one', '/b/two']);
  });

  it('forgets a folder that failed to open, so a later use tries again', async () => {
    const f = fakeOpener();
    const cache = new ModelCache(60_000, f.open);
    await expect(cache.use('/b/broken', async () => {})).rejects.toThrow(/cannot open/);
    await expect(cache.use('/b/broken', async () => {})).rejects.toThrow(/cannot open/);
    expect(f.opened).toEqual(['/b/broken', '/b/broken']);
    expect(cache.openDirs()).toEqual([]);
  });
});
