/**
 * Cancellation, and a peer that dies in the middle of a call, behave the same on every transport
 * that carries the contract's wire protocol: the inference worker thread, Electron's
 * main ⇄ utility-process ports (Electron cannot run here: Node MessagePorts, the real engine
 * endpoint, supervisor and preload relay), serve mode's WebSocket (the server in a child process of
 * its own, killed), and the CLI's in-process path (the Workbench over the inference worker).
 *
 * Every transport's call reports one progress event and then waits. Then:
 * - cancelling it rejects the call with `cancelled`, and the handler saw its AbortSignal (the host
 *   answers only after the handler has settled);
 * - killing the peer rejects the call with `internal`, a message that says what stopped and a hint.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MessageChannel, type Worker } from 'node:worker_threads';
import { afterAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createApi } from '../../src/common/contract/client.ts';
import { cancelledError } from '../../src/common/contract/errors.ts';
import type { Handlers } from '../../src/common/contract/host.ts';
import { openCliWorkbench } from '../../src/cli/workbench.ts';
import { InferenceClient } from '../../src/engine/inference/client.ts';
import type { Workbench } from '../../src/engine/service/types.ts';
import { createEngineEndpoint } from '../../src/main/engine-endpoint.ts';
import type { PortLike } from '../../src/main/engine-protocol.ts';
import { createEngineSupervisor, type EngineProcess } from '../../src/main/engine-supervisor.ts';
import { createPortRelay, type RendererPort } from '../../src/preload/port-relay.ts';
import { createWebSocketTransport, type SocketLike } from '../../src/renderer/transport/websocket.ts';
import { startHangingInferenceWorker } from '../support/hanging-inference.ts';
import { asPortLike } from '../support/node-port.ts';
import { workbenchRejection } from '../support/rejection.ts';

interface Harness {
  /** Starts the long call; `onProgress` is told when its handler has begun. */
  call(signal: AbortSignal, onProgress: () => void): Promise<unknown>;
  /** Kills the peer that serves the call. */
  kill(): void;
  /** Whether the handler saw its signal abort, where the test can see the handler. */
  handlerSawAbort?: () => boolean;
  close(): Promise<void>;
}

const temps: string[] = [];
afterAll(async () => {
  for (const t of temps) await rm(t, { recursive: true, force: true });
});

/** library.scan handlers that report one event and wait for the cancel, recording that they saw it. */
function hangingHandlers(seen: { aborted: boolean }): Handlers {
  return {
    'library.scan': (_req, { signal, progress }) =>
      new Promise((_, reject) => {
        signal.addEventListener('abort', () => ((seen.aborted = true), reject(cancelledError())), { once: true });
        progress({ entries: [], found: 0, broken: 0, directoriesVisited: 0 });
      }),
  } as Partial<Handlers> as Handlers;
}

async function workerThread(): Promise<Harness> {
  let worker: Worker | null = null;
  const client = new InferenceClient(() => (worker = startHangingInferenceWorker()));
  return {
    call: (signal, onProgress) => client.call('compile', { source: '/ckpt', target: '/bundle' }, { signal, onProgress }),
    kill: () => void worker?.terminate(),
    close: () => client.dispose(100),
  };
}

/** A utility process that runs the real endpoint here; `crash` is its death. */
class InProcessEngine implements EngineProcess<PortLike> {
  private exitListeners: Array<(code: number) => void> = [];
  readonly endpoint;
  constructor(workbench: Workbench) {
    this.endpoint = createEngineEndpoint(
      () => workbench,
      () => this.exit(0),
    );
  }
  postMessage(message: unknown, transfer: PortLike[] = []) {
    queueMicrotask(() => this.endpoint.receive(message, transfer));
  }
  once(_event: 'exit', listener: (code: number) => void) {
    this.exitListeners.push(listener);
    return this;
  }
  kill() {
    this.exit(137);
    return true;
  }
  exit(code: number) {
    void this.endpoint.dispose();
    for (const l of this.exitListeners.splice(0)) l(code);
  }
}

