/**
 * The client side of the contract. The renderer holds an `Api`; it never knows which transport
 * carries it. A transport is a message channel plus a way to turn a MediaRef into a URL.
 *
 * `createClient` is the same client for any table of methods (host.ts's `OpTable`): the inference
 * worker's client and the Electron main process's media port use it too, so a call, its progress,
 * its cancel and its failure when the peer dies behave the same on every transport.
 */
import type { z } from 'zod';
import { WorkbenchError, cancelledError } from './errors.ts';
import type { OpTable } from './host.ts';
import type { MediaRef, MethodName, Methods, ProgressOf, RequestOf, ResponseOf } from './methods.ts';
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
  /** Sends one message; may throw (the peer is gone), which fails the call at once. */
  send(message: ClientMessage): void;
  /** Registers the single receiver of host messages. */
  onMessage(receive: (message: unknown) => void): void;
}

export interface TableCallOptions<P> {
  onProgress?: (event: P) => void;
  signal?: AbortSignal;
}

export interface TableClient<T extends OpTable> {
  call<K extends keyof T & string>(
    method: K,
    request: z.input<T[K]['request']>,
    options?: TableCallOptions<z.output<T[K]['progress']>>,
  ): Promise<z.output<T[K]['response']>>;
  /** Fails every call in flight (the peer went away); `reason` may depend on the method. */
  failAll(reason: WorkbenchError | ((method: string) => WorkbenchError)): void;
  /** Calls waiting for their answer. */
  readonly inFlight: number;
}

export interface ClientOptions {
  /** Told the number of calls in flight whenever it changes (a worker host unrefs an idle worker). */
  onInFlightChange?: (count: number) => void;
}

interface Pending {
  method: string;
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
  onProgress?: (p: never) => void;
  detach: () => void;
}

export function createClient<T extends OpTable>(channel: MessageChannelLike, options: ClientOptions = {}): TableClient<T> {
  let nextId = 1;
  const pending = new Map<number, Pending>();

  function settle(id: number): Pending | undefined {
    const entry = pending.get(id);
    if (!entry) return undefined;
    pending.delete(id);
    entry.detach();
    options.onInFlightChange?.(pending.size);
    return entry;
  }

  channel.onMessage((raw) => {
    const parsed = HostMessage.safeParse(raw);
    if (!parsed.success) return;
    const msg = parsed.data;
    // An error with no id answers a message the host could not read; no call of ours is waiting on it.
    if (msg.id === null) return;
    if (msg.type === 'progress') {
      pending.get(msg.id)?.onProgress?.(msg.progress as never);
      return;
    }
    const entry = settle(msg.id);
    if (!entry) return;
    if (msg.type === 'result') entry.resolve(msg.response);
    else entry.reject(WorkbenchError.fromData(msg.error));
  });

  return {
    call(method, request, callOptions = {}) {
      const { signal, onProgress } = callOptions;
      if (signal?.aborted) return Promise.reject(cancelledError());
      const id = nextId++;
      return new Promise((resolve, reject) => {
        const onAbort = () => {
          try {
            channel.send({ type: 'cancel', id });
          } catch {
            // The peer is gone; its failure answers the call.
          }
        };
        signal?.addEventListener('abort', onAbort, { once: true });
        pending.set(id, {
          method,
          resolve: resolve as (v: unknown) => void,
          reject,
          onProgress: onProgress as ((p: never) => void) | undefined,
          detach: () => signal?.removeEventListener('abort', onAbort),
        });
        options.onInFlightChange?.(pending.size);
        try {
          channel.send({ type: 'call', id, method, request });
        } catch (e) {
          settle(id);
          reject(e);
        }
      });
    },
    failAll(reason) {
      for (const id of [...pending.keys()]) {
        const entry = settle(id)!;
        entry.reject(typeof reason === 'function' ? reason(entry.method) : reason);
      }
    },
    get inFlight() {
      return pending.size;
    },
  };
}

export function createApi(channel: MessageChannelLike, mediaUrl: (ref: MediaRef) => string): Api & { failAll(reason: WorkbenchError): void } {
  const client = createClient<Methods>(channel);
  return {
    call: (method, request, options) => client.call(method, request, options),
    mediaUrl,
    failAll: (reason) => client.failAll(reason),
  };
}
