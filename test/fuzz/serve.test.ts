/**
 * Fuzz of what serve mode reads from the network and the path guard behind it. WebSocket frames
 * (random text, JSON values that are not calls, calls with odd ids, methods and requests, frames
 * nested past the limit, over the size limit, binary) go to a real server on loopback, one at a
 * time: each must get exactly one reply within 10 s, an error with a code (carrying the frame's id
 * when it had one) or a result, and the connection must stay usable. Paths built from `..`, `.`,
 * `%2e%2e`, NUL, empty and doubled separators and symbolic links in and out of an opened folder go
 * to the path guard: each resolves inside the folder or is refused with a one-line WorkbenchError.
 */
import { mkdir, mkdtemp, realpath, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { isAbsolute, join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { isWorkbenchError } from '../../src/common/contract/errors.ts';
import { OpenedFolders } from '../../src/engine/library/openedFolders.ts';
import { startServer } from '../../src/server/start-server.ts';
import type { RunningServer } from '../../src/server/http-server.ts';
import { rng, RUNS } from './generators.ts';
import { count, flushTally } from './tally.ts';

const seeds = RUNS > 0 ? RUNS * 10 : 40;
let work: string;
let server: RunningServer;
let ws: WebSocket;
const replies: string[] = [];
let waiting: ((text: string) => void) | null = null;

async function connect(): Promise<void> {
  ws = new WebSocket(`ws://127.0.0.1:${server.port}/api?token=${server.token}`);
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
  ws.on('message', (d) => {
    const text = String(d);
    if (waiting) {
      const w = waiting;
      waiting = null;
      w(text);
    } else replies.push(text);
  });
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'laser-fuzz-serve-'));
  server = await startServer({ dataDir: join(work, 'data'), rendererDir: join(work, 'no-renderer'), demoModelDir: null });
  await connect();
});
afterAll(async () => {
  flushTally('serve');
  ws?.close();
  await server?.close();
  if (work) await rm(work, { recursive: true, force: true });
});

function nextReply(ms: number): Promise<string | null> {
  const queued = replies.shift();
  if (queued !== undefined) return Promise.resolve(queued);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      waiting = null;
      resolve(null);
    }, ms);
    waiting = (text) => {
      clearTimeout(timer);
      resolve(text);
    };
  });
}

function pick<T>(r: () => number, xs: readonly T[]): T {
  return xs[Math.floor(r() * xs.length)];
}

function randomText(r: () => number, n: number): string {
  return Array.from({ length: n }, () => String.fromCharCode(32 + Math.floor(r() * 95))).join('');
}

/** One frame, and the id its reply must carry (undefined: any, or none). */
function frame(seed: number): { data: string | Buffer; binary: boolean; id?: number | null; what: string } {
  const r = rng(seed);
  const id = Math.floor(r() * 1e6);
  switch (seed % 9) {
    case 0:
      return { data: randomText(r, 1 + Math.floor(r() * 200)), binary: false, what: 'random text' };
    case 1:
      return {
        data: JSON.stringify(pick(r, [null, 1, 'x', [], {}, [1, 2], { type: 'hello' }, { type: 'call' }, { id }, true])),
        binary: false,
        what: 'a JSON value that is no call',
      };
    case 2:
      return {
        data: JSON.stringify({ type: 'call', id: pick(r, [-1, 1.5, 'seven', null, 2 ** 60]), method: 'host.info', request: {} }),
        binary: false,
        what: 'a call with an id that is not one',
      };
    case 3:
      return {
        data: JSON.stringify({ type: 'call', id, method: pick(r, ['nope', '', 'library.scan.x', '__proto__', 'constructor', randomText(r, 12)]), request: {} }),
        binary: false,
        id,
        what: 'an unknown method',
      };
    case 4:
      return {
        data: JSON.stringify({
          type: 'call',
          id,
          method: pick(r, ['library.imageDetails', 'laser.record', 'models.remove', 'settings.update', 'library.listDirectory']),
          request: pick<unknown>(r, [null, 5, 'x', [], { path: 7 }, { id: '' }, { maxImagePixels: -3 }, { path: '' }, { extra: true }]),
        }),
        binary: false,
        id,
        what: 'a call with a bad request',
      };
    case 5: {
      const depth = 65 + Math.floor(r() * 2000);
      return {
        data: `{"type":"call","id":${id},"method":"host.info","request":${'['.repeat(depth)}${']'.repeat(depth)}}`,
        binary: false,
        id,
        what: `a request nested ${depth} deep`,
      };
    }
    case 6:
      return {
        data: `{"type":"call","id":${id},"method":"host.info","request":{"pad":"${'x'.repeat(1024 * 1024 + Math.floor(r() * 1000))}"}}`,
        binary: false,
        id,
        what: 'a frame over 1 MiB',
      };
    case 7:
      return { data: Buffer.from(randomText(r, 50)), binary: true, what: 'a binary frame' };
    default:
      return {
        data: JSON.stringify({ type: 'call', id, method: pick(r, ['host.info', 'library.recent', 'settings.get', 'laser.methods']), request: {} }),
        binary: false,
        id,
        what: 'a good call',
      };
  }
}

