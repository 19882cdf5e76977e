/**
 * Media requests (thumbnails, originals, a record's input images) as URLs: parsing the query, and turning the engine's
 * answer or error into an HTTP status. Shared by the server's /media route (src/server/media-route.ts)
 * and Electron's media scheme (src/main/media-scheme.ts), so a corrupt image is a 422 and a path
 * outside the opened folders a 403 in both.
 */
import { WorkbenchError, toErrorData } from '../../common/contract/errors.ts';
import type { ErrorCode, WorkbenchErrorData } from '../../common/contract/errors.ts';
import { MediaQuery } from '../../common/contract/methods.ts';
import type { MediaRef } from '../../common/contract/methods.ts';

export function parseMediaQuery(params: URLSearchParams): MediaRef {
  const parsed = MediaQuery.safeParse(Object.fromEntries(params));
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(query)'}: ${i.message}`).join('; ');
    throw new WorkbenchError(
      'bad-request',
      `Invalid media query: ${issues}.`,
      'A media URL needs kind=thumbnail|original, path=…, and size=128|256|512 for thumbnails; or kind=record-input, id=<record id>, role=<input role>.',
    );
  }
  return parsed.data;
}

const statusByCode: Partial<Record<ErrorCode, number>> = {
  'bad-request': 400,
  'outside-opened-folders': 403,
  'permission-denied': 403,
  'not-found': 404,
  'not-a-directory': 404,
  'too-large': 413,
  'unsupported-image': 422,
  'corrupt-image': 422,
};

export function mediaErrorStatus(code: ErrorCode): number {
  return statusByCode[code] ?? 500;
}

export function mediaErrorBody(e: unknown): { status: number; body: WorkbenchErrorData } {
  const body = toErrorData(e);
  return { status: mediaErrorStatus(body.code), body };
}
