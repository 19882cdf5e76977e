import { describe, expect, it } from 'vitest';
import { formatBytes, formatCount, formatDuration, plural } from './format.ts';

describe('format', () => {
  it('groups thousands', () => {
    expect(formatCount(20000)).toBe('20,000');
  });

  it('writes byte sizes in binary units with one decimal below ten', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(formatBytes(200 * 1024)).toBe('200 KiB');
    expect(formatBytes(3.25 * 1024 ** 3)).toBe('3.3 GiB');
  });

  it('writes durations at a useful precision', () => {
    expect(formatDuration(42.4)).toBe('42 ms');
    expect(formatDuration(1234)).toBe('1.2 s');
    expect(formatDuration(125_000)).toBe('2 min 5 s');
  });

  it('pluralises', () => {
    expect(plural(1, 'image')).toBe('1 image');
    expect(plural(1200, 'image')).toBe('1,200 images');
    expect(plural(2, 'folder')).toBe('2 folders');
  });
});
