/**
 * The engine's side of the ports main hands it: builds the Workbench on `init`, serves the wire
 * protocol on every `connect-wire` port and media bytes on every `connect-media` port. Runs in the
 * utility process (engine-host.ts is the glue); written against PortLike so tests can drive it.
 */
import { createWireHost } from '../common/contract/host.ts';
import type { Handlers } from '../common/contract/host.ts';
import { toErrorData } from '../common/contract/errors.ts';
import type { WorkbenchErrorData } from '../common/contract/errors.ts';
import { ClientMessage } from '../common/contract/wire.ts';
import type { MediaService, Workbench, WorkbenchOptions } from '../engine/service/types.ts';
import { dataDirOfProcess } from '../engine/settings/data-dir.ts';
import { MediaRequest, ToEngine, type MediaReply, type PortLike } from './engine-protocol.ts';

export function createEngineEndpoint(
  createWorkbench: (options: WorkbenchOptions) => Workbench | Promise<Workbench>,
  /** Called once the Workbench is disposed after a `shutdown` message: the process should exit. */
  exit: () => void,
) {
  let workbench: Promise<Workbench> | null = null;
  const ports = new Set<PortLike>();

  function ready(): Promise<Workbench> {
    return workbench ?? Promise.reject(new Error('The engine received a port before its init message.'));
  }

  function adopt(port: PortLike | undefined, serve: (w: Workbench, port: PortLike) => void, refuse: (error: WorkbenchErrorData, port: PortLike) => void) {
    if (!port) return;
    ports.add(port);
    port.on('close', () => ports.delete(port));
    ready().then(
      (w) => serve(w, port),
      (e) => refuse(toErrorData(e), port),
    );
  }

  return {
    receive(data: unknown, transferred: readonly PortLike[]): void {
      const parsed = ToEngine.safeParse(data);
      if (!parsed.success) return;
      const message = parsed.data;
      switch (message.type) {
        case 'init':
          workbench ??= Promise.resolve().then(() =>
            createWorkbench({ dataDir: dataDirOfProcess(message.dataDir), transport: 'electron', defaultFolder: message.defaultFolder, demoModelDir: message.demoModelDir, canPickFolderNatively: true }),
          );
          return;
        case 'connect-wire':
          adopt(transferred[0], (w, port) => serveWirePort(port, w.handlers), refuseWirePort);
          return;
        case 'connect-media':
          adopt(transferred[0], (w, port) => serveMediaPort(port, w.media), refuseMediaPort);
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

/** The wire protocol over one port; the peer closing its end cancels its calls in flight. */
export function serveWirePort(port: PortLike, handlers: Handlers): void {
  const host = createWireHost(handlers, (message) => port.postMessage(message));
  port.on('message', (event) => host.receive(event.data));
  port.on('close', () => host.close());
  port.start();
}

/** When the Workbench could not be built, every call says why instead of waiting forever. */
function refuseWirePort(error: WorkbenchErrorData, port: PortLike): void {
  port.on('message', (event) => {
    const parsed = ClientMessage.safeParse(event.data);
    if (parsed.success && parsed.data.type === 'call') port.postMessage({ type: 'error', id: parsed.data.id, error });
  });
  port.start();
}

export function serveMediaPort(port: PortLike, media: MediaService): void {
  port.on('message', (event) => {
    void answerMedia(event.data, media).then((reply) => reply && port.postMessage(reply));
  });
  port.start();
}

function refuseMediaPort(error: WorkbenchErrorData, port: PortLike): void {
  port.on('message', (event) => {
    const id = (event.data as { id?: unknown })?.id;
    if (typeof id === 'number') port.postMessage({ id, ok: false, error } satisfies MediaReply);
  });
  port.start();
}

async function answerMedia(data: unknown, media: MediaService): Promise<MediaReply | null> {
  const id = (data as { id?: unknown } | null)?.id;
  if (typeof id !== 'number' || !Number.isInteger(id)) return null;
  // Main parsed the URL already; checking again keeps this port safe on its own.
  const parsed = MediaRequest.safeParse(data);
  if (!parsed.success) return { id, ok: false, error: { code: 'bad-request', message: 'Invalid media request.' } };
  try {
    const answer = await media.get(parsed.data.ref);
    // A copy: a Buffer may be a view on a larger shared pool that structured clone would copy whole.
    const body = 'bytes' in answer.body ? { bytes: new Uint8Array(answer.body.bytes) } : { file: answer.body.file };
    return { id, ok: true, contentType: answer.contentType, bytes: answer.bytes, body };
  } catch (e) {
    return { id, ok: false, error: toErrorData(e) };
  }
}
