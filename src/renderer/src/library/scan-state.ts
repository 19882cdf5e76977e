/**
 * The state of one folder scan as the library view shows it. Entries stream in as progress
 * events; every action carries the id of the scan it belongs to, so events of a scan that was
 * replaced by a newer one are dropped.
 */
import type { ImageEntry, ScanProgress, ScanSummary } from '../../../common/contract/methods.ts';
import type { WorkbenchErrorData } from '../../../common/contract/errors.ts';

export interface ScanState {
  scanId: number;
  root: string | null;
  status: 'idle' | 'scanning' | 'done' | 'cancelled' | 'failed';
  entries: ImageEntry[];
  found: number;
  broken: number;
  directoriesVisited: number;
  summary: ScanSummary | null;
  error: WorkbenchErrorData | null;
}

export const idleScan: ScanState = {
  scanId: 0,
  root: null,
  status: 'idle',
  entries: [],
  found: 0,
  broken: 0,
  directoriesVisited: 0,
  summary: null,
  error: null,
};

export type ScanAction =
  | { type: 'start'; scanId: number; root: string }
  /** One or more progress events, merged: all their entries, the totals of the last. */
  | { type: 'progress'; scanId: number; entries: ImageEntry[]; totals: Omit<ScanProgress, 'entries'> }
  | { type: 'done'; scanId: number; summary: ScanSummary }
  | { type: 'failed'; scanId: number; error: WorkbenchErrorData };

export function scanReducer(state: ScanState, action: ScanAction): ScanState {
  if (action.type === 'start') return { ...idleScan, scanId: action.scanId, root: action.root, status: 'scanning' };
  if (action.scanId !== state.scanId || state.status !== 'scanning') return state;
  switch (action.type) {
    case 'progress':
      return {
        ...state,
        entries: action.entries.length ? state.entries.concat(action.entries) : state.entries,
        found: action.totals.found,
        broken: action.totals.broken,
        directoriesVisited: action.totals.directoriesVisited,
      };
    case 'done':
      return {
        ...state,
        status: 'done',
        summary: action.summary,
        found: action.summary.found,
        broken: action.summary.broken,
        directoriesVisited: action.summary.directoriesVisited,
      };
    case 'failed':
      // A cancelled scan keeps what it found; any other failure is shown instead of the grid.
      return action.error.code === 'cancelled' ? { ...state, status: 'cancelled' } : { ...state, status: 'failed', error: action.error };
  }
}

/** Merges queued progress events into one action, so a burst of events costs one render. */
export function mergeProgress(scanId: number, events: ScanProgress[]): ScanAction | null {
  if (events.length === 0) return null;
  const last = events[events.length - 1];
  return {
    type: 'progress',
    scanId,
    entries: events.length === 1 ? last.entries : events.flatMap((e) => e.entries),
    totals: { found: last.found, broken: last.broken, directoriesVisited: last.directoriesVisited },
  };
}
