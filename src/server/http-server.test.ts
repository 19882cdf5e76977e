import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import type { OutgoingHttpHeaders } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { createApi } from '../common/contract/client.ts';
import { WorkbenchError } from '../common/contract/errors.ts';
import type { Handlers } from '../common/contract/host.ts';
import type { MediaRef } from '../common/contract/methods.ts';
import type { MediaService } from '../engine/service/types.ts';
import { serveWorkbench } from './http-server.ts';
import type { RunningServer } from './http-server.ts';

const token = 'a'.repeat(64);

/** Handlers that behave just enough like the engine to exercise the transport. */
function fakeHandlers(seen: { aborted: string[] }): Handlers {
  return {
    'host.info': async () => ({ version: '0', transport: 'http', platform: 'test', homeDir: '/home', defaultFolder: null, canPickFolderNatively: false }),
    'library.listDirectory': async ({ path }) => ({ path, parent: null, directories: [], imageCount: 0 }),
    'library.scan': async ({ root }, { progress }) => {
      progress({ entries: [{ path: `${root}/a.png`, relPath: 'a.png', name: 'a.png', bytes: 1, mtimeMs: 0 }], found: 1, broken: 0, directoriesVisited: 1 });
      return { root, found: 1, broken: 0, directoriesVisited: 1, warnings: [], elapsedMs: 1 };
    },
    'library.recent': async () => [],
    // Never finishes on its own: it ends only when the call is cancelled.
    'library.imageDetails': ({ path }, { signal }) =>
      new Promise((_, reject) => {
        signal.addEventListener('abort', () => {
          seen.aborted.push(path);
          reject(new WorkbenchError('cancelled', 'Cancelled.'));
        });
      }),
    // The model methods are not what this file tests: the transport is the same for every method.
    'library.imageQuestions': unused('library.imageQuestions'),
    'models.list': unused('models.list'),
    'models.add': unused('models.add'),
    'models.remove': unused('models.remove'),
    'laser.methods': unused('laser.methods'),
    'laser.run': unused('laser.run'),
    'laser.records': unused('laser.records'),
    'laser.record': unused('laser.record'),
    'laser.headMaps': unused('laser.headMaps'),
    'settings.get': unused('settings.get'),
    'settings.update': unused('settings.update'),
    'figures.pdfFonts': unused('figures.pdfFonts'),
    'runs.list': unused('runs.list'),
    'runs.rows': unused('runs.rows'),
    'runs.report': unused('runs.report'),
    'runs.sample': unused('runs.sample'),
  };
}

function unused(method: string) {
  return async (): Promise<never> => {
    throw new WorkbenchError('internal', `${method} is not part of this transport test.`);
  };
}

const fakeMedia: MediaService = {
  async get(ref: MediaRef) {
    const path = 'path' in ref ? ref.path : `record ${ref.id}`;
    if (path === '/opened/a.png') return { body: { bytes: Buffer.from('PNGDATA') }, contentType: 'image/png', bytes: 7 };
    if (path.startsWith('/opened/missing')) throw new WorkbenchError('not-found', `No file ${path}.`);
    if (path.startsWith('/opened/corrupt')) throw new WorkbenchError('corrupt-image', `${path} is not a readable image.`, 'Re-export it.');
    throw new WorkbenchError('outside-opened-folders', `${path} is not inside an opened folder.`);
  },
};

let dir: string;
let server: RunningServer;
const seen = { aborted: [] as string[] };

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'laser-server-'));
  await mkdir(join(dir, 'renderer', 'assets'), { recursive: true });
  await writeFile(join(dir, 'renderer', 'index.html'), '<!doctype html><title>app</title>');
  await writeFile(join(dir, 'renderer', 'assets', 'app.js'), 'console.log(1)');
  await writeFile(join(dir, 'renderer', 'assets', 'style.css'), 'body{}');
  await writeFile(join(dir, 'secret.txt'), 'SECRET');
  server = await serveWorkbench({ handlers: fakeHandlers(seen), media: fakeMedia }, { rendererDir: join(dir, 'renderer'), token });
});

afterAll(async () => {
  await server?.close();
  await rm(dir, { recursive: true, force: true });
});

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A raw request: the path goes out exactly as written, unnormalised. */
function get(path: string, headers: OutgoingHttpHeaders = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: server.port, path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end();
  });
}

const auth = () => ({ Authorization: `Bearer ${token}` });

