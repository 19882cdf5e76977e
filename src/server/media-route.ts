/** The server's /media route, over the query parsing and error statuses it shares with Electron (src/engine/service/media-query.ts). */
import { createReadStream } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';
import { mediaErrorBody, parseMediaQuery } from '../engine/service/media-query.ts';
import type { MediaService } from '../engine/service/types.ts';

/** Answers GET /media on the HTTP server. */
export async function handleMediaRequest(media: MediaService, url: URL, res: ServerResponse, headOnly: boolean): Promise<void> {
  let answer;
  try {
    answer = await media.get(parseMediaQuery(url.searchParams));
  } catch (e) {
    const { status, body } = mediaErrorBody(e);
    const json = JSON.stringify(body);
    res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(json), 'Cache-Control': 'no-store' });
    res.end(headOnly ? undefined : json);
    return;
  }
  res.writeHead(200, { 'Content-Type': answer.contentType, 'Content-Length': answer.bytes, 'Cache-Control': 'private, no-cache' });
  if (headOnly) {
    res.end();
  } else if ('bytes' in answer.body) {
    res.end(answer.body.bytes);
  } else {
    // Headers are gone once streaming starts; a read error can only cut the response short.
    await pipeline(createReadStream(answer.body.file), res).catch(() => res.destroy());
  }
}
