/**
 * Main's hold on the engine's utility process: starts it, gives every window a port straight to it,
 * asks it for media bytes, and restarts it when it dies. A death fails everything in flight with
 * an error that says so, instead of leaving calls waiting for answers that will never come.
 */
import { createApi, createClient } from '../common/contract/client.ts';
import type { Api } from '../common/contract/client.ts';
import { WorkbenchError } from '../common/contract/errors.ts';
import type { WorkbenchErrorData } from '../common/contract/errors.ts';
import type { MediaRef } from '../common/contract/methods.ts';
import type { MediaAnswer, mediaOps, PortLike, ToEngine } from './engine-protocol.ts';

export interface EngineProcess<P extends PortLike> {
  postMessage(message: ToEngine, transfer?: P[]): void;
  once(event: 'exit', listener: (code: number) => void): unknown;
  kill(): boolean;
}

export interface SupervisorOptions<P extends PortLike> {
  fork(): EngineProcess<P>;
  channel(): { port1: P; port2: P };
  init: { dataDir: string | null; defaultFolder: string | null; demoModelDir: string | null };
  /** Restarts allowed within `restartWindowMs` before giving up on a crash loop. */
  maxRestarts?: number;
  restartWindowMs?: number;
  now?: () => number;
  log?: (line: string) => void;
  /** How long a stopping engine may take to save its state before it is killed. */
  graceMs?: number;
}

/** How main reaches one window: hand it a port, or tell it that its engine went away. */
export interface WindowLink<P extends PortLike> {
  deliver(port: P): void;
  lost(error: WorkbenchErrorData): void;
}

export type { MediaAnswer };

export interface EngineSupervisor<P extends PortLike> {
  start(): void;
  /** Connects the window now and again after every restart, until detached. */
  attachWindow(id: number, link: WindowLink<P>): void;
  detachWindow(id: number): void;
  media(ref: MediaRef): Promise<MediaAnswer>;
  /** Main's own client of the contract (the Recent menu). */
  api: Api;
  /** Asks the engine to dispose its Workbench and exit; kills it if that takes longer than `graceMs`. */
  stop(): Promise<void>;
}

export function createEngineSupervisor<P extends PortLike>(options: SupervisorOptions<P>): EngineSupervisor<P> {
  const maxRestarts = options.maxRestarts ?? 3;
  const restartWindowMs = options.restartWindowMs ?? 60_000;
  const now = options.now ?? Date.now;
  const log = options.log ?? (() => {});

  let child: EngineProcess<P> | null = null;
  let stopped = false;
  let gaveUp: WorkbenchErrorData | null = null;
  const recentRestarts: number[] = [];
  const windows = new Map<number, WindowLink<P>>();

  // Main's two clients of the engine, both the contract's (createClient): media bytes for the
  // media scheme, and the app's methods for the Recent menu. Each has its port to the current engine.
  let mediaPort: P | null = null;
  let receiveMedia: (message: unknown) => void = () => {};
  const mediaClient = createClient<typeof mediaOps>({
    send(message) {
      if (!mediaPort) throw unavailable();
      mediaPort.postMessage(message);
    },
    onMessage(receive) {
      receiveMedia = receive;
    },
  });

  let wirePort: P | null = null;
  let receiveWire: (message: unknown) => void = () => {};
  const api = createApi(
    {
      send(message) {
        if (!wirePort) throw unavailable();
        wirePort.postMessage(message);
      },
      onMessage(receive) {
        receiveWire = receive;
      },
    },
    () => {
      throw new WorkbenchError('internal', 'Main has no media URLs; windows build their own.');
    },
  );

  function unavailable(): WorkbenchError {
    return WorkbenchError.fromData(gaveUp ?? { code: 'internal', message: 'The engine is not running.', hint: 'Restart LASER Workbench.' });
  }

  /** A fresh channel: one end to the engine, the other returned. */
  function connect(type: 'connect-wire' | 'connect-media'): P {
    const { port1, port2 } = options.channel();
    child!.postMessage({ type }, [port2]);
    return port1;
  }

  function connectMedia() {
    const port = connect('connect-media');
    port.on('message', (event) => receiveMedia(event.data));
    port.start();
    mediaPort = port;
  }

  function connectOwnWire() {
    const port = connect('connect-wire');
    port.on('message', (event) => receiveWire(event.data));
    port.start();
    wirePort = port;
  }

  function start() {
    if (stopped || child) return;
    child = options.fork();
    const me = child;
    me.once('exit', (code) => onExit(me, code));
    me.postMessage({ type: 'init', ...options.init });
    connectMedia();
    connectOwnWire();
    for (const link of windows.values()) link.deliver(connect('connect-wire'));
  }

  function onExit(which: EngineProcess<P>, code: number) {
    if (which !== child) return;
    child = null;
    mediaPort?.close();
    wirePort?.close();
    mediaPort = wirePort = null;
    if (stopped) return;

    const t = now();
    while (recentRestarts.length > 0 && t - recentRestarts[0] > restartWindowMs) recentRestarts.shift();
    const restart = recentRestarts.length < maxRestarts;
    const error: WorkbenchErrorData = restart
      ? {
          code: 'internal',
          message: `The engine process stopped unexpectedly (exit code ${code}); work in progress was lost.`,
          hint: 'It has been restarted: try again. If it keeps happening, please report it with the steps that led here.',
        }
      : {
          code: 'internal',
          message: `The engine process keeps stopping (exit code ${code}, ${recentRestarts.length + 1} times within ${Math.round(restartWindowMs / 1000)} s), so it was not restarted.`,
          hint: 'Restart LASER Workbench. If it happens again, please report it with the steps that led here.',
        };
    log(`${error.message} ${error.hint}`);
    mediaClient.failAll(WorkbenchError.fromData(error));
    api.failAll(WorkbenchError.fromData(error));
    for (const link of windows.values()) link.lost(error);
    if (restart) {
      recentRestarts.push(t);
      start();
    } else {
      gaveUp = error;
    }
  }

  return {
    start,
    attachWindow(id, link) {
      windows.set(id, link);
      if (child) link.deliver(connect('connect-wire'));
    },
    detachWindow(id) {
      windows.delete(id);
    },
    media(ref) {
      return mediaClient.call('media.get', ref);
    },
    api,
    stop() {
      stopped = true;
      const engine = child;
      if (!engine) return Promise.resolve();
      return new Promise<void>((resolve) => {
        const timer = setTimeout(() => engine.kill(), options.graceMs ?? 3000);
        engine.once('exit', () => {
          clearTimeout(timer);
          resolve();
        });
        engine.postMessage({ type: 'shutdown' });
      });
    },
  };
}
