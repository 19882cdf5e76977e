/**
 * Which model runs use. The choice is remembered in the browser (localStorage), keyed by the
 * model's id; when the remembered model is gone or cannot run, the first usable one is taken, so a
 * removed or moved model never leaves the analysis pointing at nothing without saying so.
 */
import type { ModelInfo } from '../../../common/contract/methods.ts';

export const SELECTED_MODEL_KEY = 'laser.selectedModel';

/** The part of Storage this module needs (a stand-in in tests). */
export interface KeyValueStore {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

export function readSelectedModel(store: KeyValueStore | null): string | null {
  try {
    return store?.getItem(SELECTED_MODEL_KEY) ?? null;
  } catch {
    // Storage can be disabled (private windows, a locked-down Electron profile): then nothing is remembered.
    return null;
  }
}

export function writeSelectedModel(store: KeyValueStore | null, id: string | null): void {
  try {
    if (id === null) store?.removeItem(SELECTED_MODEL_KEY);
    else store?.setItem(SELECTED_MODEL_KEY, id);
  } catch {
    // See readSelectedModel.
  }
}

/** A model a run can use: ready, or the demo model that compiles on first use. */
export function isUsable(m: ModelInfo): boolean {
  return m.status === 'ready' || m.status === 'not-compiled';
}

/**
 * The model in effect: the remembered one if it is listed and usable, else the first ready model,
 * else the first usable one (the demo model before its first compile), else none.
 */
export function effectiveModel(models: readonly ModelInfo[], remembered: string | null): ModelInfo | null {
  const kept = models.find((m) => m.id === remembered);
  if (kept && isUsable(kept)) return kept;
  return models.find((m) => m.status === 'ready') ?? models.find(isUsable) ?? null;
}

/** "32 × 32" layers × heads, "24 × 24" grid: how the model list and the analysis panel describe a model. */
export function modelShape(m: Pick<ModelInfo, 'layers' | 'heads' | 'grid'>): { layersHeads: string; grid: string } {
  return { layersHeads: `${m.layers} × ${m.heads}`, grid: m.grid ? `${m.grid[0]} × ${m.grid[1]}` : 'per image' };
}

/**
 * How a model is named in a menu: its name, and where two share a name (one checkpoint compiled
 * twice, with pad and with crop), the folder it lives in as well.
 */
export function modelLabels(models: readonly ModelInfo[]): Map<string, string> {
  const count = new Map<string, number>();
  for (const m of models) count.set(m.name, (count.get(m.name) ?? 0) + 1);
  return new Map(
    models.map((m) => {
      const folder = m.dir?.split(/[\\/]/).filter(Boolean).pop();
      return [m.id, (count.get(m.name) ?? 0) > 1 && folder && folder !== m.name ? `${m.name} (${folder})` : m.name];
    }),
  );
}