describe('session token', () => {
  it('answers 401 without a token, with a wrong one, and with a wrong cookie', async () => {
    expect((await get('/')).status).toBe(401);
    expect((await get('/?token=nope')).status).toBe(401);
    expect((await get('/', { Authorization: `Bearer ${'b'.repeat(64)}` })).status).toBe(401);
    const r = await get('/assets/app.js', { Cookie: `laser_token=${'b'.repeat(64)}` });
    expect(r.status).toBe(401);
    expect(r.body).toMatch(/token/);
  });

  it('accepts the token in the query and sets an HttpOnly SameSite=Strict cookie for the page assets', async () => {
    const r = await get(`/?token=${token}`);
    expect(r.status).toBe(200);
    expect(r.body).toContain('<title>app</title>');
    expect(r.headers['set-cookie']).toEqual([`laser_token=${token}; HttpOnly; SameSite=Strict; Path=/`]);
  });

  it('accepts the token as a cookie and as a bearer header', async () => {
    expect((await get('/assets/app.js', { Cookie: `other=1; laser_token=${token}` })).status).toBe(200);
    expect((await get('/assets/app.js', auth())).status).toBe(200);
  });

  it('accepts the right query token even when a stale cookie from another server is present', async () => {
    expect((await get(`/?token=${token}`, { Cookie: `laser_token=${'c'.repeat(64)}` })).status).toBe(200);
  });
});

describe('Host header', () => {
  it('refuses a request whose Host is another name, as after DNS rebinding', async () => {
    const r = await get('/', { ...auth(), Host: `evil.example:${server.port}` });
    expect(r.status).toBe(403);
  });

  it('refuses the right name on another port', async () => {
    expect((await get('/', { ...auth(), Host: `127.0.0.1:${server.port + 1}` })).status).toBe(403);
  });

  it('accepts localhost and the bound address', async () => {
    expect((await get('/', { ...auth(), Host: `localhost:${server.port}` })).status).toBe(200);
    expect((await get('/', { ...auth(), Host: `127.0.0.1:${server.port}` })).status).toBe(200);
  });
});

describe('security headers', () => {
  it('puts the CSP, nosniff and no-referrer on every response, refusals included', async () => {
    for (const r of [await get('/', auth()), await get('/'), await get('/media?kind=original&path=/x', auth())]) {
      expect(r.headers['content-security-policy']).toBe(
        "default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'sha256-eKmqpaGjSTRpC+n1sneFPTLz4bW0bYcNeB12nSOCO6o='; connect-src 'self'; script-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'",
      );
      expect(r.headers['x-content-type-options']).toBe('nosniff');
      expect(r.headers['referrer-policy']).toBe('no-referrer');
    }
  });
});

