/**
 * Answers `laser-app://app/…` with the built renderer's files, through the same path resolution as
 * serve mode (no escaping the folder, SPA fallback), with the security headers on every answer.
 */
import { readFile } from 'node:fs/promises';
import { securityHeaders } from '../engine/service/security-headers.ts';
import { locateStatic, notBuiltPage } from '../engine/service/static-files.ts';
import { appHost } from './app-url.ts';

export async function answerAppRequest(request: Request, rendererDir: string, csp: string): Promise<Response> {
  const headers = securityHeaders(csp);
  const text = (status: number, body: string) => new Response(body, { status, headers: { ...headers, 'Content-Type': 'text/plain; charset=utf-8' } });
  if (request.method !== 'GET' && request.method !== 'HEAD') return text(405, 'Method Not Allowed');
  const url = new URL(request.url);
  if (url.host !== appHost) return text(404, 'Not Found');
  const target = await locateStatic(rendererDir, url.pathname);
  switch (target.kind) {
    case 'not-built':
      return new Response(notBuiltPage(target.rendererDir), { status: 503, headers: { ...headers, 'Content-Type': 'text/html; charset=utf-8' } });
    case 'forbidden':
      return text(403, 'Forbidden');
    case 'not-found':
      return text(404, 'Not Found');
    case 'file':
      return new Response(request.method === 'HEAD' ? null : await readFile(target.file), {
        status: 200,
        headers: { ...headers, 'Content-Type': target.contentType, 'Content-Length': String(target.bytes) },
      });
  }
}
