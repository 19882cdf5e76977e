import { describe, expect, it } from 'vitest';
import { compileProgressDisplay, formatDuration, formatProgress, ProgressDisplay, progressEta, progressMode, progressRate } from './progress.ts';

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
    expect(formatProgress({ done: 1, total: 4, skipped: 0, elapsedMs: 4000, metric: null, detail: null })).toBe(
      '1/4 (25.0%), elapsed 0:04, 4.0 s/run, ETA 0:12',
    );
  });

  it('bytes show as sizes and MB/s', () => {
    expect(formatProgress({ done: 1.2e9, total: 2.4e9, skipped: 0, elapsedMs: 4000, metric: null, detail: null }, 'byte')).toBe(
      '1.20 GB / 2.40 GB (50.0%), elapsed 0:04, 300 MB/s, ETA 0:04',
    );
  });

  it('picks --quiet, then --json, then a bar on a terminal, else lines', () => {
    expect(progressMode({ isTTY: true, write: () => 0 }, { quiet: true, json: true })).toBe('quiet');
    expect(progressMode({ isTTY: true, write: () => 0 }, { json: true })).toBe('json');
    expect(progressMode({ isTTY: true, write: () => 0 })).toBe('bar');
    expect(progressMode({ isTTY: false, write: () => 0 })).toBe('lines');
  });

  it('a terminal gets a bar with the counts, rate, ETA and current item, taken away at the end', () => {
    const tty: string[] = [];
    const t = new ProgressDisplay({ isTTY: true, columns: 200, write: (s: string) => tty.push(s) }, { label: 'runs' });
    t.update({ done: 1, total: 10, skipped: 0, elapsedMs: 1000, metric: null, detail: 'a laser: decode' });
    t.end();
    expect(tty).toContain(`runs ##${'-'.repeat(22)} 1/10 (10.0%), elapsed 0:01, 1.0 runs/s, ETA 0:09 | a laser: decode`);
    // end(): back to the line's start and the line cleared, no newline left behind
    expect(tty.slice(-2)).toEqual(['\x1b[1G', '\x1b[2K']);
    expect(tty.join('')).not.toContain('\n');
  });

  it('a log gets a line per 5 % (and the last), or after logEveryMs', () => {
    const log: string[] = [];
    let now = 0;
    const l = new ProgressDisplay({ isTTY: false, write: (s: string) => log.push(s) }, { logEveryMs: 1000, now: () => now });
    for (let done = 0; done <= 100; done++) {
      now = done * 10; // 100 updates over 1 s
      l.update({ done, total: 100, skipped: 0, elapsedMs: now, metric: null, detail: null });
    }
    expect(log.map((s) => s.split(' ')[0])).toEqual(Array.from({ length: 21 }, (_, i) => `${5 * i}/100`));
    log.length = 0;
    const slow = new ProgressDisplay({ isTTY: false, write: (s: string) => log.push(s) }, { logEveryMs: 1000, now: () => now });
    now = 0;
    slow.update({ done: 0, total: 1000, skipped: 0, elapsedMs: 0, metric: null, detail: null });
    now = 1500;
    slow.update({ done: 1, total: 1000, skipped: 0, elapsedMs: 1500, metric: null, detail: null });
    now = 1600;
    slow.update({ done: 2, total: 1000, skipped: 0, elapsedMs: 1600, metric: null, detail: null });
    expect(log.map((s) => s.split(' ')[0])).toEqual(['0/1000', '1/1000']);
  });

  it('--json writes every event as a JSON line with the engine event; --quiet writes nothing', () => {
    const lines: string[] = [];
    const j = new ProgressDisplay({ isTTY: true, write: (s: string) => lines.push(s) }, { label: 'runs', mode: 'json' });
    j.update({ done: 3, total: 10, skipped: 1, elapsedMs: 2000, metric: 'acc 50.0%', detail: 's1 laser: decode' }, { kind: 'stage', sampleId: 's1' });
    j.note('a note');
    expect(lines.map((l) => JSON.parse(l))).toEqual([
      {
        event: 'progress',
        task: 'runs',
        done: 3,
        total: 10,
        skipped: 1,
        elapsedMs: 2000,
        rate: 1,
        etaMs: 7000,
        metric: 'acc 50.0%',
        detail: 's1 laser: decode',
        data: { kind: 'stage', sampleId: 's1' },
      },
      { event: 'note', task: 'runs', text: 'a note' },
    ]);
    const quiet: string[] = [];
    const q = new ProgressDisplay({ isTTY: true, write: (s: string) => quiet.push(s) }, { mode: 'quiet' });
    q.update({ done: 1, total: 2, skipped: 0, elapsedMs: 1, metric: null, detail: null });
    q.end();
    expect(quiet).toEqual([]);
  });

  it('a compile shows a display per stage, in bytes, with the tensors as the current item', () => {
    const log: string[] = [];
    const c = compileProgressDisplay({ isTTY: false, write: (s: string) => log.push(s) });
    c.update({ stage: 'weights', tensorsDone: 0, tensorsTotal: 2, bytesDone: 0, bytesTotal: 2e6 });
    c.update({ stage: 'weights', tensorsDone: 2, tensorsTotal: 2, bytesDone: 2e6, bytesTotal: 2e6 });
    c.update({ stage: 'hashing', tensorsDone: 2, tensorsTotal: 2, bytesDone: 2e6, bytesTotal: 2e6 });
    c.end();
    expect(log.map((l) => l.replace(/elapsed [^,]+, [^,]+, ETA [^ |\n]+/, 'T'))).toEqual([
      'compile weights 0.0 MB / 2.0 MB (0.0%), T | 0/2 tensors\n',
      'compile weights 2.0 MB / 2.0 MB (100.0%), T | 2/2 tensors\n',
      'compile hashing 2.0 MB / 2.0 MB (100.0%), T\n',
    ]);
  });
});
