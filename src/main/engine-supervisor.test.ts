import { EventEmitter } from 'node:events';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MessageChannel } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { createApi } from '../common/contract/client.ts';
import type { Api } from '../common/contract/client.ts';
import { WorkbenchError } from '../common/contract/errors.ts';
import type { WorkbenchErrorData } from '../common/contract/errors.ts';
import type { Handlers } from '../common/contract/host.ts';
import { reportUnexpected } from '../engine/library/crash-log.ts';
import type { Workbench, WorkbenchOptions } from '../engine/service/types.ts';
import { createEngineEndpoint } from './engine-endpoint.ts';
import type { PortLike } from './engine-protocol.ts';
import { createEngineSupervisor } from './engine-supervisor.ts';
import { asPortLike as asPort } from '../../test/support/node-port.ts';
import type { EngineProcess } from './engine-supervisor.ts';

function fakeWorkbench(options: WorkbenchOptions, log: string[]): Workbench {
  const handlers = {
    'host.info': async () => ({
      version: '1',
      transport: options.transport,
      platform: 'test',
      homeDir: '/h',
      defaultFolder: options.defaultFolder ?? null,
      canPickFolderNatively: !!options.canPickFolderNatively,
    }),
    'library.recent': async () => [{ path: options.dataDir, openedAt: '2025-01-01T00:00:00Z' }],
    'library.imageDetails': (_req: unknown, ctx: { signal: AbortSignal }) =>
      new Promise((_, reject) => ctx.signal.addEventListener('abort', () => reject(new WorkbenchError('cancelled', 'Cancelled.')))),
  } as unknown as Handlers;
  return {
    handlers,
    openFolder: async () => undefined,
    media: {
      async get(ref) {
        const path = 'path' in ref ? ref.path : `record ${ref.id}`;
        if (path === '/open/a.png') return { body: { bytes: Buffer.from('abc') }, contentType: 'image/png', bytes: 3 };
        if (path === '/open/big.png') return { body: { file: '/open/big.png' }, contentType: 'image/png', bytes: 10 };
        if (path === '/open/hang.png') return new Promise(() => {});
        throw new WorkbenchError('outside-opened-folders', `${path} is outside the opened folders.`);
      },
    },
    dispose: async () => void log.push('disposed'),
  };
}

/** A utility process that runs the real endpoint in this process and can be made to crash. */
class FakeEngine extends EventEmitter implements EngineProcess<PortLike> {
  endpoint;
  constructor(log: string[]) {
    super();
    this.endpoint = createEngineEndpoint(
      (o) => fakeWorkbench(o, log),
      () => this.emit('exit', 0),
    );
  }
  postMessage(message: unknown, transfer: PortLike[] = []) {
    queueMicrotask(() => this.endpoint.receive(message, transfer));
  }
  killed = false;
  kill() {
    this.killed = true;
    this.crash(15);
    return true;
  }
  crash(code: number) {
    void this.endpoint.dispose();
    this.emit('exit', code);
  }
}

const channels: MessageChannel[] = [];
afterEach(() => {
  for (const c of channels.splice(0)) {
    c.port1.close();
    c.port2.close();
  }
});

/** The supervisor's channel factory: a pair of Node MessagePorts, closed after the test. */
function testChannel() {
  const c = new MessageChannel();
  channels.push(c);
  return { port1: asPort(c.port1), port2: asPort(c.port2) };
}

function setup(extra: { maxRestarts?: number } = {}) {
  const engines: FakeEngine[] = [];
  const log: string[] = [];
  let t = 0;
  const supervisor = createEngineSupervisor<PortLike>({
    fork: () => {
      const e = new FakeEngine(log);
      engines.push(e);
      return e;
    },
    channel: testChannel,
    init: { dataDir: '/data', defaultFolder: '/samples', demoModelDir: null },
    now: () => (t += 1000),
    ...extra,
  });
  return { supervisor, engines, log };
}

