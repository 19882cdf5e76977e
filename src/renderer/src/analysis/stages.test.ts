import { describe, expect, it } from 'vitest';
import { advance, noProgress, progressText, stageLabel, timingRows } from './stages.ts';

describe('run stages', () => {
  it('lists stages as they start and closes the earlier ones', () => {
    let s = advance(noProgress, { stage: 'load-model', step: 0, total: 1 });
    s = advance(s, { stage: 'query-pass', step: 0, total: 1 });
    expect(s.stages.map((x) => [x.stage, x.done])).toEqual([
      ['load-model', true],
      ['query-pass', false],
    ]);
    expect(progressText(s)).toBe('Query pass');
  });

  it('counts decoded tokens', () => {
    let s = advance(noProgress, { stage: 'decode', step: 3, total: 16 });
    expect(progressText(s)).toBe('Decode 3 / 16');
    s = advance(s, { stage: 'decode', step: 16, total: 16 });
    expect(s.stages[0].done).toBe(true);
  });

  it('drops the queued state once the run starts, and shows a compile first', () => {
    let s = advance(noProgress, { stage: 'queued', step: 0, total: 1 });
    expect(progressText(s)).toBe('Waiting for another run');
    s = advance(s, { stage: 'load-model', compile: { stage: 'weights', tensorsDone: 1, tensorsTotal: 4, bytesDone: 1, bytesTotal: 4 } });
    expect(s.compile?.tensorsDone).toBe(1);
    s = advance(s, { stage: 'load-model', step: 0, total: 1 });
    expect(s.stages.map((x) => x.stage)).toEqual(['load-model']);
    expect(s.compile).toBeNull();
    expect(progressText({ stages: [], compile: { stage: 'hashing', tensorsDone: 0, tensorsTotal: 0, bytesDone: 0, bytesTotal: 1 } })).toBe(
      'Compiling the model',
    );
  });

  it('names stages in words and keeps an unknown one as it is', () => {
    expect(stageLabel('no-query-pass')).toBe('No-query pass');
    expect(stageLabel('warp-drive')).toBe('warp-drive');
  });

  it('lays out timings in run order with their share of the total', () => {
    const { rows, total } = timingRows({ decode: 50, 'warp-drive': 5, 'query-pass': 30, 'load-model': 10, total: 100 });
    expect(total).toBe(100);
    expect(rows.map((r) => r.stage)).toEqual(['load-model', 'query-pass', 'decode', 'warp-drive']);
    expect(rows[2]).toMatchObject({ label: 'Decode', ms: 50, share: 0.5 });
  });

  it('sums the stages when no total was recorded', () => {
    expect(timingRows({ crop: 1, mask: 3 }).total).toBe(4);
  });
});
