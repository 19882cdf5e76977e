/**
 * The client side of the contract. The renderer holds an `Api`; it never knows which transport
 * carries it. A transport is a message channel plus a way to turn a MediaRef into a URL.
 */
import { WorkbenchError } from './errors.ts';
import type { MediaRef, MethodName, ProgressOf, RequestOf, ResponseOf } from './methods.ts';
import { HostMessage } from './wire.ts';
import type { ClientMessage } from './wire.ts';

export interface CallOptions<M extends MethodName> {
  onProgress?: (event: ProgressOf<M>) => void;
  signal?: AbortSignal;
}

export interface Api {
  call<M extends MethodName>(method: M, request: RequestOf<M>, options?: CallOptions<M>): Promise<ResponseOf<M>>;
  mediaUrl(ref: MediaRef): string;
}

export interface MessageChannelLike {
  send(message: ClientMessage): void;
  /** Registers the single receiver of host messages. */
  onMessage(receive: (message: unknown) => void): void;
}

export function createApi(channel: MessageChannelLike, mediaUrl: (ref: MediaRef) => string): Api & { failAll(reason: WorkbenchError): void } {
  let nextId = 1;
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: unknown) => void; onProgress?: (p: never) => void }>();

  channel.onMessage((raw) => {
    const parsed = HostMessage.safeParse(raw);
    if (!parsed.success) return;
    const msg = parsed.data;
    // An error with no id answers a message the host could not read; no call of ours is waiting on it.
    if (msg.id === null) return;
    const entry = pending.get(msg.id);
    if (!entry) return;
    if (msg.type === 'progress') {
      entry.onProgress?.(msg.progress as never);
      return;
    }
    pending.delete(msg.id);
    if (msg.type === 'result') entry.resolve(msg.response);
    else entry.reject(WorkbenchError.fromData(msg.error));
  });

  return {
    call<M extends MethodName>(method: M, request: RequestOf<M>, options: CallOptions<M> = {}): Promise<ResponseOf<M>> {
      const id = nextId++;
      return new Promise<ResponseOf<M>>((resolve, reject) => {
        if (options.signal?.aborted) {
          reject(new WorkbenchError('cancelled', 'Cancelled.'));
          return;
        }
        pending.set(id, { resolve: resolve as (v: unknown) => void, reject, onProgress: options.onProgress as ((p: never) => void) | undefined });
        options.signal?.addEventListener('abort', () => channel.send({ type: 'cancel', id }), { once: true });
        channel.send({ type: 'call', id, method, request });
      });
    },
    mediaUrl,
    failAll(reason: WorkbenchError) {
      for (const entry of pending.values()) entry.reject(reason);
      pending.clear();
    },
  };
}
