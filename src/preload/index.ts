/**
 * The preload: puts exactly the PreloadBridge on `window.laser`. Calls travel over a MessagePort
 * straight to the engine's utility process; every outgoing message is checked first (port-relay).
 */
import { contextBridge, ipcRenderer } from 'electron';
import { bridgeGlobalName } from '../common/contract/bridge.ts';
import type { PreloadBridge } from '../common/contract/bridge.ts';
import type { WorkbenchErrorData } from '../common/contract/errors.ts';
import { ipcChannels, mediaBase } from './channels.ts';
import { createPortRelay } from './port-relay.ts';

const relay = createPortRelay();

ipcRenderer.on(ipcChannels.port, (event) => {
  const [port] = event.ports;
  if (port) relay.attach(port);
});
ipcRenderer.on(ipcChannels.engineLost, (_event, error: WorkbenchErrorData) => relay.lost(error));

const bridge: PreloadBridge = {
  send: (message) => relay.send(message),
  onMessage: (listener) => relay.onMessage(listener),
  mediaBase,
  pickFolder: async () => {
    const folder: unknown = await ipcRenderer.invoke(ipcChannels.pickFolder);
    return typeof folder === 'string' ? folder : null;
  },
  onOpenFolder: (listener) => {
    const forward = (_event: unknown, folder: unknown) => {
      if (typeof folder === 'string') listener(folder);
    };
    ipcRenderer.on(ipcChannels.openFolder, forward);
    return () => ipcRenderer.off(ipcChannels.openFolder, forward);
  },
};

contextBridge.exposeInMainWorld(bridgeGlobalName, bridge);
