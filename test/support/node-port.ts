/** A Node MessagePort seen as the MessagePortMain face src/main is written against (Electron cannot run in tests). */
import type { MessagePort } from 'node:worker_threads';
import type { PortLike } from '../../src/main/engine-protocol.ts';

export function asPortLike(port: MessagePort): PortLike {
  return {
    postMessage: (m: unknown) => port.postMessage(m),
    on: ((event: 'message' | 'close', listener: (e?: { data: unknown }) => void) =>
      event === 'message' ? port.on('message', (data) => listener({ data })) : port.on('close', () => listener())) as PortLike['on'],
    start: () => port.start(),
    close: () => port.close(),
  };
}