describe('serve mode WebSocket frames: one reply each, never silence', () => {
  it(`answers every frame (${seeds} frames)`, async () => {
    for (let seed = 0; seed < seeds; seed++) {
      const f = frame(seed);
      ws.send(f.data, { binary: f.binary });
      const text = await nextReply(10_000);
      const shown = `frame seed ${seed} (${f.what})`;
      if (text === null) count('WebSocket', 'hang');
      expect(text, `${shown}: no reply within 10 s`).not.toBeNull();
      const reply = JSON.parse(text!) as { type: string; id: number | null; error?: { code: string; message: string } };
      if (f.id !== undefined) expect(reply.id, shown).toBe(f.id);
      if (reply.type === 'error') {
        expect(reply.error?.code, shown).toMatch(/^[a-z-]+$/);
        expect(reply.error?.message, shown).not.toContain('\n');
        expect(reply.error?.code, `${shown}: ${reply.error?.message}`).not.toBe('internal');
        expect(f.what, `${shown}: a good call was refused: ${reply.error?.message}`).not.toBe('a good call');
        count('WebSocket', 'clear error');
      } else {
        // Only a well-formed call may be answered with a result.
        if (f.what !== 'a good call') count('WebSocket', 'silent acceptance');
        expect(f.what, `${shown}: answered ${text!.slice(0, 200)}`).toBe('a good call');
        expect(reply.type, shown).toBe('result');
        count('WebSocket', 'correct result');
      }
      // Nothing else came for it.
      expect(await nextReply(20), `${shown}: a second reply`).toBeNull();
    }
    expect(ws.readyState, 'the connection stayed open').toBe(WebSocket.OPEN);
  }, 120_000);
});

describe('the path guard on paths built to escape (property)', () => {
  it(`resolves inside the opened folder or refuses in one line (${seeds * 5} paths)`, async () => {
    const root = join(work, 'opened');
    const outside = join(work, 'outside');
    await mkdir(join(root, 'sub'), { recursive: true });
    await mkdir(outside, { recursive: true });
    await writeFile(join(root, 'a.png'), 'a');
    await writeFile(join(root, 'sub', 'b.png'), 'b');
    await writeFile(join(outside, 'secret.png'), 's');
    await symlink(outside, join(root, 'out'));
    await symlink(join(root, 'sub'), join(root, 'in'));
    await symlink(join(outside, 'secret.png'), join(root, 'sub', 'leak.png'));
    const folders = new OpenedFolders();
    await folders.add(root);
    const realRoot = await realpath(root);
    const segments = ['a.png', 'b.png', 'sub', 'in', 'out', 'leak.png', 'secret.png', '..', '.', '', '%2e%2e', '..%2f', '\u0000', 'nope', '...', '~', 'opened'];
    for (let seed = 0; seed < seeds * 5; seed++) {
      const r = rng(seed);
      const parts = Array.from({ length: 1 + Math.floor(r() * 5) }, () => pick(r, segments));
      const base = pick(r, [root, root, work, '/', 'relative']);
      const p = base === 'relative' ? parts.join('/') : `${base}/${parts.join('/')}`;
      const shown = `path seed ${seed}: ${JSON.stringify(p)}`;
      try {
        const inside = await folders.resolveInside(p);
        const rel = relative(realRoot, await realpath(inside.real));
        const ok = rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
        if (!ok) count('paths', 'silent acceptance');
        expect(ok, `${shown} resolved to ${inside.real}, outside ${realRoot}`).toBe(true);
        count('paths', 'correct result');
      } catch (e) {
        if (!isWorkbenchError(e)) count('paths', 'crash');
        expect(isWorkbenchError(e), `${shown}: ${String(e)}`).toBe(true);
        expect((e as Error).message, shown).not.toMatch(/\n/);
        count('paths', 'clear error');
      }
    }
  });
});
