/**
 * The one progress display of long CLI work (laser compile, run, eval, eval merge, world generate),
 * on stderr:
 * - on a terminal, a bar (cli-progress) with done/total, percent, elapsed time, rate, ETA, the
 *   running metric and the current item, redrawn in place;
 * - elsewhere (a Slurm log, a pipe) a full line at every `logEveryPercent` of the work (5 %) and at
 *   most once per `logEveryMs` between them, so a log shows the run is alive without filling up;
 * - `--json`: one JSON object per event (`{"event":"progress","task":…,"done":…,…,"data":<the
 *   engine's own event>}`), for scripts and cluster logs;
 * - `--quiet`: nothing.
 *
 * The rate counts only the work done by this process: rows kept from an interrupted run (`skipped`)
 * count as done but not in the rate, so the ETA of a resumed run is not flattered by them.
 */
import { Option, type Command } from 'commander';
import { SingleBar } from 'cli-progress';
import type { CompileProgress } from '../common/contract/methods.ts';

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

/** 1.5e9 → "1.50 GB", 2.5e6 → "2.5 MB". */
export function formatBytes(bytes: number): string {
  return bytes >= 1e9 ? `${(bytes / 1e9).toFixed(2)} GB` : `${(bytes / 1e6).toFixed(1)} MB`;
}

function rateText(rate: number | null, unit: string): string {
  if (unit === 'byte') return rate === null ? '- MB/s' : `${(rate / 1e6).toFixed(0)} MB/s`;
  if (rate === null) return `- ${unit}s/s`;
  return rate >= 1 ? `${rate.toFixed(1)} ${unit}s/s` : `${(1 / rate).toFixed(1)} s/${unit}`;
}

/**
 * "120/500 (24.0%), elapsed 1:02, 1.9 runs/s, ETA 3:20, acc 61.2%" (`unit`: what is counted,
 * singular; 'byte' shows sizes and MB/s: "1.20 GB / 2.40 GB (50.0%), elapsed 0:04, 300 MB/s, …").
 */
