/**
 * The Electron transport: the preload's bridge already speaks the wire protocol, so this is the
 * contract's client over it, plus the media scheme and the native folder dialog.
 */
import type { PreloadBridge } from '../../common/contract/bridge.ts';
import { mediaQuery } from '../../common/contract/bridge.ts';
import { createApi } from '../../common/contract/client.ts';
import { connectionWatch } from './types.ts';
import type { Transport } from './types.ts';

export function createIpcTransport(bridge: PreloadBridge): Transport {
  let unsubscribe: (() => void) | null = null;
  const api = createApi(
    {
      send: (message) => bridge.send(message),
      onMessage: (receive) => {
        unsubscribe = bridge.onMessage(receive);
      },
    },
    (ref) => `${bridge.mediaBase}?${mediaQuery(ref)}`,
  );
  return {
    api,
    pickFolder: () => bridge.pickFolder(),
    onOpenFolder: (listener) => bridge.onOpenFolder(listener),
    // The IPC channel lives as long as the window; it is never "disconnected".
    connection: connectionWatch({ status: 'open' }),
    close: () => unsubscribe?.(),
  };
}
