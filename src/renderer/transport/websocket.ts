/**
 * The serve-mode transport: the wire protocol as JSON frames over one WebSocket, media as plain
 * HTTP URLs. Both carry the access token that `laser serve` printed in the page's URL.
 *
 * Calls made while the socket is not open wait for the attempt in progress. When the socket
 * closes, every call in flight fails with a clear error (the host cancels them on its side too),
 * and the transport reconnects with backoff.
 */
import { mediaQuery } from '../../common/contract/bridge.ts';
import { createApi } from '../../common/contract/client.ts';
import { WorkbenchError } from '../../common/contract/errors.ts';
import type { ClientMessage } from '../../common/contract/wire.ts';
import { backoffDelay, defaultBackoff } from './backoff.ts';
import type { BackoffOptions } from './backoff.ts';
import { connectionWatch } from './types.ts';
import type { Transport } from './types.ts';

/** The part of the browser's WebSocket that the transport uses, so tests can pass a fake. */
export interface SocketLike {
  send(data: string): void;
  close(): void;
  onopen: (() => void) | null;
  onclose: (() => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
}

export interface WebSocketTransportOptions {
  /** Page origin parts, from `location`. */
  location: { protocol: string; host: string };
  token: string;
  openSocket: (url: string) => SocketLike;
  /** Timers, injectable for tests. */
  setTimer?: (fn: () => void, ms: number) => unknown;
  clearTimer?: (handle: unknown) => void;
  backoff?: BackoffOptions;
}

export function apiSocketUrl(location: { protocol: string; host: string }, token: string): string {
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  return `${scheme}://${location.host}/api?token=${encodeURIComponent(token)}`;
}

export function httpMediaUrl(query: string, token: string): string {
  return `/media?${query}&token=${encodeURIComponent(token)}`;
}

function connectionLost(wasOpen: boolean, host: string): WorkbenchError {
  return wasOpen
    ? new WorkbenchError(
        'internal',
        `The connection to the LASER server at ${host} was lost before the call finished.`,
        'Check that `laser serve` is still running; the page reconnects by itself, then try again.',
      )
    : new WorkbenchError(
        'internal',
        `Could not connect to the LASER server at ${host}.`,
        'Check that `laser serve` is running and that this page was opened with the full URL it printed (it carries the access token).',
      );
}

export function createWebSocketTransport(options: WebSocketTransportOptions): Transport {
  const setTimer = options.setTimer ?? ((fn, ms) => setTimeout(fn, ms));
  const clearTimer = options.clearTimer ?? ((h) => clearTimeout(h as ReturnType<typeof setTimeout>));
  const backoff = options.backoff ?? defaultBackoff;
  const url = apiSocketUrl(options.location, options.token);
  const connection = connectionWatch({ status: 'connecting' });

  let socket: SocketLike | null = null;
  let open = false;
  let closed = false;
  let attempt = 0;
  let retryTimer: unknown = null;
  let receive: (message: unknown) => void = () => {};
  const queue: ClientMessage[] = [];

  const api = createApi(
    {
      send(message) {
        if (open && socket) socket.send(JSON.stringify(message));
        else if (!closed) queue.push(message);
      },
      onMessage(r) {
        receive = r;
      },
    },
    (ref) => httpMediaUrl(mediaQuery(ref), options.token),
  );

  function connect() {
    retryTimer = null;
    const s = options.openSocket(url);
    socket = s;
    s.onopen = () => {
      if (socket !== s) return;
      open = true;
      attempt = 0;
      connection.set({ status: 'open' });
      for (const message of queue.splice(0)) s.send(JSON.stringify(message));
    };
    s.onmessage = (event) => {
      if (socket !== s || typeof event.data !== 'string') return;
      let message: unknown;
      try {
        message = JSON.parse(event.data);
      } catch {
        return; // Not a protocol frame; createApi would drop it anyway.
      }
      receive(message);
    };
    s.onclose = () => {
      if (socket !== s) return;
      const wasOpen = open;
      open = false;
      socket = null;
      queue.length = 0;
      api.failAll(connectionLost(wasOpen, options.location.host));
      if (closed) return;
      const retryInMs = backoffDelay(attempt, backoff);
      attempt += 1;
      connection.set({ status: 'reconnecting', attempt, retryInMs });
      retryTimer = setTimer(connect, retryInMs);
    };
  }

  connect();

  return {
    api,
    pickFolder: null,
    connection,
    // A browser tab has no host menu; folders are opened from the page only.
    onOpenFolder: () => () => {},
    close() {
      closed = true;
      if (retryTimer !== null) clearTimer(retryTimer);
      const s = socket;
      socket = null;
      open = false;
      queue.length = 0;
      api.failAll(new WorkbenchError('cancelled', 'Cancelled: the page closed its connection.'));
      s?.close();
    },
  };
}
