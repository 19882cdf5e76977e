/**
 * What the user was looking at, kept in the tab's session storage so that a reload, or going to
 * another image and back, shows it again: per image, the run on screen (its record id) and the
 * view settings (layer, map, heads, colormap, smoothing, opacity, sinks in or out of the scale, what
 * is drawn); the pinned runs of Compare; and where the user was (the folder, the image open in the
 * image view, the question and method in the form), so a reload comes back to it.
 */
import { isColormapName } from '../../../common/figures/index.ts';
import { METHOD_IDS, type MethodId } from '../../../common/laser/knobs.ts';
import { parseHeadSelection } from '../../../common/laser/heads.ts';
import { MAP_IDS } from './maps.ts';
import { SMOOTHINGS, defaultViewSettings, type Smoothing, type ViewSettings } from './overlay.ts';

export interface StorageLike {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

export interface SavedView {
  resultId: string;
  view: ViewSettings;
}

const viewKey = (imagePath: string) => `laser.view:${imagePath}`;
const PINS_KEY = 'laser.pins';
const ID = /^[0-9a-f]{64}$/;

export function saveView(storage: StorageLike, imagePath: string, saved: SavedView): void {
  try {
    storage.setItem(viewKey(imagePath), JSON.stringify(saved));
  } catch {
    // a full or disabled storage only loses the convenience
  }
}

/** The saved view of an image, or null when there is none or it is not one this build wrote. */
export function loadView(storage: StorageLike, imagePath: string): SavedView | null {
  let v: unknown;
  try {
    v = JSON.parse(storage.getItem(viewKey(imagePath)) ?? 'null');
  } catch {
    return null;
  }
  if (typeof v !== 'object' || v === null) return null;
  const { resultId, view } = v as { resultId?: unknown; view?: Record<string, unknown> };
  if (typeof resultId !== 'string' || !ID.test(resultId) || typeof view !== 'object' || view === null) return null;
  const layer =
    view.layer === null || (typeof view.layer === 'number' && Number.isInteger(view.layer) && view.layer >= 0) ? (view.layer as number | null) : undefined;
  const map = view.map === 'off' || MAP_IDS.includes(view.map as never) ? (view.map as ViewSettings['map']) : undefined;
  const opacity = typeof view.opacity === 'number' && view.opacity >= 0 && view.opacity <= 1 ? view.opacity : undefined;
  const flags = ['showBox', 'showMasked', 'showTruth'] as const;
  if (layer === undefined || map === undefined || opacity === undefined || flags.some((f) => typeof view[f] !== 'boolean')) return null;
  // settings added later: absent (a view saved before them) takes the default, a bad value refuses the entry
  const d = defaultViewSettings;
  const colormap = view.colormap === undefined ? d.colormap : isColormapName(view.colormap) ? view.colormap : null;
  const smooth = view.smooth === undefined ? d.smooth : SMOOTHINGS.includes(view.smooth as Smoothing) ? (view.smooth as Smoothing) : null;
  const heads = view.heads === undefined ? d.heads : parseHeadSelection(view.heads);
  const excludeSinks = view.excludeSinks === undefined ? d.excludeSinks : typeof view.excludeSinks === 'boolean' ? view.excludeSinks : null;
  if (colormap === null || smooth === null || heads === null || excludeSinks === null) return null;
  return {
    resultId,
    view: {
      layer,
      map,
      opacity,
      showBox: view.showBox as boolean,
      showMasked: view.showMasked as boolean,
      showTruth: view.showTruth as boolean,
      colormap,
      smooth,
      heads,
      excludeSinks,
    },
  };
}

export function savePins(storage: StorageLike, ids: readonly string[]): void {
  try {
    storage.setItem(PINS_KEY, JSON.stringify(ids));
  } catch {
    // as above
  }
}

export function loadPins(storage: StorageLike): string[] {
  try {
    const v: unknown = JSON.parse(storage.getItem(PINS_KEY) ?? '[]');
    return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string' && ID.test(x)) : [];
  } catch {
    return [];
  }
}

/** Where the user was: the opened folder, the image open in the image view (its path) and the form's question and method. */
export interface SessionState {
  folder: string | null;
  image: string | null;
  question: string;
  method: MethodId;
}

const SESSION_KEY = 'laser.session';
export const emptySession: SessionState = { folder: null, image: null, question: '', method: 'laser' };

/** The saved session, each field checked on its own (a bad one takes its empty value). */
export function loadSession(storage: StorageLike): SessionState {
  let v: unknown;
  try {
    v = JSON.parse(storage.getItem(SESSION_KEY) ?? 'null');
  } catch {
    return emptySession;
  }
  if (typeof v !== 'object' || v === null) return emptySession;
  const o = v as Record<string, unknown>;
  const str = (x: unknown, max: number) => (typeof x === 'string' && x.length > 0 && x.length <= max ? x : null);
  return {
    folder: str(o.folder, 4096),
    image: str(o.image, 4096),
    question: str(o.question, 4000) ?? '',
    method: METHOD_IDS.includes(o.method as MethodId) ? (o.method as MethodId) : emptySession.method,
  };
}

/** Changes part of the saved session (a new folder forgets the image of the old one). */
export function saveSession(storage: StorageLike, change: Partial<SessionState>): void {
  const now = loadSession(storage);
  const next = { ...now, ...change };
  if (change.folder !== undefined && change.folder !== now.folder && change.image === undefined) next.image = null;
  try {
    storage.setItem(SESSION_KEY, JSON.stringify(next));
  } catch {
    // as above
  }
}
