/**
 * The one place the app gets its host from. Components ask for the Api, the native folder picker
 * (or null) and the connection state; none of them knows which transport is underneath.
 */
import { createContext, useContext, useSyncExternalStore } from 'react';
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

export function useConnection(): ConnectionState {
  const { connection } = useTransport();
  return useSyncExternalStore(connection.subscribe, connection.get);
}
