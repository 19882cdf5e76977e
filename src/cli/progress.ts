/**
 * The progress line of long commands (laser eval, laser eval merge) on stderr: done/total, percent,
 * elapsed time, rate, ETA and a running metric. On a terminal it is one line rewritten in place;
 * elsewhere (a Slurm log, a pipe) a full line at every tenth of the work and at most once per
 * `logEveryMs` between them, so a log shows the run is alive without filling up.
 *
 * The rate counts only the work done by this process: rows kept from an interrupted run (`skipped`)
 * count as done but not in the rate, so the ETA of a resumed run is not flattered by them.
 */

export interface ProgressState {
  done: number;
  total: number;
  /** Of `done`, those that were already there (a resumed run). */
  skipped: number;
  /** ms since this process started the work. */
  elapsedMs: number;
  /** e.g. "acc 61.2%"; null for none. */
  metric: string | null;
  /** What is being worked on now, e.g. "random/12 laser: decode 3/32 tokens". */
  detail: string | null;
}

/** 75 s → "1:15", 3725 s → "1:02:05". */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '-';
  const s = Math.round(ms / 1000);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  const two = (n: number) => String(n).padStart(2, '0');
  return h > 0 ? `${h}:${two(m)}:${two(sec)}` : `${m}:${two(sec)}`;
}

/** Runs per second made by this process, or null before the first. */
export function progressRate(p: Pick<ProgressState, 'done' | 'skipped' | 'elapsedMs'>): number | null {
  const made = p.done - p.skipped;
  return made > 0 && p.elapsedMs > 0 ? made / (p.elapsedMs / 1000) : null;
}

/** ms left at the current rate, or null when there is no rate yet. */
export function progressEta(p: Pick<ProgressState, 'done' | 'total' | 'skipped' | 'elapsedMs'>): number | null {
  const rate = progressRate(p);
  if (p.done >= p.total) return 0;
  return rate === null ? null : ((p.total - p.done) / rate) * 1000;
}

function rateText(rate: number | null, unit: string): string {
  if (rate === null) return `- ${unit}s/s`;
  return rate >= 1 ? `${rate.toFixed(1)} ${unit}s/s` : `${(1 / rate).toFixed(1)} s/${unit}`;
}

/** "120/500 (24.0%) elapsed 1:02, 1.9 runs/s, ETA 3:20, acc 61.2%" (`unit`: what is counted, singular). */
export function formatProgress(p: ProgressState, unit = 'run'): string {
  const pct = p.total === 0 ? 100 : (100 * p.done) / p.total;
  const eta = progressEta(p);
  const parts = [
    `${p.done}/${p.total} (${pct.toFixed(1)}%)`,
    `elapsed ${formatDuration(p.elapsedMs)}`,
    rateText(progressRate(p), unit),
    `ETA ${eta === null ? '-' : formatDuration(eta)}`,
  ];
  if (p.skipped > 0) parts.push(`${p.skipped} resumed`);
  if (p.metric !== null) parts.push(p.metric);
  return parts.join(', ');
}

export interface ProgressSink {
  isTTY?: boolean;
  write(text: string): unknown;
}

/** Prints ProgressState updates to a stream (see the header); `end()` clears a terminal's line. */
export class ProgressLine {
  private lastTenth = -1;
  private lastLog = -Infinity;
  private shown = false;

  constructor(
    private readonly stream: ProgressSink,
    private readonly opts: { label?: string; unit?: string; logEveryMs?: number; now?: () => number } = {},
  ) {}

  update(p: ProgressState): void {
    const label = this.opts.label ? `${this.opts.label} ` : '';
    if (this.stream.isTTY) {
      const detail = p.detail ? ` | ${p.detail}` : '';
      this.stream.write(`\r${label}${formatProgress(p, this.opts.unit)}${detail}\x1b[K`);
      this.shown = true;
      return;
    }
    const now = (this.opts.now ?? Date.now)();
    const tenth = p.total === 0 ? 10 : Math.floor((10 * p.done) / p.total);
    const due = now - this.lastLog >= (this.opts.logEveryMs ?? 60_000);
    if (tenth > this.lastTenth || p.done === p.total || (due && p.detail === null)) {
      this.lastTenth = tenth;
      this.lastLog = now;
      this.stream.write(`${label}${formatProgress(p, this.opts.unit)}\n`);
    }
  }

  end(): void {
    if (this.stream.isTTY && this.shown) this.stream.write('\r\x1b[K');
    this.shown = false;
  }
}