export function formatProgress(p: ProgressState, unit = 'run'): string {
  const pct = p.total === 0 ? 100 : (100 * p.done) / p.total;
  const eta = progressEta(p);
  const count = unit === 'byte' ? `${formatBytes(p.done)} / ${formatBytes(p.total)}` : `${p.done}/${p.total}`;
  const parts = [
    `${count} (${pct.toFixed(1)}%)`,
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
  columns?: number;
  write(text: string): unknown;
}

export type ProgressMode = 'bar' | 'lines' | 'json' | 'quiet';

/** `--quiet` and `--json`, as the commands with long work take them. */
export interface ProgressFlags {
  quiet?: boolean;
  json?: boolean;
}

/** --quiet, then --json, then a bar on a terminal, else lines. */
export function progressMode(stream: ProgressSink, flags: ProgressFlags = {}): ProgressMode {
  if (flags.quiet) return 'quiet';
  if (flags.json) return 'json';
  return stream.isTTY ? 'bar' : 'lines';
}

/** `--quiet` and `--json` on a command with long work. */
export function addProgressOptions(cmd: Command): Command {
  return cmd
    .addOption(new Option('--quiet', 'no progress on stderr (results and errors still print)').conflicts('json'))
    .option('--json', 'progress on stderr as JSON lines, one per event, for scripts and cluster logs');
}

export interface ProgressDisplayOptions {
  /** What the work is: "runs", "compile weights", "scenes"; the JSON lines' `task`. */
  label?: string;
  /** What is counted, singular ('byte': sizes and MB/s). */
  unit?: string;
  mode?: ProgressMode;
  logEveryPercent?: number;
  logEveryMs?: number;
  now?: () => number;
  /** Bar mode: leave the finished bar on screen (a stage that is over) instead of clearing it. */
  keep?: boolean;
}

/** Shows ProgressState updates in its mode (see the header); `end()` takes a terminal's bar away. */
export class ProgressDisplay {
  private lastStep = -1;
  private lastLog = -Infinity;
  private bar: SingleBar | null = null;
  readonly mode: ProgressMode;

  constructor(
    private readonly stream: ProgressSink,
    private readonly opts: ProgressDisplayOptions = {},
  ) {
    this.mode = opts.mode ?? progressMode(stream);
  }

  /** `data`: the engine's own event behind this update, carried in the JSON line. */
  update(p: ProgressState, data?: unknown): void {
    const label = this.opts.label ?? '';
    if (this.mode === 'quiet') return;
    if (this.mode === 'json') {
      const rate = progressRate(p);
      const eta = progressEta(p);
      this.stream.write(
        `${JSON.stringify({ event: 'progress', task: label, done: p.done, total: p.total, skipped: p.skipped, elapsedMs: Math.round(p.elapsedMs), rate, etaMs: eta === null ? null : Math.round(eta), metric: p.metric, detail: p.detail, ...(data === undefined ? {} : { data }) })}\n`,
      );
      return;
    }
    if (this.mode === 'bar') {
      const payload = { label: label ? `${label} ` : '', text: formatProgress(p, this.opts.unit), detail: p.detail ? ` | ${p.detail}` : '' };
      if (!this.bar) {
        this.bar = new SingleBar({
          stream: this.stream as NodeJS.WritableStream,
          format: '{label}{bar} {text}{detail}',
          barsize: 24,
          hideCursor: false,
          clearOnComplete: !this.opts.keep,
          linewrap: false,
          fps: 10,
          barCompleteChar: '#',
          barIncompleteChar: '-',
        });
        this.bar.start(Math.max(p.total, 1), Math.min(p.done, Math.max(p.total, 1)), payload);
      } else {
        this.bar.setTotal(Math.max(p.total, 1));
        this.bar.update(Math.min(p.done, Math.max(p.total, 1)), payload);
      }
      return;
    }
    const now = (this.opts.now ?? Date.now)();
    const every = this.opts.logEveryPercent ?? 5;
    const step = p.total === 0 ? Infinity : Math.floor((100 * p.done) / p.total / every);
    const due = now - this.lastLog >= (this.opts.logEveryMs ?? 60_000);
    if (step > this.lastStep || p.done === p.total || (due && p.detail === null)) {
      this.lastStep = step;
      this.lastLog = now;
      this.stream.write(`${label ? `${label} ` : ''}${formatProgress(p, this.opts.unit)}${p.detail ? ` | ${p.detail}` : ''}\n`);
    }
  }

  /** A line of its own (a note, a warning) that the bar must not draw over. */
  note(line: string): void {
    if (this.mode === 'json') {
      this.stream.write(`${JSON.stringify({ event: 'note', task: this.opts.label ?? '', text: line })}\n`);
      return;
    }
    const bar = this.bar;
    if (bar) {
      bar.stop();
      this.bar = null;
    }
    this.stream.write(`${line}\n`);
  }

  end(): void {
    if (this.bar) {
      this.bar.stop();
      this.bar = null;
    }
  }
}

/** The progress display of a compile: one bar or log per stage (weights, then hashing), in bytes, with the tensors as the current item. */
export function compileProgressDisplay(stream: ProgressSink, flags: ProgressFlags = {}): { update(p: CompileProgress): void; end(): void } {
  const mode = progressMode(stream, flags);
  let stage: CompileProgress['stage'] | null = null;
  let display: ProgressDisplay | null = null;
  let started = Date.now();
  return {
    update(p) {
      if (p.stage !== stage) {
        display?.end();
        stage = p.stage;
        started = Date.now();
        display = new ProgressDisplay(stream, { label: `compile ${p.stage}`, unit: 'byte', mode, keep: true });
      }
      const detail = p.stage === 'weights' ? `${p.tensorsDone}/${p.tensorsTotal} tensors` : null;
      display!.update({ done: p.bytesDone, total: p.bytesTotal, skipped: 0, elapsedMs: Date.now() - started, metric: null, detail }, p);
    },
    end() {
      display?.end();
      display = null;
    },
  };
}