describe('static files', () => {
  it('serves built files with their content types', async () => {
    const js = await get('/assets/app.js', auth());
    expect(js.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(js.body).toBe('console.log(1)');
    expect((await get('/assets/style.css', auth())).headers['content-type']).toBe('text/css; charset=utf-8');
    expect((await get('/', auth())).headers['content-type']).toBe('text/html; charset=utf-8');
  });

  it('falls back to index.html for app routes but not for missing assets', async () => {
    const route = await get('/gallery/some-view', auth());
    expect(route.status).toBe(200);
    expect(route.body).toContain('<title>app</title>');
    expect((await get('/assets/missing.js', auth())).status).toBe(404);
  });

  it('refuses paths that climb out of the renderer folder in any spelling', async () => {
    for (const path of ['/../secret.txt', '/%2e%2e/secret.txt', '/assets/..%2f..%2fsecret.txt', '/assets/%2E%2E/%2E%2E/secret.txt', '/..%5csecret.txt']) {
      const r = await get(path, auth());
      expect(r.status, path).toBe(403);
      expect(r.body, path).not.toContain('SECRET');
    }
  });

  it('refuses writes', async () => {
    const r = await new Promise<number>((resolve) => {
      const req = request({ host: '127.0.0.1', port: server.port, path: '/', method: 'POST', headers: auth() }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.end();
    });
    expect(r).toBe(405);
  });
});

describe('when the renderer is not built', () => {
  it('answers 503 with a page that says to run npm run build', async () => {
    const bare = await serveWorkbench({ handlers: fakeHandlers(seen), media: fakeMedia }, { rendererDir: join(dir, 'nothing-here'), token });
    try {
      const r = await new Promise<Reply>((resolve) => {
        request({ host: '127.0.0.1', port: bare.port, path: '/', headers: auth() }, (res) => {
          let body = '';
          res.on('data', (c) => (body += c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
        }).end();
      });
      expect(r.status).toBe(503);
      expect(r.body).toContain('npm run build');
    } finally {
      await bare.close();
    }
  });
});

describe('/media', () => {
  it('returns the bytes with their content type', async () => {
    const r = await get(`/media?kind=original&path=${encodeURIComponent('/opened/a.png')}&token=${token}`);
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toBe('image/png');
    expect(r.body).toBe('PNGDATA');
  });

  it('maps a bad query to 400, outside-opened-folders to 403, missing to 404 and corrupt to 422, with the error as JSON', async () => {
    const cases: [string, number, string][] = [
      ['kind=thumbnail&path=/opened/a.png&size=100', 400, 'bad-request'],
      ['kind=video&path=/opened/a.png', 400, 'bad-request'],
      ['kind=original&path=/etc/passwd', 403, 'outside-opened-folders'],
      ['kind=original&path=/opened/missing.png', 404, 'not-found'],
      ['kind=thumbnail&path=/opened/corrupt.png&size=256', 422, 'corrupt-image'],
    ];
    for (const [query, status, code] of cases) {
      const r = await get(`/media?${query}`, auth());
      expect(r.status, query).toBe(status);
      expect(r.headers['content-type']).toBe('application/json; charset=utf-8');
      expect(JSON.parse(r.body).code, query).toBe(code);
    }
    expect(JSON.parse((await get('/media?kind=original&path=/opened/corrupt.png', auth())).body).hint).toBe('Re-export it.');
  });

  it('needs the token like everything else', async () => {
    expect((await get('/media?kind=original&path=/opened/a.png')).status).toBe(401);
  });
});

function open(query: string, headers: Record<string, string> = {}): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/api${query}`, { headers });
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    ws.once('error', reject);
  });
}

function apiOver(ws: WebSocket) {
  return createApi(
    {
      send: (m) => ws.send(JSON.stringify(m)),
      onMessage: (receive) => ws.on('message', (data) => receive(JSON.parse(String(data)))),
    },
    () => '',
  );
}

describe('WebSocket /api', () => {
  it('refuses a handshake without the token or with a wrong one', async () => {
    await expect(open('')).rejects.toThrow('HTTP 401');
    await expect(open('?token=wrong')).rejects.toThrow('HTTP 401');
  });

  it('refuses a handshake from a foreign origin or to a foreign Host', async () => {
    await expect(open(`?token=${token}`, { Origin: 'http://evil.example' })).rejects.toThrow('HTTP 403');
    await expect(open(`?token=${token}`, { Origin: `http://127.0.0.1:${server.port + 1}` })).rejects.toThrow('HTTP 403');
    await expect(open(`?token=${token}`, { Host: `evil.example:${server.port}` })).rejects.toThrow('HTTP 403');
  });

  it('accepts its own origin with the token in the query, cookie or bearer header', async () => {
    for (const ws of [
      await open(`?token=${token}`, { Origin: `http://127.0.0.1:${server.port}` }),
      await open('', { Cookie: `laser_token=${token}` }),
      await open('', auth()),
    ]) {
      expect(ws.readyState).toBe(WebSocket.OPEN);
      ws.close();
    }
  });

  it('carries a call with its progress events and its result', async () => {
    const ws = await open(`?token=${token}`);
    const api = apiOver(ws);
    const progress: unknown[] = [];
    const summary = await api.call('library.scan', { root: '/opened' }, { onProgress: (p) => progress.push(p) });
    expect(summary.found).toBe(1);
    expect(progress).toHaveLength(1);
    expect(await api.call('host.info', {})).toMatchObject({ transport: 'http' });
    ws.close();
  });

  it('carries a validation error back as a WorkbenchError', async () => {
    const ws = await open(`?token=${token}`);
    const api = apiOver(ws);
    await expect(api.call('library.scan', { root: '' })).rejects.toMatchObject({ code: 'bad-request' });
    ws.close();
  });

  it('cancels a call on request and answers it with a cancelled error', async () => {
    const ws = await open(`?token=${token}`);
    const api = apiOver(ws);
    const controller = new AbortController();
    const call = api.call('library.imageDetails', { path: '/opened/slow.png' }, { signal: controller.signal });
    await new Promise((r) => setTimeout(r, 50));
    controller.abort();
    await expect(call).rejects.toMatchObject({ code: 'cancelled' });
    expect(seen.aborted).toContain('/opened/slow.png');
    ws.close();
  });

  it('cancels the calls in flight when the connection closes', async () => {
    const ws = await open(`?token=${token}`);
    ws.send(JSON.stringify({ type: 'call', id: 1, method: 'library.imageDetails', request: { path: '/opened/dropped.png' } }));
    await new Promise((r) => setTimeout(r, 50));
    ws.close();
    await expect.poll(() => seen.aborted).toContain('/opened/dropped.png');
  });

  it('answers a frame over 1 MiB with a too-large error for its call, and keeps the connection', async () => {
    const ws = await open(`?token=${token}`);
    const api = apiOver(ws);
    await expect(api.call('library.scan', { root: 'x'.repeat(2 * 1024 * 1024) })).rejects.toMatchObject({
      code: 'too-large',
      message: expect.stringMatching(/^Refused a message of \d+ bytes: the limit is 1048576 bytes/),
    });
    expect(await api.call('host.info', {})).toMatchObject({ transport: 'http' });
    ws.close();
  });

  it('closes the connection only on a frame over the hard bound (8 MiB)', async () => {
    const ws = await open(`?token=${token}`);
    const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
    ws.send('x'.repeat(9 * 1024 * 1024));
    expect(await closed).toBe(1009);
  });

  it('answers frames it cannot read (not JSON, binary, not a call, too deep) with typed errors', async () => {
    const ws = await open(`?token=${token}`);
    const replies: unknown[] = [];
    ws.on('message', (data) => replies.push(JSON.parse(String(data))));
    ws.send('{not json');
    ws.send(Buffer.from([1, 2, 3]), { binary: true });
    ws.send('{"type":"hello"}');
    ws.send(JSON.stringify({ type: 'call', id: -1, method: 'host.info', request: {} }));
    ws.send(`{"type":"call","id":3,"method":"host.info","request":${'['.repeat(400_000)}${']'.repeat(400_000)}}`);
    ws.send(JSON.stringify({ type: 'call', id: 4, method: 'no.such', request: {} }));
    await expect.poll(() => replies.length).toBe(6);
    expect(replies).toEqual([
      { type: 'error', id: null, error: { code: 'bad-request', message: expect.stringMatching(/^Refused a frame that is not valid JSON \(/) } },
      { type: 'error', id: null, error: { code: 'bad-request', message: 'Refused a binary frame: the API speaks JSON text frames only.' } },
      { type: 'error', id: null, error: { code: 'bad-request', message: expect.stringMatching(/^Unknown message type "hello"/) } },
      { type: 'error', id: -1, error: { code: 'bad-request', message: "A call's id must be an integer ≥ 0; got -1." } },
      { type: 'error', id: 3, error: expect.objectContaining({ code: 'too-large', message: 'Refused a message nested deeper than 64 levels.' }) },
      { type: 'error', id: 4, error: expect.objectContaining({ code: 'unknown-method' }) },
    ]);
    expect(ws.readyState).toBe(WebSocket.OPEN);
    ws.close();
  });
});

describe('a handler that throws a bug', () => {
  it('answers the call with an internal error naming the crash log, and the server goes on serving', async () => {
    const logs = join(dir, 'data');
    const { reportUnexpected } = await import('../engine/library/crash-log.ts');
    const buggy: Handlers = {
      ...fakeHandlers(seen),
      'library.recent': async () => {
        throw new TypeError('x.map is not a function');
      },
    };
    const other = await serveWorkbench(
      { handlers: buggy, media: fakeMedia },
      { rendererDir: join(dir, 'renderer'), token, onUnexpected: reportUnexpected('laser serve', { LASER_DATA_DIR: logs }) },
    );
    const ws = new WebSocket(`ws://127.0.0.1:${other.port}/api?token=${token}`);
    await new Promise((r) => ws.once('open', r));
    const api = apiOver(ws);
    const e = (await api.call('library.recent', {}).catch((x: unknown) => x)) as WorkbenchError;
    expect(e).toMatchObject({
      code: 'internal',
      message: expect.stringMatching(
        new RegExp(`^Unexpected error in library\\.recent: TypeError: x\\.map is not a function \\(full trace in ${join(logs, 'logs')}/crash-\\S+\\.log\\)$`),
      ),
    });
    expect(await api.call('host.info', {})).toMatchObject({ transport: 'http' });
    ws.close();
    await other.close();
  });
});

describe('close', () => {
  it('drops open connections and stops listening', async () => {
    const other = await serveWorkbench({ handlers: fakeHandlers(seen), media: fakeMedia }, { rendererDir: join(dir, 'renderer'), token });
    const ws = new WebSocket(`ws://127.0.0.1:${other.port}/api?token=${token}`);
    await new Promise((r) => ws.once('open', r));
    const closed = new Promise((r) => ws.once('close', r));
    await other.close();
    await closed;
    await expect(
      new Promise((resolve, reject) => request({ host: '127.0.0.1', port: other.port, path: '/' }, resolve).on('error', reject).end()),
    ).rejects.toThrow(/ECONNREFUSED/);
  });

  it('prints a URL with the bound port and the token', () => {
    expect(server.url).toBe(`http://127.0.0.1:${server.port}/?token=${token}`);
  });
});
