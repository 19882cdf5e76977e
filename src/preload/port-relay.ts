/**
 * The renderer's end of the engine port, kept by the preload. Messages sent before the port
 * arrives wait in a queue; when the engine dies (or the port is replaced) every call still waiting
 * for an answer gets an error message, so the renderer's client never waits forever.
 */
import { WorkbenchError } from '../common/contract/errors.ts';
import type { WorkbenchErrorData } from '../common/contract/errors.ts';
import type { ClientMessage } from '../common/contract/wire.ts';
import { checkOutgoing } from './outgoing.ts';

/** The part of a DOM MessagePort the relay uses; assigning onmessage starts the port. */
export interface RendererPort {
  postMessage(message: unknown): void;
  onmessage: ((event: { data: unknown }) => void) | null;
  close(): void;
}

export const maxQueued = 10_000;

const replacedError: WorkbenchErrorData = {
  code: 'internal',
  message: 'The connection to the engine was replaced while a call was in progress.',
  hint: 'Try again.',
};

export function createPortRelay() {
  let port: RendererPort | null = null;
  const queue: ClientMessage[] = [];
  const pending = new Set<number>();
  const listeners = new Set<(message: unknown) => void>();

  function deliver(message: unknown) {
    for (const listener of [...listeners]) listener(message);
  }

  function drop(error: WorkbenchErrorData) {
    if (port) {
      port.onmessage = null;
      port.close();
      port = null;
    }
    const ids = [...pending];
    pending.clear();
    for (const id of ids) deliver({ type: 'error', id, error });
  }

  return {
    attach(next: RendererPort): void {
      drop(replacedError);
      port = next;
      next.onmessage = (event) => {
        const data = event.data as { type?: unknown; id?: unknown } | null;
        if ((data?.type === 'result' || data?.type === 'error') && typeof data.id === 'number') pending.delete(data.id);
        deliver(event.data);
      };
      for (const message of queue.splice(0)) next.postMessage(message);
    },
    /** The engine is gone; a new port will follow when it has been restarted. */
    lost(error: WorkbenchErrorData): void {
      drop(error);
    },
    send(raw: unknown): void {
      const message = checkOutgoing(raw);
      if (port) {
        port.postMessage(message);
      } else if (queue.length >= maxQueued) {
        throw new WorkbenchError('too-large', 'Too many messages are waiting for the engine to start.', 'Wait a moment and try again.');
      } else {
        queue.push(message);
      }
      if (message.type === 'call') pending.add(message.id);
    },
    onMessage(listener: (message: unknown) => void): () => void {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
  };
}
