/**
 * One WebSocket connection speaking the wire protocol: JSON text frames in, JSON text frames out.
 * All validation and dispatch happen in the contract's wire host; this only moves frames.
 */
import { WebSocket } from 'ws';
import type { RawData } from 'ws';
import { createWireHost } from '../common/contract/host.ts';
import type { Handlers } from '../common/contract/host.ts';

/** Requests carry paths and small options; anything near this size is not ours. */
export const maxFrameBytes = 1024 * 1024;

export function serveWireProtocol(socket: WebSocket, handlers: Handlers): void {
  const host = createWireHost(handlers, (message) => {
    if (socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(message));
  });
  socket.on('message', (data, isBinary) => {
    if (isBinary) {
      socket.close(1003, 'The API speaks JSON text frames only.');
      return;
    }
    let message: unknown;
    try {
      message = JSON.parse(frameText(data));
    } catch {
      socket.close(1007, 'A frame was not valid JSON.');
      return;
    }
    host.receive(message);
  });
  // A protocol violation (an oversized frame, bad UTF-8) arrives here before ws closes the socket;
  // without a listener it would be thrown and take the whole server down.
  socket.on('error', () => socket.terminate());
  // The peer is gone: nobody will read the answers of calls still running, so stop them.
  socket.on('close', () => host.close());
}

function frameText(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return (Buffer.isBuffer(data) ? data : Buffer.from(data)).toString('utf8');
}
