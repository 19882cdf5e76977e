import { describe, expect, it } from 'vitest';
import type { ImageEntry } from '../../../common/contract/methods.ts';
import { idleScan, mergeProgress, scanReducer } from './scan-state.ts';

const entry = (name: string, error?: string): ImageEntry => ({
  path: `/r/${name}`,
  relPath: name,
  name,
  bytes: 10,
  mtimeMs: 0,
  ...(error ? { error } : {}),
});

const summary = { root: '/r', found: 3, broken: 1, directoriesVisited: 2, warnings: ['sub: permission denied'], elapsedMs: 12 };

describe('scanReducer', () => {
  it('appends streamed entries in order and takes the totals of the latest event', () => {
    let s = scanReducer(idleScan, { type: 'start', scanId: 1, root: '/r' });
    s = scanReducer(s, mergeProgress(1, [{ entries: [entry('a')], found: 1, broken: 0, directoriesVisited: 1 }])!);
    s = scanReducer(
      s,
      mergeProgress(1, [
        { entries: [entry('b')], found: 2, broken: 0, directoriesVisited: 1 },
        { entries: [entry('c', 'truncated')], found: 3, broken: 1, directoriesVisited: 2 },
      ])!,
    );
    expect(s.entries.map((e) => e.name)).toEqual(['a', 'b', 'c']);
    expect([s.found, s.broken, s.directoriesVisited]).toEqual([3, 1, 2]);
    s = scanReducer(s, { type: 'done', scanId: 1, summary });
    expect(s.status).toBe('done');
    expect(s.summary?.warnings).toEqual(['sub: permission denied']);
  });

  it('drops events of a scan that a newer one replaced', () => {
    let s = scanReducer(idleScan, { type: 'start', scanId: 1, root: '/old' });
    s = scanReducer(s, { type: 'start', scanId: 2, root: '/new' });
    s = scanReducer(s, mergeProgress(1, [{ entries: [entry('stale')], found: 1, broken: 0, directoriesVisited: 1 }])!);
    s = scanReducer(s, { type: 'done', scanId: 1, summary });
    expect(s.root).toBe('/new');
    expect(s.entries).toEqual([]);
    expect(s.status).toBe('scanning');
  });

  it('keeps what a cancelled scan found', () => {
    let s = scanReducer(idleScan, { type: 'start', scanId: 1, root: '/r' });
    s = scanReducer(s, mergeProgress(1, [{ entries: [entry('a')], found: 1, broken: 0, directoriesVisited: 1 }])!);
    s = scanReducer(s, { type: 'failed', scanId: 1, error: { code: 'cancelled', message: 'Cancelled.' } });
    expect(s.status).toBe('cancelled');
    expect(s.entries).toHaveLength(1);
    expect(s.error).toBeNull();
  });

  it('records any other failure with its hint', () => {
    let s = scanReducer(idleScan, { type: 'start', scanId: 1, root: '/nope' });
    const error = { code: 'not-found' as const, message: 'No folder at /nope.', hint: 'Check the path.' };
    s = scanReducer(s, { type: 'failed', scanId: 1, error });
    expect(s.status).toBe('failed');
    expect(s.error).toEqual(error);
  });

  it('merges nothing into nothing', () => {
    expect(mergeProgress(1, [])).toBeNull();
  });
});
