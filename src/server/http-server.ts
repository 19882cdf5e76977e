/**
 * Serve mode: the built renderer, the wire protocol on a WebSocket at /api and image bytes at
 * /media, all behind one session token, on one port. Knows nothing about how the Workbench was made.
 */
import { createReadStream } from 'node:fs';
import { createServer, STATUS_CODES } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { WebSocketServer } from 'ws';
import { WorkbenchError } from '../common/contract/errors.ts';
import type { Workbench } from '../engine/service/types.ts';
import { hardFrameBytes, serveWireProtocol } from './api-socket.ts';
import type { WireHostOptions } from '../common/contract/host.ts';
import { handleMediaRequest } from './media-route.ts';
import { isAllowedHostHeader, isAllowedOrigin, isWildcardHost } from './request-guards.ts';
import type { BoundAddress } from './request-guards.ts';
import { applySecurityHeaders, securityHeaders } from './security-headers.ts';
import { authenticate, createSessionToken, sessionCookie, tokenCandidates } from './session-token.ts';
import { locateStatic, notBuiltPage } from '../engine/service/static-files.ts';
import { join } from 'node:path';
import { packageRoot } from '../engine/library/package-root.ts';

export const defaultRendererDir = join(packageRoot(), 'out', 'renderer');

export interface ServeOptions {
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  rendererDir?: string;
  /** A fixed session token (tests, scripted use); a random one otherwise. */
  token?: string;
  /** The error a call gets when its handler throws something that is not a WorkbenchError (a bug). */
  onUnexpected?: WireHostOptions['onUnexpected'];
}

export interface RunningServer {
  /** The page address, token included: the one thing a user needs to open. */
  url: string;
  host: string;
  port: number;
  token: string;
  close(): Promise<void>;
}

const unauthorizedText = 'Unauthorized: open the address that `laser serve` printed; it carries the session token.';

export async function serveWorkbench(workbench: Pick<Workbench, 'handlers' | 'media'>, options: ServeOptions = {}): Promise<RunningServer> {
  const host = options.host ?? '127.0.0.1';
  const rendererDir = options.rendererDir ?? defaultRendererDir;
  const token = options.token ?? createSessionToken();
  if (!/^[A-Za-z0-9._~-]{16,256}$/.test(token)) {
    throw new WorkbenchError('bad-request', 'The session token must be 16 to 256 URL-safe characters.', 'Leave the token out to get a random one.');
  }
  const bound: BoundAddress = { host, port: options.port ?? 0 };
  const wss = new WebSocketServer({ noServer: true, maxPayload: hardFrameBytes });

  async function handleRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    applySecurityHeaders(res);
    const url = new URL(req.url ?? '/', 'http://request.invalid');
    if (!isAllowedHostHeader(req.headers.host, bound)) {
      sendText(res, 403, 'Forbidden: this server answers only to its own address (unexpected Host header).');
      return;
    }
    const auth = authenticate(tokenCandidates(req, url), token);
    if (!auth.ok) {
      sendText(res, 401, unauthorizedText);
      return;
    }
    // The page's own scripts and styles are fetched without the query; the cookie carries it.
    if (auth.via === 'query') res.setHeader('Set-Cookie', sessionCookie(token));
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD');
      sendText(res, 405, 'Method Not Allowed: this server only reads.');
      return;
    }
    const headOnly = req.method === 'HEAD';
    const rawPath = (req.url ?? '/').split(/[?#]/)[0];
    if (rawPath === '/media') {
      await handleMediaRequest(workbench.media, url, res, headOnly);
      return;
    }
    if (rawPath === '/api') {
      sendText(res, 426, 'Upgrade Required: /api is a WebSocket endpoint.');
      return;
    }
    const target = await locateStatic(rendererDir, rawPath);
    switch (target.kind) {
      case 'not-built': {
        const page = notBuiltPage(target.rendererDir);
        res.writeHead(503, { 'Content-Type': 'text/html; charset=utf-8', 'Content-Length': Buffer.byteLength(page), 'Cache-Control': 'no-store' });
        res.end(headOnly ? undefined : page);
        return;
      }
      case 'forbidden':
        sendText(res, 403, 'Forbidden: that path leaves the application folder.');
        return;
      case 'not-found':
        sendText(res, 404, 'Not Found.');
        return;
      case 'file':
        res.writeHead(200, {
          'Content-Type': target.contentType,
          'Content-Length': target.bytes,
          // Built assets carry a content hash in their names; index.html must always be revalidated.
          'Cache-Control': target.immutable ? 'private, max-age=31536000, immutable' : 'no-cache',
        });
        if (headOnly) res.end();
        else await pipeline(createReadStream(target.file), res);
    }
  }

  function handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = new URL(req.url ?? '/', 'http://request.invalid');
    const rawPath = (req.url ?? '/').split(/[?#]/)[0];
    if (rawPath !== '/api') return rejectUpgrade(socket, 404, 'Not Found: the API WebSocket is at /api.');
    if (!isAllowedHostHeader(req.headers.host, bound)) return rejectUpgrade(socket, 403, 'Forbidden: unexpected Host header.');
    if (!isAllowedOrigin(req.headers.origin, req.headers.host)) return rejectUpgrade(socket, 403, 'Forbidden: WebSocket from another origin.');
    if (!authenticate(tokenCandidates(req, url), token).ok) return rejectUpgrade(socket, 401, unauthorizedText);
    wss.handleUpgrade(req, socket, head, (ws) => serveWireProtocol(ws, workbench.handlers, { onUnexpected: options.onUnexpected }));
  }

  const server = createServer((req, res) => {
    handleRequest(req, res).catch(() => {
      if (!res.headersSent) sendText(res, 500, 'Internal Server Error.');
      else res.destroy();
    });
  });
  server.on('upgrade', handleUpgrade);
  await listen(server, bound);
  const address = server.address();
  bound.port = typeof address === 'object' && address ? address.port : bound.port;

  return {
    url: `http://${urlHost(host)}:${bound.port}/?token=${token}`,
    host,
    port: bound.port,
    token,
    async close() {
      for (const client of wss.clients) client.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function listen(server: ReturnType<typeof createServer>, bound: BoundAddress): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'EADDRINUSE') {
        reject(
          new WorkbenchError(
            'bad-request',
            `Port ${bound.port} on ${bound.host} is already in use.`,
            'Choose another with --port, or --port 0 for any free port.',
          ),
        );
      } else if (e.code === 'EACCES') {
        reject(
          new WorkbenchError(
            'permission-denied',
            `Not allowed to listen on ${bound.host}:${bound.port}.`,
            'Ports below 1024 need privileges; choose a higher --port.',
          ),
        );
      } else if (e.code === 'EADDRNOTAVAIL' || e.code === 'ENOTFOUND') {
        reject(
          new WorkbenchError(
            'bad-request',
            `This machine has no address ${bound.host}.`,
            "Use --host 127.0.0.1, or an address of one of this machine's network interfaces.",
          ),
        );
      } else {
        reject(e);
      }
    });
    server.listen(bound.port, bound.host, () => resolve());
  });
}

/** The host to put in a URL: a wildcard bind is reachable locally through loopback. */
function urlHost(host: string): string {
  if (isWildcardHost(host)) return '127.0.0.1';
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}

function sendText(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

function rejectUpgrade(socket: Duplex, status: number, text: string): void {
  const headers = { ...securityHeaders(), 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': String(Buffer.byteLength(text)), Connection: 'close' };
  const head = Object.entries(headers)
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join('');
  socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\n${head}\r\n${text}`);
}
