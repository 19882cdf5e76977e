/**
 * Answers `laser-media://media/?kind=…&path=…` requests in the main process with bytes the engine
 * provides: the same query schema, path guard (in the engine) and status codes as serve mode's
 * /media route.
 */
import { open } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { WorkbenchError } from '../common/contract/errors.ts';
import type { MediaRef } from '../common/contract/methods.ts';
import { mediaErrorBody, parseMediaQuery } from '../engine/service/media-query.ts';
import { mediaHost } from './app-url.ts';
import type { MediaAnswer } from './engine-supervisor.ts';

const baseHeaders = {
  'X-Content-Type-Options': 'nosniff',
  // Only the app's own pages can load this scheme; CORS lets them draw images into a canvas.
  'Access-Control-Allow-Origin': '*',
};

export async function answerMediaRequest(request: Request, media: (ref: MediaRef) => Promise<MediaAnswer>): Promise<Response> {
  try {
    if (request.method !== 'GET' && request.method !== 'HEAD') return new Response('Method Not Allowed', { status: 405, headers: baseHeaders });
    const url = new URL(request.url);
    if (url.host !== mediaHost) return new Response('Not Found', { status: 404, headers: baseHeaders });
    const answer = await media(parseMediaQuery(url.searchParams));
    const headers = { ...baseHeaders, 'Content-Type': answer.contentType, 'Content-Length': String(answer.bytes), 'Cache-Control': 'no-cache' };
    if (request.method === 'HEAD') return new Response(null, { status: 200, headers });
    if ('bytes' in answer.body) return new Response(answer.body.bytes, { status: 200, headers });
    const file = await open(answer.body.file, 'r');
    return new Response(Readable.toWeb(file.createReadStream()) as ReadableStream<Uint8Array>, { status: 200, headers });
  } catch (e) {
    const { status, body } = mediaErrorBody(fileError(e));
    return new Response(JSON.stringify(body), { status, headers: { ...baseHeaders, 'Content-Type': 'application/json; charset=utf-8' } });
  }
}

/** The engine checked the file; if it vanished since, that is a plain not-found. */
function fileError(e: unknown): unknown {
  const code = (e as NodeJS.ErrnoException)?.code;
  if (code === 'ENOENT') return new WorkbenchError('not-found', 'The image file disappeared before it could be read.', 'Rescan the folder.');
  return e;
}
