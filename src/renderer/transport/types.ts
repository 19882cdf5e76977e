/**
 * What the app gets from a transport. Nothing outside this folder knows which transport it has:
 * the app sees an Api, an optional native folder picker and the state of the connection.
 */
import type { Api } from '../../common/contract/client.ts';

export type ConnectionState =
  | { status: 'connecting' }
  | { status: 'open' }
  /** The connection dropped (or never came up); the next attempt starts in `retryInMs`. */
  | { status: 'reconnecting'; attempt: number; retryInMs: number };

export interface ConnectionWatch {
  get(): ConnectionState;
  /** Calls `listener` on every change; returns an unsubscribe function. */
  subscribe(listener: () => void): () => void;
}

export interface Transport {
  api: Api;
  /** The native folder dialog, where the host has one; null means "use the folder browser". */
  pickFolder: (() => Promise<string | null>) | null;
  connection: ConnectionWatch;
  /**
   * Folders chosen in the host's own menu (Electron's File > Open Folder…, Open Recent), to be
   * opened as if picked in the app. Returns an unsubscribe function.
   */
  onOpenFolder(listener: (folder: string) => void): () => void;
  close(): void;
}

/** A tiny observable value, shaped for React's useSyncExternalStore. */
export function connectionWatch(initial: ConnectionState): ConnectionWatch & { set(state: ConnectionState): void } {
  let state = initial;
  const listeners = new Set<() => void>();
  return {
    get: () => state,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    set(next) {
      state = next;
      for (const l of [...listeners]) l();
    },
  };
}
