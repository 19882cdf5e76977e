import { afterEach, describe, expect, it, vi } from 'vitest';
import type { CompileProgress } from '../../common/contract/methods.ts';
import { throttleCompileProgress } from './worker-ops.ts';
import { first } from '../../../test/support/index-access.ts';

afterEach(() => {
  vi.useRealTimers();
});

const weights = (done: number, total = 10): CompileProgress => ({
  stage: 'weights',
  tensorsDone: done,
  tensorsTotal: total,
  bytesDone: done * 100,
  bytesTotal: total * 100,
});

describe('throttleCompileProgress', () => {
  it('passes the first event, the last of each phase and one per interval between', () => {
    vi.useFakeTimers();
    const sent: CompileProgress[] = [];
    const send = throttleCompileProgress((p) => sent.push(p), 100);
    for (let i = 0; i <= 10; i++) send(weights(i));
    expect(sent.map((p) => p.tensorsDone)).toEqual([0, 10]);
    expect(first(sent).stage).toBe('weights');

    vi.advanceTimersByTime(100);
    send({ stage: 'hashing', tensorsDone: 10, tensorsTotal: 10, bytesDone: 0, bytesTotal: 50 });
    send({ stage: 'hashing', tensorsDone: 10, tensorsTotal: 10, bytesDone: 20, bytesTotal: 50 });
    vi.advanceTimersByTime(100);
    send({ stage: 'hashing', tensorsDone: 10, tensorsTotal: 10, bytesDone: 40, bytesTotal: 50 });
    send({ stage: 'hashing', tensorsDone: 10, tensorsTotal: 10, bytesDone: 50, bytesTotal: 50 });
    expect(sent.slice(2).map((p) => p.bytesDone)).toEqual([0, 40, 50]);
  });
});
