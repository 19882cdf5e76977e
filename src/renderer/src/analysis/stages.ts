/**
 * A run's stages as the panel shows them: names in words, in the order the engine runs them
 * (src/engine/laser/stages.ts), the progress events folded into a list of stages seen so far, and
 * the recorded timings laid out per stage.
 */
import type { CompileProgress, LaserProgress } from '../../../common/contract/methods.ts';

const STAGE_LABELS: Readonly<Record<string, string>> = {
  queued: 'Waiting for another run',
  'load-model': 'Load model',
  'read-image': 'Read image',
  preprocess: 'Preprocess',
  'encode-images': 'Encode image',
  'query-pass': 'Query pass',
  'no-query-pass': 'No-query pass',
  'baseline-decode': 'Baseline decode',
  'answer-vaq': 'VAQ over the answer',
  localise: 'Localise',
  crop: 'Crop',
  mask: 'Mask',
  noise: 'Noise',
  'encode-views': 'Encode views',
  'prefill-views': 'Prefill views',
  decode: 'Decode',
  'write-record': 'Write record',
};
const ORDER = Object.keys(STAGE_LABELS);

export function stageLabel(stage: string): string {
  return STAGE_LABELS[stage] ?? stage;
}

export interface StageState {
  stage: string;
  step: number;
  total: number;
  done: boolean;
}

export interface RunProgressState {
  stages: StageState[];
  compile: CompileProgress | null;
}

export const noProgress: RunProgressState = { stages: [], compile: null };

/** Folds one progress event in: a new stage closes the ones before it. */
export function advance(state: RunProgressState, p: LaserProgress): RunProgressState {
  if (p.compile) return { ...state, compile: p.compile };
  const step = p.step ?? 0;
  const total = p.total ?? 0;
  const done = total > 0 && step >= total;
  const i = state.stages.findIndex((s) => s.stage === p.stage);
  if (i >= 0) {
    const stages = state.stages.slice();
    stages[i] = { stage: p.stage, step, total, done };
    return { ...state, stages };
  }
  const stages = state.stages.map((s) => (s.done ? s : { ...s, done: true }));
  // 'queued' ends when the run starts.
  return { compile: null, stages: [...stages.filter((s) => s.stage !== 'queued'), { stage: p.stage, step, total, done }] };
}

/** The line under a running run: its current stage, with tokens for decoding. */
export function progressText(state: RunProgressState): string {
  if (state.compile && state.stages.length === 0) return 'Compiling the model';
  const current = [...state.stages].reverse().find((s) => !s.done) ?? state.stages[state.stages.length - 1];
  if (!current) return 'Starting';
  const count = current.total > 1 ? ` ${current.step} / ${current.total}` : '';
  return `${stageLabel(current.stage)}${count}`;
}

export interface TimingRow {
  stage: string;
  label: string;
  ms: number;
  /** Of the total, 0..1. */
  share: number;
}

/** Stages in run order (unknown ones after, as recorded), and the total; shares of the total. */
export function timingRows(timings: Record<string, number>): { rows: TimingRow[]; total: number } {
  const stages = Object.keys(timings).filter((k) => k !== 'total');
  const sum = stages.reduce((a, k) => a + timings[k], 0);
  const total = timings.total ?? sum;
  const rank = (s: string) => {
    const i = ORDER.indexOf(s);
    return i < 0 ? ORDER.length : i;
  };
  const rows = stages
    .map((stage, i) => ({ stage, i }))
    .sort((a, b) => rank(a.stage) - rank(b.stage) || a.i - b.i)
    .map(({ stage }) => ({ stage, label: stageLabel(stage), ms: timings[stage], share: total > 0 ? timings[stage] / total : 0 }));
  return { rows, total };
}
