/**
 * Entry of the engine's utility process (out/main/engine-host.js). Heavy work (scans, decoding,
 * inference) runs here, so the main process and the windows stay responsive. Main sends `init`,
 * then ports: windows' calls arrive on their own ports and never pass through main.
 *
 * Its error boundary is serve mode's (src/server/start-server.ts): a bug thrown by a handler
 * answers its call with one line naming a crash log under the data folder's `logs/`, and the
 * engine stays up; one that escapes every call is logged the same way, named on one stderr line,
 * and ends the process, which main restarts (engine-supervisor.ts).
 */
import { describeThrown, reportUnexpected, writeCrashLog } from '../engine/library/crash-log.ts';
import { createWorkbench } from '../engine/service/workbench.ts';
import { migrateLegacyStoresOfProcess } from '../engine/settings/legacy-stores.ts';
import { createEngineEndpoint } from './engine-endpoint.ts';

let dataDirEnv: NodeJS.ProcessEnv = process.env;

const endpoint = createEngineEndpoint(
  async (options) => {
    // The stores of earlier versions (Electron's userData on Linux, the CLI's cache) move in once.
    await migrateLegacyStoresOfProcess(options.dataDir);
    return createWorkbench(options);
  },
  () => process.exit(0),
  {
    onUnexpected: (dataDir) => {
      dataDirEnv = { ...process.env, LASER_DATA_DIR: dataDir };
      return reportUnexpected('electron engine', dataDirEnv);
    },
  },
);

async function fatal(e: unknown): Promise<void> {
  const file = await writeCrashLog(e, 'host: electron engine; outside any call', { env: dataDirEnv }).catch(() => null);
  process.stderr.write(`engine: unexpected error: ${describeThrown(e)}${file ? ` (full trace in ${file})` : ''}\n`);
  process.exit(2);
}
process.on('uncaughtException', (e) => void fatal(e));
process.on('unhandledRejection', (e) => void fatal(e));

process.parentPort.on('message', (event) => endpoint.receive(event.data, event.ports));
