/**
 * Entry of the engine's utility process (out/main/engine-host.js). Heavy work (scans, decoding,
 * inference) runs here, so the main process and the windows stay responsive. Main sends `init`,
 * then ports: windows' calls arrive on their own ports and never pass through main.
 */
import { createWorkbench } from '../engine/service/workbench.ts';
import { migrateLegacyStoresOfProcess } from '../engine/settings/legacy-stores.ts';
import { createEngineEndpoint } from './engine-endpoint.ts';

const endpoint = createEngineEndpoint(
  async (options) => {
    // The stores of earlier versions (Electron's userData on Linux, the CLI's cache) move in once.
    await migrateLegacyStoresOfProcess(options.dataDir);
    return createWorkbench(options);
  },
  () => process.exit(0),
);

process.parentPort.on('message', (event) => endpoint.receive(event.data, event.ports));
