import { describe, expect, it } from 'vitest';
import { field } from '../../../test/support/index-access.ts';
import { StageClock, type LaserProgress } from './stages.ts';

describe('StageClock', () => {
  it('announces each stage at its start and end and adds up its time', async () => {
    const seen: LaserProgress[] = [];
    const clock = new StageClock('laser', undefined, (p) => seen.push(p));
    await clock.run('query-pass', () => new Promise((r) => setTimeout(r, 5)));
    await clock.run('query-pass', () => 1);
    expect(seen.map((p) => `${p.stage} ${p.step}/${p.total}`)).toEqual(['query-pass 0/1', 'query-pass 1/1', 'query-pass 0/1', 'query-pass 1/1']);
    const t = clock.summary();
    expect(t['query-pass']).toBeGreaterThan(3);
    expect(t.total).toBeGreaterThanOrEqual(field(t, 'query-pass'));
  });

  it('refuses to start a stage once the signal is aborted', async () => {
    const ac = new AbortController();
    const clock = new StageClock('vanilla', ac.signal, undefined);
    ac.abort();
    let ran = false;
    await expect(clock.run('decode', () => (ran = true))).rejects.toMatchObject({ code: 'cancelled' });
    expect(ran).toBe(false);
  });
});
