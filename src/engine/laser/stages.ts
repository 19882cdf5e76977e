/**
 * Stages of a run: each is timed (the record's `timings`, ms), announced to the caller's progress
 * callback, and preceded by a cancellation check, so an aborted run stops at the next stage
 * boundary (decoding loops also check before every token).
 */
import type { LaserProgress as ContractLaserProgress } from '../../common/contract/methods.ts';
import { cancelledError } from '../../common/contract/errors.ts';
import type { MethodId } from '../../common/laser/index.ts';

export const STAGES = [
  'load-model',
  'read-image',
  'preprocess',
  'encode-images',
  'query-pass',
  'no-query-pass',
  'baseline-decode',
  'answer-vaq',
  'localise',
  'crop',
  'mask',
  'noise',
  'encode-views',
  'prefill-views',
  'decode',
  'write-record',
] as const;
export type Stage = (typeof STAGES)[number];

/**
 * The contract's LaserProgress (src/common/contract/methods.ts), as the orchestrator emits it: with
 * the method, one of its stages, and the step always set (tokens decoded so far for decode stages,
 * else 0 at the start and 1 at the end).
 */
export type LaserProgress = Omit<ContractLaserProgress, 'stage' | 'step' | 'total' | 'compile'> & {
  method: MethodId;
  stage: Stage;
  step: number;
  total: number;
};

export type ProgressSink = (p: LaserProgress) => void;

export class StageClock {
  /** Milliseconds per stage; a stage run twice adds up. */
  readonly timings: Partial<Record<Stage, number>> = {};
  private readonly started = performance.now();

  constructor(
    readonly method: MethodId,
    readonly signal: AbortSignal | undefined,
    private readonly onProgress: ProgressSink | undefined,
  ) {}

  checkAborted(): void {
    if (this.signal?.aborted) throw cancelledError();
  }

  report(stage: Stage, step: number, total: number): void {
    this.onProgress?.({ method: this.method, stage, step, total });
  }

  async run<T>(stage: Stage, work: () => Promise<T> | T): Promise<T> {
    this.checkAborted();
    this.report(stage, 0, 1);
    const t0 = performance.now();
    try {
      const out = await work();
      this.report(stage, 1, 1);
      return out;
    } finally {
      this.timings[stage] = (this.timings[stage] ?? 0) + (performance.now() - t0);
    }
  }

  /** Timings with `total`, the wall time since the clock started. */
  summary(): Record<string, number> {
    return { ...this.timings, total: performance.now() - this.started };
  }
}