async function electronPorts(): Promise<Harness> {
  const seen = { aborted: false };
  const workbench: Workbench = {
    handlers: hangingHandlers(seen),
    media: { get: () => Promise.reject(cancelledError()) },
    openFolder: async () => undefined,
    dispose: async () => undefined,
  };
  let engine: InProcessEngine | null = null;
  const raw: Array<import('node:worker_threads').MessagePort> = [];
  const supervisor = createEngineSupervisor<PortLike>({
    fork: () => (engine = new InProcessEngine(workbench)),
    channel: () => {
      const c = new MessageChannel();
      raw.push(c.port1, c.port2);
      return { port1: asPortLike(c.port1), port2: asPortLike(c.port2) };
    },
    init: { dataDir: '/data', defaultFolder: null, demoModelDir: null },
  });
  // The window's side as the preload keeps it (port relay) with the renderer's client over it.
  const relay = createPortRelay();
  supervisor.start();
  supervisor.attachWindow(1, {
    deliver(port) {
      const rendererPort: RendererPort = {
        postMessage: (m) => port.postMessage(m),
        close: () => port.close(),
        set onmessage(listener: RendererPort['onmessage']) {
          if (listener) {
            port.on('message', (e) => listener(e));
            port.start();
          }
        },
        get onmessage() {
          return null;
        },
      };
      relay.attach(rendererPort);
    },
    lost: (error) => relay.lost(error),
  });
  const api = createApi({ send: (m) => relay.send(m), onMessage: (r) => void relay.onMessage(r) }, () => '');
  return {
    call: (signal, onProgress) => api.call('library.scan', { root: '/photos' }, { signal, onProgress }),
    kill: () => void engine?.kill(),
    handlerSawAbort: () => seen.aborted,
    async close() {
      await supervisor.stop();
      for (const p of raw) p.close();
    },
  };
}

async function webSocket(): Promise<Harness> {
  const token = 'transport-test-token-0123456789';
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'test/support/hanging-serve.ts', token], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d) => {
      out += String(d);
      const m = /port (\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
    });
    child.once('exit', (code) => reject(new Error(`the serve child exited with ${code}`)));
  });
  const transport = createWebSocketTransport({
    location: { protocol: 'http:', host: `127.0.0.1:${port}` },
    token,
    openSocket: (url) => new WebSocket(url) as unknown as SocketLike,
    // No reconnecting after the kill: the test is over.
    setTimer: () => null,
    clearTimer: () => undefined,
  });
  return {
    call: (signal, onProgress) => transport.api.call('library.scan', { root: '/photos' }, { signal, onProgress }),
    kill: () => void child.kill('SIGKILL'),
    async close() {
      transport.close();
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGKILL');
        await new Promise((r) => child.once('exit', r));
      }
    },
  };
}

async function cliInProcess(): Promise<Harness> {
  const dataDir = await mkdtemp(join(tmpdir(), 'laser-transport-cli-'));
  temps.push(dataDir);
  // A folder with a config.json is a checkpoint: models.add compiles it in the inference worker.
  const checkpoint = join(dataDir, 'ckpt');
  await mkdir(checkpoint);
  await writeFile(join(checkpoint, 'config.json'), '{"model_type":"llava"}');
  let worker: Worker | null = null;
  const inference = new InferenceClient(() => (worker = startHangingInferenceWorker()));
  const cli = await openCliWorkbench({ dataDir, inference, note: () => undefined });
  return {
    call: (signal, onProgress) => cli.call('models.add', { path: checkpoint }, { signal, onProgress }),
    kill: () => void worker?.terminate(),
    close: () => cli.dispose(),
  };
}

const transports: Array<[string, () => Promise<Harness>]> = [
  ['the inference worker thread', workerThread],
  ['Electron main ⇄ utility process ports', electronPorts],
  ['serve mode’s WebSocket', webSocket],
  ['the CLI in-process path', cliInProcess],
];

describe.each(transports)('over %s', (_name, make) => {
  it('a cancel mid-call rejects it as cancelled, after the handler saw its signal', async () => {
    const h = await make();
    try {
      const controller = new AbortController();
      let started!: () => void;
      const begun = new Promise<void>((r) => (started = r));
      const call = h.call(controller.signal, () => started());
      await begun;
      controller.abort();
      const e = await workbenchRejection(call);
      expect(e.code).toBe('cancelled');
      if (h.handlerSawAbort) expect(h.handlerSawAbort()).toBe(true);
    } finally {
      await h.close();
    }
  });

  it('a peer that dies mid-call fails it as internal, saying what stopped and what to do', async () => {
    const h = await make();
    try {
      let started!: () => void;
      const begun = new Promise<void>((r) => (started = r));
      const call = h.call(new AbortController().signal, () => started());
      await begun;
      h.kill();
      const e = await workbenchRejection(call);
      expect(e.code).toBe('internal');
      expect(e.message).toMatch(/stopped unexpectedly|was lost/);
      expect(e.hint).toMatch(/try again/i);
    } finally {
      await h.close();
    }
  });
});
