/**
 * Why a thumbnail failed to load. The <img> only says "error"; the reason comes from asking the
 * host for the image's details, once per path however often its tile scrolls in and out of view.
 */
import type { Api } from '../../../common/contract/client.ts';
import { toErrorData } from '../../../common/contract/errors.ts';
import { thumbnailSize } from './thumbnail.ts';

export interface ReasonCache {
  /** The reason already known for a path, if any. */
  known(path: string): string | undefined;
  /** Finds the reason (at most one host call per path). */
  explain(path: string): Promise<string>;
  /**
   * How many files were found broken here: those whose header the scan read but whose pixels did
   * not decode (a truncated PNG), which only a failed thumbnail reveals. The scan's own count does
   * not include them.
   */
  count(): number;
  /** Called whenever `count` changes; returns the unsubscribe. */
  subscribe(listener: () => void): () => void;
}

export function createReasonCache(lookup: (path: string) => Promise<string>): ReasonCache {
  const done = new Map<string, string>();
  const running = new Map<string, Promise<string>>();
  const listeners = new Set<() => void>();
  return {
    known: (path) => done.get(path),
    count: () => done.size,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    explain(path) {
      const cached = done.get(path);
      if (cached !== undefined) return Promise.resolve(cached);
      let p = running.get(path);
      if (!p) {
        p = lookup(path).then((reason) => {
          done.set(path, reason);
          running.delete(path);
          for (const l of listeners) l();
          return reason;
        });
        running.set(path, p);
      }
      return p;
    },
  };
}

/**
 * The lookup against the host. A broken file fails the details call with the reason. A file whose
 * header reads fine but whose pixels do not (a truncated PNG) passes it, and then the media
 * response's own error body says what went wrong, where the page may read it.
 */
export function explainWithApi(api: Api, readMediaError: (url: string) => Promise<string | null> = fetchMediaError): (path: string) => Promise<string> {
  return async (path) => {
    let d;
    try {
      d = await api.call('library.imageDetails', { path });
    } catch (e) {
      return toErrorData(e).message;
    }
    const fromMedia = await readMediaError(api.mediaUrl({ kind: 'thumbnail', path, size: thumbnailSize }));
    return fromMedia ?? `The file reads as a ${d.width}×${d.height} ${d.format} image, but no thumbnail could be made from it.`;
  };
}

/** The message of a failed media response (JSON WorkbenchErrorData), or null when there is none to read. */
export async function fetchMediaError(url: string): Promise<string | null> {
  // Only HTTP media can be fetched: Electron's media scheme is outside the page's connect-src.
  if (!/^(\/|https?:)/.test(url)) return null;
  try {
    const response = await fetch(url, { cache: 'no-store' });
    if (response.ok) return null;
    const body: unknown = await response.json();
    const message = typeof body === 'object' && body !== null ? (body as { message?: unknown }).message : undefined;
    return typeof message === 'string' && message ? message : null;
  } catch {
    return null; // No answer or no JSON body: the caller falls back to what it knows.
  }
}
