/**
 * The pinned analyses the Compare view puts side by side: one list for the whole window, so runs
 * pinned on one image stay pinned while another image is open.
 */
import { useSyncExternalStore } from 'react';
import type { LaserResult } from '../../../common/contract/methods.ts';
import { addPin } from './compare.ts';

let pins: LaserResult[] = [];
const listeners = new Set<() => void>();

function set(next: LaserResult[]): void {
  pins = next;
  for (const l of listeners) l();
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
