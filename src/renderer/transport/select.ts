/**
 * Picks the transport at start-up: inside the Electron app the preload has put its bridge on
 * `window`; anywhere else the page was served by `laser serve` and talks to it over a WebSocket.
 */
import { bridgeGlobalName } from '../../common/contract/bridge.ts';
import type { PreloadBridge } from '../../common/contract/bridge.ts';
import { WorkbenchError } from '../../common/contract/errors.ts';
import { createIpcTransport } from './ipc.ts';
import { createWebSocketTransport } from './websocket.ts';
import type { SocketLike } from './websocket.ts';
import type { Transport } from './types.ts';

export interface PageEnvironment {
  location: { protocol: string; host: string; search: string };
  openSocket: (url: string) => SocketLike;
  [bridgeGlobalName]?: PreloadBridge;
}

/** Throws a WorkbenchError when the page was opened without the access token serve mode needs. */
export function selectTransport(page: PageEnvironment): Transport {
  const bridge = page[bridgeGlobalName];
  if (bridge) return createIpcTransport(bridge);
  const token = new URLSearchParams(page.location.search).get('token');
  if (!token) {
    throw new WorkbenchError(
      'bad-request',
      'This page was opened without its access token.',
      'Open the full URL that `laser serve` printed (it ends in ?token=…).',
    );
  }
  return createWebSocketTransport({ location: page.location, token, openSocket: page.openSocket });
}