/** What the preload does with a port it is handed: a contract client over it. */
function windowClient() {
  const lost: WorkbenchErrorData[] = [];
  const clients: Api[] = [];
  return {
    lost,
    clients,
    link: {
      deliver(port: PortLike) {
        clients.push(createApi({ send: (m) => port.postMessage(m), onMessage: (receive) => void port.on('message', (e) => receive(e.data)) }, () => ''));
        port.start();
      },
      lost: (e: WorkbenchErrorData) => void lost.push(e),
    },
  };
}

describe('engine supervisor with the engine endpoint', () => {
  it('initialises the engine for Electron and connects a window straight to it', async () => {
    const { supervisor } = setup();
    supervisor.start();
    const w = windowClient();
    supervisor.attachWindow(1, w.link);
    expect(await w.clients[0].call('host.info', {})).toMatchObject({ transport: 'electron', defaultFolder: '/samples', canPickFolderNatively: true });
    await supervisor.stop();
  });

  it('answers main’s own calls (the Recent menu)', async () => {
    const { supervisor } = setup();
    supervisor.start();
    expect(await supervisor.api.call('library.recent', {})).toEqual([{ path: '/data', openedAt: '2025-01-01T00:00:00Z' }]);
    await supervisor.stop();
  });

  it('returns media bytes, file paths to stream, and engine errors with their codes', async () => {
    const { supervisor } = setup();
    supervisor.start();
    const bytes = await supervisor.media({ kind: 'original', path: '/open/a.png' });
    expect(bytes.contentType).toBe('image/png');
    expect(Buffer.from((bytes.body as { bytes: Uint8Array }).bytes).toString()).toBe('abc');
    expect((await supervisor.media({ kind: 'thumbnail', path: '/open/big.png', size: 256 })).body).toEqual({ file: '/open/big.png' });
    await expect(supervisor.media({ kind: 'original', path: '/etc/passwd' })).rejects.toMatchObject({ code: 'outside-opened-folders' });
    await supervisor.stop();
  });

  it('after a crash, fails what was in flight with a clear error, restarts, and reconnects the windows', async () => {
    const { supervisor, engines } = setup();
    supervisor.start();
    const w = windowClient();
    supervisor.attachWindow(1, w.link);
    await w.clients[0].call('host.info', {});
    const media = supervisor.media({ kind: 'original', path: '/open/hang.png' });
    const own = supervisor.api.call('library.imageDetails', { path: '/open/a.png' });
    await new Promise((r) => setTimeout(r, 20));

    engines[0].crash(139);

    await expect(media).rejects.toThrow(/engine process stopped unexpectedly \(exit code 139\)/);
    await expect(own).rejects.toMatchObject({ code: 'internal' });
    expect(w.lost).toHaveLength(1);
    expect(w.lost[0].hint).toMatch(/restarted/);
    expect(engines).toHaveLength(2);
    expect(w.clients).toHaveLength(2);
    expect(await w.clients[1].call('host.info', {})).toMatchObject({ transport: 'electron' });
    expect(Buffer.from(((await supervisor.media({ kind: 'original', path: '/open/a.png' })).body as { bytes: Uint8Array }).bytes).toString()).toBe('abc');
    await supervisor.stop();
  });

  it('gives up on a crash loop and says so, instead of restarting forever', async () => {
    const { supervisor, engines } = setup({ maxRestarts: 2 });
    supervisor.start();
    const w = windowClient();
    supervisor.attachWindow(1, w.link);
    engines[0].crash(1);
    engines[1].crash(1);
    engines[2].crash(1);
    expect(engines).toHaveLength(3);
    expect(w.lost.at(-1)?.message).toMatch(/keeps stopping/);
    await expect(supervisor.media({ kind: 'original', path: '/open/a.png' })).rejects.toThrow(/keeps stopping/);
    await expect(supervisor.api.call('library.recent', {})).rejects.toThrow(/keeps stopping/);
  });

  it('stops the engine by asking it to dispose the Workbench, and does not restart it', async () => {
    const { supervisor, engines, log } = setup();
    supervisor.start();
    await supervisor.api.call('library.recent', {});
    await supervisor.stop();
    expect(log).toEqual(['disposed']);
    expect(engines).toHaveLength(1);
    expect(engines[0].killed).toBe(false);
  });

  it('kills an engine that does not exit within the grace period', async () => {
    const engines: FakeEngine[] = [];
    const supervisor = createEngineSupervisor<PortLike>({
      fork: () => {
        const e = new FakeEngine([]);
        // An engine stuck in native code: it never handles the shutdown message.
        e.postMessage = (m: unknown, t: PortLike[] = []) => {
          if ((m as { type: string }).type !== 'shutdown') queueMicrotask(() => e.endpoint.receive(m, t));
        };
        engines.push(e);
        return e;
      },
      channel: testChannel,
      init: { dataDir: '/d', defaultFolder: null, demoModelDir: null },
      graceMs: 20,
    });
    supervisor.start();
    await supervisor.stop();
    expect(engines[0].killed).toBe(true);
    expect(engines).toHaveLength(1);
  });

  it('stops connecting a window once it is detached', async () => {
    const { supervisor, engines } = setup();
    supervisor.start();
    const w = windowClient();
    supervisor.attachWindow(7, w.link);
    supervisor.detachWindow(7);
    engines[0].crash(1);
    expect(w.clients).toHaveLength(1);
    expect(w.lost).toHaveLength(0);
    await supervisor.stop();
  });
});

