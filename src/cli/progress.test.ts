import { describe, expect, it } from 'vitest';
import { formatDuration, formatProgress, progressEta, progressRate, ProgressLine } from './progress.ts';

describe('progress line', () => {
  it('durations as m:ss or h:mm:ss', () => {
    expect(formatDuration(0)).toBe('0:00');
    expect(formatDuration(75_000)).toBe('1:15');
    expect(formatDuration(3_725_000)).toBe('1:02:05');
    expect(formatDuration(NaN)).toBe('-');
  });

  it('rate and ETA count only the work of this process (resumed rows are done but not in the rate)', () => {
    // 30 done, 10 of them resumed, 20 made in 10 s: 2 runs/s; 70 left: 35 s
    const p = { done: 30, total: 100, skipped: 10, elapsedMs: 10_000 };
    expect(progressRate(p)).toBe(2);
    expect(progressEta(p)).toBe(35_000);
    expect(progressRate({ done: 10, skipped: 10, elapsedMs: 5000 })).toBeNull();
    expect(progressEta({ done: 10, total: 100, skipped: 10, elapsedMs: 5000 })).toBeNull();
    expect(progressEta({ done: 100, total: 100, skipped: 0, elapsedMs: 5000 })).toBe(0);
    expect(formatProgress({ ...p, metric: 'score 61.5%', detail: null })).toBe('30/100 (30.0%), elapsed 0:10, 2.0 runs/s, ETA 0:35, 10 resumed, score 61.5%');
    expect(formatProgress({ done: 1, total: 4, skipped: 0, elapsedMs: 4000, metric: null, detail: null })).toBe('1/4 (25.0%), elapsed 0:04, 4.0 s/run, ETA 0:12');
  });

  it('a terminal gets one line rewritten in place; a log a line per tenth, or after logEveryMs', () => {
    const tty: string[] = [];
    const t = new ProgressLine({ isTTY: true, write: (s) => tty.push(s) }, { label: 'runs' });
    t.update({ done: 1, total: 10, skipped: 0, elapsedMs: 1000, metric: null, detail: 'a laser: decode' });
    t.end();
    expect(tty).toEqual(['\rruns 1/10 (10.0%), elapsed 0:01, 1.0 runs/s, ETA 0:09 | a laser: decode\x1b[K', '\r\x1b[K']);

    const log: string[] = [];
    let now = 0;
    const l = new ProgressLine({ isTTY: false, write: (s) => log.push(s) }, { logEveryMs: 1000, now: () => now });
    for (let done = 0; done <= 100; done++) {
      now = done * 10; // 100 updates over 1 s
      l.update({ done, total: 100, skipped: 0, elapsedMs: now, metric: null, detail: null });
    }
    expect(log.map((s) => s.split(' ')[0])).toEqual(['0/100', '10/100', '20/100', '30/100', '40/100', '50/100', '60/100', '70/100', '80/100', '90/100', '100/100']);
    log.length = 0;
    const slow = new ProgressLine({ isTTY: false, write: (s) => log.push(s) }, { logEveryMs: 1000, now: () => now });
    now = 0;
    slow.update({ done: 0, total: 1000, skipped: 0, elapsedMs: 0, metric: null, detail: null });
    now = 1500;
    slow.update({ done: 1, total: 1000, skipped: 0, elapsedMs: 1500, metric: null, detail: null });
    now = 1600;
    slow.update({ done: 2, total: 1000, skipped: 0, elapsedMs: 1600, metric: null, detail: null });
    expect(log.map((s) => s.split(' ')[0])).toEqual(['0/1000', '1/1000']);
  });
});
