import { describe, expect, it } from 'vitest';
import { WorkbenchError } from '../../common/contract/errors.ts';
import { createWebSocketTransport } from './websocket.ts';
import type { SocketLike } from './websocket.ts';

class FakeSocket implements SocketLike {
  sent: unknown[] = [];
  closedByClient = false;
  onopen: (() => void) | null = null;
  onclose: (() => void) | null = null;
  onmessage: ((event: { data: unknown }) => void) | null = null;
  constructor(readonly url: string) {}
  send(data: string) {
    this.sent.push(JSON.parse(data));
  }
  close() {
    this.closedByClient = true;
  }
  reply(message: unknown) {
    this.onmessage?.({ data: JSON.stringify(message) });
  }
}

function setup() {
  const sockets: FakeSocket[] = [];
  const timers: { fn: () => void; ms: number; cleared: boolean }[] = [];
  const transport = createWebSocketTransport({
    location: { protocol: 'http:', host: '127.0.0.1:4321' },
    token: 'a b&c',
    openSocket: (url) => {
      const s = new FakeSocket(url);
      sockets.push(s);
      return s;
    },
    setTimer: (fn, ms) => {
      const t = { fn, ms, cleared: false };
      timers.push(t);
      return t;
    },
    clearTimer: (h) => {
      (h as { cleared: boolean }).cleared = true;
    },
    backoff: { initialMs: 100, maxMs: 400 },
  });
  return { transport, sockets, timers };
}

describe('WebSocket transport', () => {
  it('connects to /api on the page host with the token, escaped', () => {
    const { sockets } = setup();
    expect(sockets[0].url).toBe('ws://127.0.0.1:4321/api?token=a%20b%26c');
  });

  it('uses wss on an https page', () => {
    const urls: string[] = [];
    createWebSocketTransport({
      location: { protocol: 'https:', host: 'example.org' },
      token: 't',
      openSocket: (url) => {
        urls.push(url);
        return new FakeSocket(url);
      },
    }).close();
    expect(urls[0]).toBe('wss://example.org/api?token=t');
  });

  it('builds media URLs with the token', () => {
    const { transport } = setup();
    const url = transport.api.mediaUrl({ kind: 'thumbnail', path: '/x/a b.png', size: 256 });
    expect(url).toBe('/media?kind=thumbnail&path=%2Fx%2Fa+b.png&size=256&token=a%20b%26c');
  });

  it('holds calls made before the socket opens and sends them once it does', async () => {
    const { transport, sockets } = setup();
    const result = transport.api.call('library.recent', {});
    expect(sockets[0].sent).toEqual([]);
    sockets[0].onopen?.();
    expect(sockets[0].sent).toEqual([{ type: 'call', id: 1, method: 'library.recent', request: {} }]);
    sockets[0].reply({ type: 'result', id: 1, response: [] });
    await expect(result).resolves.toEqual([]);
    expect(transport.connection.get()).toEqual({ status: 'open' });
  });

  it('delivers progress events to the call that asked for them', async () => {
    const { transport, sockets } = setup();
    sockets[0].onopen?.();
    const seen: unknown[] = [];
    const done = transport.api.call('library.scan', { root: '/r' }, { onProgress: (p) => seen.push(p) });
    const progress = { entries: [], found: 3, broken: 1, directoriesVisited: 2 };
    sockets[0].reply({ type: 'progress', id: 1, progress });
    const summary = { root: '/r', found: 3, broken: 1, directoriesVisited: 2, warnings: [], elapsedMs: 5 };
    sockets[0].reply({ type: 'result', id: 1, response: summary });
    await expect(done).resolves.toEqual(summary);
    expect(seen).toEqual([progress]);
  });

  it('fails calls in flight with a clear error when the connection drops, then reconnects with backoff', async () => {
    const { transport, sockets, timers } = setup();
    sockets[0].onopen?.();
    const call = transport.api.call('library.recent', {});
    sockets[0].onclose?.();
    const error = await call.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WorkbenchError);
    expect((error as WorkbenchError).message).toMatch(/connection to the LASER server at 127\.0\.0\.1:4321 was lost/);
    expect((error as WorkbenchError).hint).toMatch(/laser serve/);
    expect(transport.connection.get()).toEqual({ status: 'reconnecting', attempt: 1, retryInMs: 100 });

    timers[0].fn();
    expect(sockets).toHaveLength(2);
    sockets[1].onclose?.(); // the server is still down
    expect(timers[1].ms).toBe(200);
    timers[1].fn();
    sockets[2].onopen?.();
    expect(transport.connection.get()).toEqual({ status: 'open' });

    // A later drop starts the backoff from the beginning again.
    sockets[2].onclose?.();
    expect(timers[2].ms).toBe(100);
  });

  it('fails calls waiting for a connection that cannot be made, saying so', async () => {
    const { transport, sockets } = setup();
    const call = transport.api.call('host.info', {});
    sockets[0].onclose?.();
    await expect(call).rejects.toThrow(/Could not connect to the LASER server/);
  });

  it('sends a cancel frame when a call is aborted', () => {
    const { transport, sockets } = setup();
    sockets[0].onopen?.();
    const controller = new AbortController();
    void transport.api.call('library.scan', { root: '/r' }, { signal: controller.signal }).catch(() => {});
    controller.abort();
    expect(sockets[0].sent.at(-1)).toEqual({ type: 'cancel', id: 1 });
  });

  it('ignores frames that are not JSON', async () => {
    const { transport, sockets } = setup();
    sockets[0].onopen?.();
    const call = transport.api.call('library.recent', {});
    sockets[0].onmessage?.({ data: 'not json {' });
    sockets[0].reply({ type: 'result', id: 1, response: [] });
    await expect(call).resolves.toEqual([]);
  });

  it('stops reconnecting once closed', () => {
    const { transport, sockets, timers } = setup();
    sockets[0].onopen?.();
    sockets[0].onclose?.();
    transport.close();
    expect(timers[0].cleared).toBe(true);
  });
});
