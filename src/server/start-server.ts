/**
 * Serve mode with the real engine: builds a Workbench for the HTTP transport and serves it.
 * Closing the server disposes the Workbench.
 */
import { reportUnexpected } from '../engine/library/crash-log.ts';
import { createWorkbench } from '../engine/service/workbench.ts';
import { serveWorkbench } from './http-server.ts';
import type { RunningServer, ServeOptions } from './http-server.ts';

export interface StartServerOptions extends ServeOptions {
  /** Where settings and caches live. */
  dataDir: string;
  /** Folder opened on first start, if any. */
  defaultFolder?: string | null;
  /** The shipped demo model's folder; null lists no demo model; undefined: the source tree's. */
  demoModelDir?: string | null;
}

export async function startServer(options: StartServerOptions): Promise<RunningServer> {
  const workbench = await createWorkbench({
    dataDir: options.dataDir,
    transport: 'http',
    defaultFolder: options.defaultFolder ?? null,
    demoModelDir: options.demoModelDir,
    canPickFolderNatively: false,
  });
  let server: RunningServer;
  try {
    // A handler that throws a bug answers its call with an error naming the crash log (under the
    // data folder); the server stays up for every other call.
    const onUnexpected = options.onUnexpected ?? reportUnexpected('laser serve', { ...process.env, LASER_DATA_DIR: options.dataDir });
    server = await serveWorkbench(workbench, { ...options, onUnexpected });
  } catch (e) {
    await workbench.dispose();
    throw e;
  }
  return {
    ...server,
    async close() {
      await server.close();
      await workbench.dispose();
    },
  };
}
