/**
 * One host call as component state: loading, its result, or its error as data. Re-runs when the
 * key changes and drops answers that arrive for an old key.
 */
import { useEffect, useLayoutEffect, useRef, useState } from 'react';
import { toErrorData } from '../../../common/contract/errors.ts';
import type { WorkbenchErrorData } from '../../../common/contract/errors.ts';

export type CallState<T> = { status: 'loading' } | { status: 'ok'; value: T } | { status: 'error'; error: WorkbenchErrorData };

export function useCall<T>(key: string | null, run: () => Promise<T>): CallState<T> & { key: string | null } {
  const [state, setState] = useState<CallState<T> & { key: string | null }>({ status: 'loading', key });
  // `run` is a fresh closure every render; the key alone says when the call is a different one, so
  // the effect reads the latest `run` from a ref (updated before effects run) instead of depending on it.
  const latest = useRef(run);
  useLayoutEffect(() => {
    latest.current = run;
  });
  useEffect(() => {
    if (key === null) return;
    let live = true;
    latest.current().then(
      (value) => live && setState({ status: 'ok', value, key }),
      (e: unknown) => live && setState({ status: 'error', error: toErrorData(e), key }),
    );
    return () => {
      live = false;
    };
  }, [key]);
  return state.key === key ? state : { status: 'loading', key };
}
