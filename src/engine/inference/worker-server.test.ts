import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WorkbenchError } from '../../common/contract/errors.ts';
import { reportUnexpected } from '../library/crash-log.ts';
import type { FromWorker, OpName, ToWorker } from './protocol.ts';
import type { Ops } from './worker-ops.ts';
import { serveInference } from './worker-server.ts';

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'laser-worker-server-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

/** Ops where release throws a bug, compile a WorkbenchError, and closeAll answers. */
const ops = {
  release: async () => {
    throw new TypeError("Cannot read properties of undefined (reading 'dims')");
  },
  compile: async () => {
    throw new WorkbenchError('invalid-checkpoint', 'x: no config.json', 'Download it too.');
  },
  closeAll: async () => ({ closed: 0 }),
} as unknown as Ops;

function worker() {
  const sent: FromWorker[] = [];
  let listener: (m: ToWorker) => void = () => {};
  serveInference({ postMessage: (m) => sent.push(m), on: (_e, l) => (listener = l) }, ops, { onUnexpected: reportUnexpected('inference worker', { LASER_DATA_DIR: tmp }) });
  return { sent, call: (id: number, op: OpName) => listener({ type: 'call', id, op, args: {} }) };
}

describe('serveInference error boundary', () => {
  it('answers a thrown bug with an internal error naming the crash log, and goes on serving', async () => {
    const w = worker();
    w.call(1, 'release');
    await expect.poll(() => w.sent.length).toBe(1);
    const reply = w.sent[0] as Extract<FromWorker, { type: 'error' }>;
    expect(reply).toMatchObject({ type: 'error', id: 1, error: { code: 'internal', hint: expect.stringMatching(/^This is a bug/) } });
    const m = /^Unexpected error in inference release: TypeError: Cannot read properties of undefined \(reading 'dims'\) \(full trace in (\S+)\)$/.exec(reply.error.message);
    expect(m).not.toBeNull();
    expect(m![1].startsWith(join(tmp, 'logs'))).toBe(true);
    expect(await readFile(m![1], 'utf8')).toMatch(/host: inference worker; call: inference release\n[\s\S]*TypeError: Cannot read properties[^\n]*\n\s+at /);
    w.call(2, 'closeAll');
    await expect.poll(() => w.sent.length).toBe(2);
    expect(w.sent[1]).toEqual({ type: 'result', id: 2, result: { closed: 0 } });
  });

  it('passes a WorkbenchError through as it is, with no crash log', async () => {
    const w = worker();
    w.call(3, 'compile');
    await expect.poll(() => w.sent.length).toBe(1);
    expect(w.sent[0]).toEqual({ type: 'error', id: 3, error: { code: 'invalid-checkpoint', message: 'x: no config.json', hint: 'Download it too.' } });
  });
});
