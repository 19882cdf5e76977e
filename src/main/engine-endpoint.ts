/**
 * The engine's side of the ports main hands it: builds the Workbench on `init`, serves the wire
 * protocol on every `connect-wire` port and media bytes on every `connect-media` port (the same
 * wire protocol, with engine-protocol.ts's media table). Runs in the utility process (engine-host.ts
 * is the glue); written against PortLike so tests can drive it.
 *
 * Its error boundary is serve mode's: a handler that throws a bug answers its call with an
 * `internal` error naming a crash log under the data folder (`onUnexpected`), and the engine stays
 * up for every other call.
 */
import { createTableHost, createWireHost, type HandlersOf, type OpTable, type WireHostOptions } from '../common/contract/host.ts';
import type { Handlers } from '../common/contract/host.ts';
import { methods } from '../common/contract/methods.ts';
import type { MediaService, Workbench, WorkbenchOptions } from '../engine/service/types.ts';
import { dataDirOfProcess } from '../engine/settings/data-dir.ts';
import { mediaOps, ToEngine, type PortLike } from './engine-protocol.ts';

export interface EngineEndpointOptions {
  /** The wire hosts' hook for a bug, given the data folder `init` resolved (engine-host.ts writes a crash log there). */
  onUnexpected?: (dataDir: string) => WireHostOptions['onUnexpected'];
}

export function createEngineEndpoint(
  createWorkbench: (options: WorkbenchOptions) => Workbench | Promise<Workbench>,
  /** Called once the Workbench is disposed after a `shutdown` message: the process should exit. */
  exit: () => void,
  options: EngineEndpointOptions = {},
) {
  let workbench: Promise<Workbench> | null = null;
  let hostOptions: WireHostOptions = {};
  const ports = new Set<PortLike>();

  function ready(): Promise<Workbench> {
    return workbench ?? Promise.reject(new Error('The engine received a port before its init message.'));
  }

  /**
   * Handlers that wait for the Workbench: a port is served at once, and when the Workbench could not
   * be built every call on it is answered with the reason instead of waiting forever.
   */
  const wireHandlers = lazyHandlers(methods, async () => (await ready()).handlers);
  const mediaHandlers = lazyHandlers(mediaOps, async () => mediaHandlersOf((await ready()).media));

  function adopt(port: PortLike | undefined, serve: (port: PortLike) => void) {
    if (!port) return;
    ports.add(port);
    port.on('close', () => ports.delete(port));
    serve(port);
  }

  return {
    receive(data: unknown, transferred: readonly PortLike[]): void {
      const parsed = ToEngine.safeParse(data);
      if (!parsed.success) return;
      const message = parsed.data;
      switch (message.type) {
        case 'init': {
          if (workbench) return;
          const dataDir = dataDirOfProcess(message.dataDir);
          const onUnexpected = options.onUnexpected?.(dataDir);
          hostOptions = onUnexpected ? { onUnexpected } : {};
          workbench = Promise.resolve().then(() =>
            createWorkbench({
              dataDir,
              transport: 'electron',
              defaultFolder: message.defaultFolder,
              demoModelDir: message.demoModelDir,
              canPickFolderNatively: true,
            }),
          );
          // A Workbench that cannot be built is each call's answer, not an unhandled rejection.
          workbench.catch(() => undefined);
          return;
        }
        case 'connect-wire':
          adopt(transferred[0], (port) => serveWirePort(port, wireHandlers as Handlers, hostOptions));
          return;
        case 'connect-media':
          adopt(transferred[0], (port) =>
            servePort(
              port,
              createTableHost(mediaOps, mediaHandlers, (m) => port.postMessage(m), hostOptions),
            ),
          );
          return;
        case 'shutdown':
          void dispose().finally(exit);
          return;
      }
    },
    dispose,
  };

  async function dispose(): Promise<void> {
    for (const port of ports) port.close();
    ports.clear();
    const w = await workbench?.catch(() => null);
    await w?.dispose();
  }
}

/** A table's handlers that first wait for the real ones (`resolve` may reject: every call then fails with its reason). */
function lazyHandlers<T extends OpTable>(table: T, resolve: () => Promise<HandlersOf<T>>): HandlersOf<T> {
  const lazy: Record<string, (request: unknown, ctx: never) => Promise<unknown>> = {};
  for (const name of Object.keys(table)) {
    lazy[name] = async (request, ctx) => {
      const handlers = (await resolve()) as Record<string, (request: unknown, ctx: never) => Promise<unknown>>;
      return handlers[name](request, ctx);
    };
  }
  return lazy as HandlersOf<T>;
}

function mediaHandlersOf(media: MediaService): HandlersOf<typeof mediaOps> {
  return {
    async 'media.get'(ref) {
      const answer = await media.get(ref);
      // A copy: a Buffer may be a view on a larger shared pool that structured clone would copy whole.
      const body = 'bytes' in answer.body ? { bytes: new Uint8Array(answer.body.bytes) } : { file: answer.body.file };
      return { contentType: answer.contentType, bytes: answer.bytes, body };
    },
  };
}

interface PortHost {
  receive(raw: unknown): void;
  close(): void;
}

/** A wire host over one port; the peer closing its end cancels its calls in flight. */
function servePort(port: PortLike, host: PortHost): void {
  port.on('message', (event) => host.receive(event.data));
  port.on('close', () => host.close());
  port.start();
}

/** The contract's wire protocol over one port. */
export function serveWirePort(port: PortLike, handlers: Handlers, options: WireHostOptions = {}): void {
  servePort(
    port,
    createWireHost(handlers, (message) => port.postMessage(message), options),
  );
}
