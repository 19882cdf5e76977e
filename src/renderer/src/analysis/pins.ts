/**
 * The pinned analyses the Compare view puts side by side: one list for the whole window, so runs
 * pinned on one image stay pinned while another image is open.
 */
import { useEffect, useSyncExternalStore } from 'react';
import type { Api } from '../../../common/contract/client.ts';
import type { LaserResult } from '../../../common/contract/methods.ts';
import { addPin } from './compare.ts';
import { loadPins, savePins } from './view-state.ts';

let pins: LaserResult[] = [];
const listeners = new Set<() => void>();

function set(next: LaserResult[]): void {
  pins = next;
  if (typeof sessionStorage !== 'undefined')
    savePins(
      sessionStorage,
      pins.map((p) => p.id),
    );
  for (const l of listeners) l();
}

let restoring = false;

/** After a reload: the pins of this tab, loaded again by record id (once per page; ones that no longer load are dropped). */
export function useRestoredPins(api: Api): void {
  useEffect(() => {
    if (restoring || pins.length > 0 || typeof sessionStorage === 'undefined') return;
    restoring = true;
    const ids = loadPins(sessionStorage);
    void Promise.all(ids.map((id) => api.call('laser.record', { id }).catch(() => null))).then((loaded) => {
      for (const r of loaded) if (r) set(addPin(pins, r));
    });
  }, [api]);
}

export const pinStore = {
  pin: (r: LaserResult) => set(addPin(pins, r)),
  unpin: (id: string) => set(pins.filter((p) => p.id !== id)),
  clear: () => set([]),
  get: () => pins,
  subscribe(l: () => void): () => void {
    listeners.add(l);
    return () => listeners.delete(l);
  },
};

export function usePins(): LaserResult[] {
  return useSyncExternalStore(pinStore.subscribe, pinStore.get);
}