describe('engine endpoint', () => {
  it('answers every call with the reason when the Workbench cannot be built', async () => {
    const endpoint = createEngineEndpoint(
      () => {
        throw new WorkbenchError('permission-denied', 'Cannot write /data.', 'Check permissions.');
      },
      () => {},
    );
    const c = new MessageChannel();
    channels.push(c);
    endpoint.receive({ type: 'init', dataDir: '/data', defaultFolder: null, demoModelDir: null }, []);
    endpoint.receive({ type: 'connect-wire' }, [asPort(c.port2)]);
    const api = createApi({ send: (m) => c.port1.postMessage(m), onMessage: (r) => void c.port1.on('message', r) }, () => '');
    await expect(api.call('host.info', {})).rejects.toMatchObject({ code: 'permission-denied', hint: 'Check permissions.' });
  });

  it('answers a bug with one line naming a crash log under the data folder, and goes on serving (serve mode’s boundary)', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'laser-engine-crash-'));
    try {
      const buggy = {
        'host.info': async () => (undefined as unknown as { version: string }).version,
        'library.recent': async () => [],
      } as unknown as Handlers;
      const endpoint = createEngineEndpoint(
        () => ({
          handlers: buggy,
          media: { get: () => Promise.reject(new Error('no media')) },
          openFolder: async () => undefined,
          dispose: async () => undefined,
        }),
        () => {},
        { onUnexpected: (dir) => reportUnexpected('electron engine', { LASER_DATA_DIR: dir }) },
      );
      const c = new MessageChannel();
      channels.push(c);
      endpoint.receive({ type: 'init', dataDir, defaultFolder: null, demoModelDir: null }, []);
      endpoint.receive({ type: 'connect-wire' }, [asPort(c.port2)]);
      const api = createApi({ send: (m) => c.port1.postMessage(m), onMessage: (r) => void c.port1.on('message', r) }, () => '');
      const e = (await api.call('host.info', {}).catch((err: unknown) => err)) as WorkbenchError;
      expect(e).toMatchObject({ code: 'internal', hint: expect.stringMatching(/^This is a bug/) });
      expect(e.message).not.toContain('\n');
      const log = /\(full trace in (\S+)\)$/.exec(e.message)![1];
      expect(log.startsWith(join(dataDir, 'logs'))).toBe(true);
      expect(await readFile(log, 'utf8')).toMatch(/host: electron engine; call: host.info[\s\S]*TypeError/);
      expect(await api.call('library.recent', {})).toEqual([]);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
