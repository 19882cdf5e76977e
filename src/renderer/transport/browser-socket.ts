/** Adapts the browser's WebSocket to the small SocketLike face the transport is written against. */
import type { SocketLike } from './websocket.ts';

export function openBrowserSocket(url: string): SocketLike {
  const ws = new WebSocket(url);
  const socket: SocketLike = {
    send: (data) => ws.send(data),
    close: () => ws.close(),
    onopen: null,
    onclose: null,
    onmessage: null,
  };
  ws.onopen = () => socket.onopen?.();
  // A failed handshake fires error then close; close alone is enough to drive reconnection.
  ws.onclose = () => socket.onclose?.();
  ws.onmessage = (event) => socket.onmessage?.({ data: event.data });
  return socket;
}
