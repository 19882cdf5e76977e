import { describe, expect, it } from 'vitest';
import { checkOutgoing } from './outgoing.ts';
import { createPortRelay } from './port-relay.ts';
import type { RendererPort } from './port-relay.ts';

function fakePort() {
  const posted: unknown[] = [];
  const port: RendererPort & { posted: unknown[]; closed: boolean; reply(m: unknown): void } = {
    posted,
    closed: false,
    onmessage: null,
    postMessage: (m) => posted.push(m),
    close() {
      this.closed = true;
    },
    reply(m) {
      this.onmessage?.({ data: m });
    },
  };
  return port;
}

const call = (id: number, method = 'library.recent') => ({ type: 'call', id, method, request: {} });
const lostError = { code: 'internal' as const, message: 'The engine process stopped unexpectedly.', hint: 'It has been restarted.' };

describe('checkOutgoing', () => {
  it('passes calls of contract methods and cancels', () => {
    expect(checkOutgoing(call(1))).toEqual(call(1));
    expect(checkOutgoing({ type: 'cancel', id: 3 })).toEqual({ type: 'cancel', id: 3 });
  });

  it('refuses unknown methods, including inherited property names', () => {
    expect(() => checkOutgoing(call(1, 'fs.readFile'))).toThrow(/unknown method "fs.readFile"/);
    expect(() => checkOutgoing(call(1, 'constructor'))).toThrow(/unknown method/);
    expect(() => checkOutgoing(call(1, '__proto__'))).toThrow(/unknown method/);
  });

  it('refuses anything that is not a call or a cancel of the protocol', () => {
    for (const bad of [
      null,
      'call',
      { type: 'result', id: 1, response: {} },
      { type: 'call', id: -1, method: 'host.info' },
      { type: 'call', id: 1.5, method: 'host.info' },
    ]) {
      expect(() => checkOutgoing(bad), JSON.stringify(bad)).toThrow(/Refused/);
    }
  });

  it('drops fields the protocol does not know', () => {
    expect(checkOutgoing({ ...call(1), extra: 'x' })).not.toHaveProperty('extra');
  });
});

describe('port relay', () => {
  it('queues messages until the port arrives, then sends them in order', () => {
    const relay = createPortRelay();
    relay.send(call(1));
    relay.send({ type: 'cancel', id: 1 });
    const port = fakePort();
    relay.attach(port);
    expect(port.posted).toEqual([call(1), { type: 'cancel', id: 1 }]);
    relay.send(call(2));
    expect(port.posted).toHaveLength(3);
  });

  it('never posts a message that failed the check', () => {
    const relay = createPortRelay();
    const port = fakePort();
    relay.attach(port);
    expect(() => relay.send(call(1, 'nope'))).toThrow();
    expect(port.posted).toEqual([]);
  });

  it('hands host messages to every listener until it unsubscribes', () => {
    const relay = createPortRelay();
    const port = fakePort();
    relay.attach(port);
    const got: unknown[] = [];
    const off = relay.onMessage((m) => got.push(m));
    port.reply({ type: 'progress', id: 1, progress: {} });
    off();
    port.reply({ type: 'result', id: 1, response: [] });
    expect(got).toEqual([{ type: 'progress', id: 1, progress: {} }]);
  });

  it('fails only the unanswered calls when the engine is lost, and closes the dead port', () => {
    const relay = createPortRelay();
    const port = fakePort();
    relay.attach(port);
    const got: unknown[] = [];
    relay.onMessage((m) => got.push(m));
    relay.send(call(1));
    relay.send(call(2));
    port.reply({ type: 'result', id: 1, response: [] });
    relay.lost(lostError);
    expect(got).toEqual([
      { type: 'result', id: 1, response: [] },
      { type: 'error', id: 2, error: lostError },
    ]);
    expect(port.closed).toBe(true);
  });

  it('queues calls made while the engine restarts and sends them on the new port', () => {
    const relay = createPortRelay();
    relay.attach(fakePort());
    relay.lost(lostError);
    relay.send(call(5));
    const fresh = fakePort();
    relay.attach(fresh);
    expect(fresh.posted).toEqual([call(5)]);
  });

  it('fails calls left on a port that is replaced without warning', () => {
    const relay = createPortRelay();
    relay.attach(fakePort());
    const got: { type: string; id: number }[] = [];
    relay.onMessage((m) => got.push(m as { type: string; id: number }));
    relay.send(call(9));
    relay.attach(fakePort());
    expect(got).toMatchObject([{ type: 'error', id: 9 }]);
  });
});
