/**
 * The one place the app gets its host from. Components ask for the Api, the native folder picker
 * (or null) and the connection state; none of them knows which transport is underneath.
 */
import { createContext, useContext, useEffect, useRef, useSyncExternalStore } from 'react';
import type { ReactNode } from 'react';
import type { Api } from '../../common/contract/client.ts';
import type { ConnectionState, Transport } from '../transport/types.ts';

const HostContext = createContext<Transport | null>(null);

export function HostProvider({ transport, children }: { transport: Transport; children: ReactNode }) {
  return <HostContext.Provider value={transport}>{children}</HostContext.Provider>;
}

function useTransport(): Transport {
  const t = useContext(HostContext);
  if (!t) throw new Error('useApi() outside <HostProvider>: the app root must provide a transport.');
  return t;
}

export function useApi(): Api {
  return useTransport().api;
}

export function usePickFolder(): (() => Promise<string | null>) | null {
  return useTransport().pickFolder;
}

/** Calls `open` for every folder chosen in the host's own menu, for as long as the component lives. */
export function useHostMenuFolders(open: (folder: string) => void): void {
  const { onOpenFolder } = useTransport();
  const latest = useRef(open);
  latest.current = open;
  useEffect(() => onOpenFolder((folder) => latest.current(folder)), [onOpenFolder]);
}

export function useConnection(): ConnectionState {
  const { connection } = useTransport();
  return useSyncExternalStore(connection.subscribe, connection.get);
}
