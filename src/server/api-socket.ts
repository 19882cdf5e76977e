/**
 * One WebSocket connection speaking the wire protocol: JSON text frames in, JSON text frames out.
 * All validation and dispatch happen in the contract's wire host; this only moves frames, and turns
 * a frame it cannot read (binary, too large, not JSON) into a typed error reply on the same
 * connection, so a client's call is refused rather than left waiting.
 */
import { WebSocket } from 'ws';
import type { RawData } from 'ws';
import { createWireHost } from '../common/contract/host.ts';
import type { Handlers, WireHostOptions } from '../common/contract/host.ts';
import { peekMessageId, wireLimits } from '../common/contract/wire.ts';
import type { HostMessage } from '../common/contract/wire.ts';
import { jsonSyntaxReason } from '../engine/library/json-errors.ts';

/** The largest frame that is read and answered; see `wireLimits`. */
export const maxFrameBytes = wireLimits.maxMessageBytes;

/**
 * The largest frame ws accepts at all. Frames between `maxFrameBytes` and this are answered with a
 * `too-large` error and the connection stays open; beyond it ws closes the connection (1009) rather
 * than buffer more.
 */
export const hardFrameBytes = 8 * maxFrameBytes;

export function serveWireProtocol(socket: WebSocket, handlers: Handlers, options: WireHostOptions = {}): void {
  const send = (message: HostMessage) => {
    if (socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(message));
  };
  const host = createWireHost(handlers, send, options);
  socket.on('message', (data, isBinary) => {
    const bytes = frameBytes(data);
    if (isBinary) {
      send({ type: 'error', id: null, error: { code: 'bad-request', message: 'Refused a binary frame: the API speaks JSON text frames only.' } });
      return;
    }
    const text = bytes.toString('utf8');
    if (bytes.length > maxFrameBytes) {
      const message = `Refused a message of ${bytes.length} bytes: the limit is ${maxFrameBytes} bytes (1 MiB).`;
      send({
        type: 'error',
        id: peekMessageId(text),
        error: { code: 'too-large', message, hint: 'Requests carry paths and options, not data; send the file path instead.' },
      });
      return;
    }
    let message: unknown;
    try {
      message = JSON.parse(text);
    } catch (e) {
      const reason = jsonSyntaxReason(e);
      send({ type: 'error', id: peekMessageId(text), error: { code: 'bad-request', message: `Refused a frame that is not valid JSON (${reason}).` } });
      return;
    }
    host.receive(message);
  });
  // A protocol violation (a frame over the hard bound, bad UTF-8) arrives here before ws closes the
  // socket; without a listener it would be thrown and take the whole server down.
  socket.on('error', () => socket.terminate());
  // The peer is gone: nobody will read the answers of calls still running, so stop them.
  socket.on('close', () => host.close());
}

function frameBytes(data: RawData): Buffer {
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.isBuffer(data) ? data : Buffer.from(data);
}
