import { describe, expect, it } from 'vitest';
import { cancelledError } from '../../common/contract/errors.ts';
import { HostMessage } from '../../common/contract/wire.ts';
import type { FromWorker } from './protocol.ts';
import type { Ops } from './worker-ops.ts';
import { serveInference, type PortLike } from './worker-server.ts';

/** A port whose every outgoing message must be a contract wire message. */
function port() {
  const sent: FromWorker[] = [];
  let listener: (m: unknown) => void = () => undefined;
  const p: PortLike = {
    postMessage: (m) => sent.push(HostMessage.parse(m) as FromWorker),
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

  it('checks arguments against the op table before the op runs, and names unknown ops', async () => {
    const w = port();
    serveInference(w.p, ops);
    w.send({ type: 'call', id: 2, method: 'compile', request: { source: '/ckpt' } });
    w.send({ type: 'call', id: 3, method: 'format-disk', request: {} });
    w.send({ op: 'compile' });
    await w.settled();
    expect(w.sent[0]).toMatchObject({ type: 'error', id: 2, error: { code: 'internal', message: expect.stringMatching(/refused a compile call: target: /) } });
    expect(w.sent[1]).toMatchObject({ type: 'error', id: 3, error: { message: 'The inference worker has no operation "format-disk".' } });
    expect(w.sent[2]).toMatchObject({ type: 'error', id: null });
  });

  it('a cancel stops the call, which answers cancelled', async () => {
    const w = port();
    const server = serveInference(w.p, ops);
    w.send({ type: 'call', id: 4, method: 'run', request: { bundleDir: '/b', imagePath: '/i.png', question: 'q', method: 'vanilla', knobs: {}, cacheDir: null } });
    await w.settled();
    expect(server.inFlight).toBe(1);
    w.send({ type: 'cancel', id: 4 });
    await w.settled();
    expect(w.sent).toEqual([{ type: 'error', id: 4, error: expect.objectContaining({ code: 'cancelled' }) }]);
    expect(server.inFlight).toBe(0);
  });
});
