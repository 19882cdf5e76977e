/**
 * Runs `library.scan` and turns its progress events into state. Events are queued and applied at
 * most every 80 ms, so a scan of 20,000 images renders a few dozen times rather than thousands.
 */
import { useCallback, useEffect, useReducer, useRef } from 'react';
import type { ScanProgress } from '../../../common/contract/methods.ts';
import { toErrorData } from '../../../common/contract/errors.ts';
import { useApi } from '../host-context.tsx';
import { idleScan, mergeProgress, scanReducer } from './scan-state.ts';
import type { ScanState } from './scan-state.ts';

const flushEveryMs = 80;

export interface Scan {
  state: ScanState;
  start(root: string): void;
  cancel(): void;
}

export function useScan(onFinished?: () => void): Scan {
  const api = useApi();
  const [state, dispatch] = useReducer(scanReducer, idleScan);
  const current = useRef<{ id: number; controller: AbortController; queue: ScanProgress[]; timer: number | null } | null>(null);
  const nextId = useRef(1);
  const finished = useRef(onFinished);
  finished.current = onFinished;

  const flush = useCallback(() => {
    const scan = current.current;
    if (!scan) return;
    if (scan.timer !== null) window.clearTimeout(scan.timer);
    scan.timer = null;
    const action = mergeProgress(scan.id, scan.queue.splice(0));
    if (action) dispatch(action);
  }, []);

  const start = useCallback(
    (root: string) => {
      current.current?.controller.abort();
      const scan = { id: nextId.current++, controller: new AbortController(), queue: [] as ScanProgress[], timer: null as number | null };
      current.current = scan;
      dispatch({ type: 'start', scanId: scan.id, root });
      api
        .call(
          'library.scan',
          { root },
          {
            signal: scan.controller.signal,
            onProgress: (event) => {
              scan.queue.push(event);
              if (scan.timer === null && current.current === scan) scan.timer = window.setTimeout(flush, flushEveryMs);
            },
          },
        )
        .then(
          (summary) => {
            if (current.current !== scan) return;
            flush();
            dispatch({ type: 'done', scanId: scan.id, summary });
            finished.current?.();
          },
          (e: unknown) => {
            if (current.current !== scan) return;
            flush();
            dispatch({ type: 'failed', scanId: scan.id, error: toErrorData(e) });
            finished.current?.();
          },
        );
    },
    [api, flush],
  );

  const cancel = useCallback(() => current.current?.controller.abort(), []);

  useEffect(
    () => () => {
      current.current?.controller.abort();
      current.current = null;
    },
    [],
  );

  return { state, start, cancel };
}
