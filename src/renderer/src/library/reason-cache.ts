/**
 * Why a thumbnail failed to load. The <img> only says "error"; the reason comes from asking the
 * host for the image's details, once per path however often its tile scrolls in and out of view.
 */
import type { Api } from '../../../common/contract/client.ts';
import { toErrorData } from '../../../common/contract/errors.ts';

export interface ReasonCache {
  /** The reason already known for a path, if any. */
  known(path: string): string | undefined;
  /** Finds the reason (at most one host call per path). */
  explain(path: string): Promise<string>;
}

export function createReasonCache(lookup: (path: string) => Promise<string>): ReasonCache {
  const done = new Map<string, string>();
  const running = new Map<string, Promise<string>>();
  return {
    known: (path) => done.get(path),
    explain(path) {
      const cached = done.get(path);
      if (cached !== undefined) return Promise.resolve(cached);
      let p = running.get(path);
      if (!p) {
        p = lookup(path).then((reason) => {
          done.set(path, reason);
          running.delete(path);
          return reason;
        });
        running.set(path, p);
      }
      return p;
    },
  };
}

/** The lookup against the host: the details call fails with the reason when the file is broken. */
export function explainWithApi(api: Api): (path: string) => Promise<string> {
  return async (path) => {
    try {
      const d = await api.call('library.imageDetails', { path });
      return `The file reads as a ${d.width}×${d.height} ${d.format} image, but no thumbnail could be made from it.`;
    } catch (e) {
      const err = toErrorData(e);
      return err.message;
    }
  };
}
