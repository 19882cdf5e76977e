import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { reportUnexpected } from '../library/crash-log.ts';
import { cancelledError } from '../../common/contract/errors.ts';
import { HostMessage } from '../../common/contract/wire.ts';
import type { Ops } from './worker-ops.ts';
import { serveInference, type PortLike } from './worker-server.ts';
import { present } from '../../../test/support/index-access.ts';

/** A port whose every outgoing message must be a contract wire message. */
function port() {
  const sent: HostMessage[] = [];
  let listener: (m: unknown) => void = () => undefined;
  const p: PortLike = {
    postMessage: (m) => sent.push(HostMessage.parse(m) as HostMessage),
    on: (_e, l) => (listener = l),
  };
  return { p, sent, send: (m: unknown) => listener(m), settled: () => new Promise((r) => setTimeout(r, 10)) };
}

const ops = {
  compile: async (_args, ctx) => {
    ctx.progress({ stage: 'weights', tensorsDone: 1, tensorsTotal: 2, bytesDone: 10, bytesTotal: 20 });
    return { dir: '/b' };
  },
  demo: async () => ({ dir: '/d', compiled: false }),
  run: (_args, ctx) => new Promise((_, reject) => ctx.signal.addEventListener('abort', () => reject(cancelledError()))),
  release: async () => ({ released: true }),
  closeAll: async () => ({ closed: 0 }),
} satisfies Ops;

describe('the inference worker speaks the contract wire protocol', () => {
  it('answers a call with progress and one result', async () => {
    const w = port();
    serveInference(w.p, ops);
    w.send({ type: 'call', id: 1, method: 'compile', request: { source: '/ckpt', target: '/b' } });
    await w.settled();
    expect(w.sent).toEqual([
      { type: 'progress', id: 1, progress: { stage: 'weights', tensorsDone: 1, tensorsTotal: 2, bytesDone: 10, bytesTotal: 20 } },
      { type: 'result', id: 1, response: { dir: '/b' } },
    ]);
  });

  it('checks arguments against the op table before the op runs, and names unknown ops, as the app host does', async () => {
    const w = port();
    serveInference(w.p, ops);
    w.send({ type: 'call', id: 2, method: 'compile', request: { source: '/ckpt' } });
    w.send({ type: 'call', id: 3, method: 'format-disk', request: {} });
    w.send({ op: 'compile' });
    await w.settled();
    const byId = (id: number | null) => w.sent.find((m) => m.id === id);
    expect(byId(2)).toMatchObject({
      type: 'error',
      id: 2,
      error: { code: 'bad-request', message: expect.stringMatching(/^Invalid request for compile: target: /) },
    });
    expect(byId(3)).toMatchObject({
      type: 'error',
      id: 3,
      error: { code: 'unknown-method', message: 'Unknown method "format-disk".', hint: 'Known methods: compile, demo, run, release, closeAll.' },
    });
    expect(byId(null)).toMatchObject({ type: 'error', id: null, error: { code: 'bad-request' } });
  });

  it('a cancel stops the call, which answers cancelled', async () => {
    const w = port();
    const server = serveInference(w.p, ops);
    w.send({
      type: 'call',
      id: 4,
      method: 'run',
      request: { bundleDir: '/b', imagePath: '/i.png', question: 'q', method: 'vanilla', knobs: {}, cacheDir: null },
    });
    await w.settled();
    expect(server.inFlight).toBe(1);
    w.send({ type: 'cancel', id: 4 });
    await w.settled();
    expect(w.sent).toEqual([{ type: 'error', id: 4, error: expect.objectContaining({ code: 'cancelled' }) }]);
    expect(server.inFlight).toBe(0);
  });

  it('a thrown bug answers its call with an internal error naming a crash log, and the worker goes on serving', async () => {
    const tmp = await mkdtemp(join(tmpdir(), 'laser-worker-crash-'));
    try {
      const w = port();
      const buggy = { ...ops, release: async () => (undefined as unknown as { dims: number }).dims } as unknown as Ops;
      serveInference(w.p, buggy, { onUnexpected: reportUnexpected('inference worker', { LASER_DATA_DIR: tmp }) });
      w.send({ type: 'call', id: 5, method: 'release', request: { dir: '/b' } });
      await expect.poll(() => w.sent.length).toBe(1);
      const reply = w.sent[0] as Extract<HostMessage, { type: 'error' }>;
      expect(reply).toMatchObject({ type: 'error', id: 5, error: { code: 'internal', hint: expect.stringMatching(/^This is a bug/) } });
      const log = present(/\(full trace in (\S+)\)$/.exec(reply.error.message)?.[1], 'a "(full trace in <file>)" note in the message');

      expect(log.startsWith(join(tmp, 'logs'))).toBe(true);
      expect(await readFile(log, 'utf8')).toMatch(/TypeError: Cannot read properties of undefined/);
      w.send({ type: 'call', id: 6, method: 'closeAll', request: {} });
      await expect.poll(() => w.sent.length).toBe(2);
      expect(w.sent[1]).toEqual({ type: 'result', id: 6, response: { closed: 0 } });
    } finally {
      await rm(tmp, { recursive: true, force: true });
    }
  });
});
