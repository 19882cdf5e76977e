import { describe, expect, it } from 'vitest';
import { WorkbenchError } from '../../../common/contract/errors.ts';
import type { MethodId } from '../../../common/laser/knobs.ts';
import { comparisonRow, formatBox, formatBoxShort, runInTurn, type Outcome } from './comparison.ts';
import { sampleResult } from './testing/sample-result.ts';

describe('run all six', () => {
  it('runs the methods one after another and goes on after a failure', async () => {
    const log: string[] = [];
    const seen: [MethodId, Outcome['status']][] = [];
    let running = 0;
    await runInTurn(
      ['vanilla', 'vicrop-rel', 'laser'],
      async (m) => {
        running++;
        log.push(`start ${m} (${running} running)`);
        await Promise.resolve();
        running--;
        if (m === 'vicrop-rel') throw new WorkbenchError('bad-request', 'Knob layer of vicrop-rel is 14; it must be below 4.', 'Change layer.');
        return sampleResult({ method: m });
      },
      new AbortController().signal,
      (m, o) => seen.push([m, o.status]),
    );
    expect(log).toEqual(['start vanilla (1 running)', 'start vicrop-rel (1 running)', 'start laser (1 running)']);
    expect(seen).toEqual([
      ['vanilla', 'running'],
      ['vanilla', 'ok'],
      ['vicrop-rel', 'running'],
      ['vicrop-rel', 'error'],
      ['laser', 'running'],
      ['laser', 'ok'],
    ]);
  });

  it('runs nothing more once cancelled', async () => {
    const controller = new AbortController();
    const started: MethodId[] = [];
    await runInTurn(
      ['vanilla', 'vcd', 'laser'],
      async (m) => {
        started.push(m);
        if (m === 'vcd') controller.abort();
        return sampleResult({ method: m });
      },
      controller.signal,
      () => {},
    );
    expect(started).toEqual(['vanilla', 'vcd']);
  });

  it('keeps the error of a failed method with its hint', async () => {
    const outcomes: Outcome[] = [];
    await runInTurn(
      ['laser'],
      () => Promise.reject(new WorkbenchError('missing-tokenizer', 'No tokenizer.', 'Compile it with tokenizer files.')),
      new AbortController().signal,
      (_m, o) => outcomes.push(o),
    );
    expect(outcomes[1]).toEqual({ status: 'error', error: { code: 'missing-tokenizer', message: 'No tokenizer.', hint: 'Compile it with tokenizer files.' } });
  });

  it('makes a row: answer, whether it differs from the baseline, layer, box and time', () => {
    expect(comparisonRow('laser', sampleResult())).toEqual({
      method: 'laser',
      answer: 'red',
      empty: false,
      changed: true,
      layer: '2',
      box: '0,0 → 112,100 (112 × 100)',
      boxShort: '112×100 @ 0,0',
      ms: 100,
      cached: false,
    });
    const vanilla = comparisonRow('vanilla', sampleResult({ method: 'vanilla', noMaps: true }));
    expect([vanilla.layer, vanilla.box]).toEqual(['—', '—']);
    expect(formatBox(null)).toBe('—');
    expect(formatBoxShort(null)).toBe('—');
    const silent = sampleResult();
    silent.record.answer = '';
    expect([comparisonRow('laser', silent).answer, comparisonRow('laser', silent).empty]).toEqual([
      '(no answer: the first token the model chose ended it)',
      true,
    ]);
  });
});
