/**
 * The serve-mode session token. Anyone who can reach the port could otherwise read every opened
 * folder, so every request must carry the token: in the page URL's `?token=` the first time, then in
 * an HttpOnly cookie (for the page's own assets), or as `Authorization: Bearer` for scripts.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export const tokenCookieName = 'laser_token';

export function createSessionToken(): string {
  return randomBytes(32).toString('hex');
}

/** Constant-time equality. Hashing first gives equal lengths, so not even the length leaks. */
export function tokensEqual(candidate: string, expected: string): boolean {
  const a = createHash('sha256').update(candidate).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

export interface TokenCandidates {
  query: string | null;
  cookie: string | null;
  bearer: string | null;
}

export function tokenCandidates(req: IncomingMessage, url: URL): TokenCandidates {
  const auth = req.headers.authorization;
  const bearer = auth && /^Bearer\s+/i.test(auth) ? auth.replace(/^Bearer\s+/i, '').trim() : null;
  return { query: url.searchParams.get('token'), cookie: readCookie(req.headers.cookie, tokenCookieName), bearer };
}

export type Authentication = { ok: false } | { ok: true; via: keyof TokenCandidates };

/** Accepts the request when any of the places a token can travel holds the right one. */
export function authenticate(candidates: TokenCandidates, expected: string): Authentication {
  for (const via of ['cookie', 'query', 'bearer'] as const) {
    const value = candidates[via];
    if (value !== null && tokensEqual(value, expected)) return { ok: true, via };
  }
  return { ok: false };
}

export function sessionCookie(token: string): string {
  return `${tokenCookieName}=${token}; HttpOnly; SameSite=Strict; Path=/`;
}

export function readCookie(header: string | undefined, name: string): string | null {
  if (!header) return null;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return null;
}
