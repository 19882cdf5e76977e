/**
 * The registered models, shared by the top bar, the Models panel and the analysis panel: the list
 * (reloaded after an add or a remove), the model runs use (remembered in localStorage), and whether
 * the Models panel is open.
 */
import { createContext, useCallback, useContext, useMemo, useState } from 'react';
import type { ReactNode } from 'react';
import type { ModelInfo } from '../../../common/contract/methods.ts';
import { useCall, type CallState } from '../common/use-call.ts';
import { useApi } from '../host-context.tsx';
import { effectiveModel, readSelectedModel, writeSelectedModel, type KeyValueStore } from './selected-model.ts';

export interface Models {
  list: CallState<ModelInfo[]>;
  /** The model runs use, or null when none can run. */
  selected: ModelInfo | null;
  select(id: string): void;
  reload(): void;
  panelOpen: boolean;
  setPanelOpen(open: boolean): void;
}

const ModelsContext = createContext<Models | null>(null);

function browserStore(): KeyValueStore | null {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}

export function ModelsProvider({ children }: { children: ReactNode }) {
  const api = useApi();
  const [version, setVersion] = useState(0);
  const [remembered, setRemembered] = useState(() => readSelectedModel(browserStore()));
  const [panelOpen, setPanelOpen] = useState(false);
  const list = useCall<ModelInfo[]>(`models:${version}`, () => api.call('models.list', {}));

  const select = useCallback((id: string) => {
    writeSelectedModel(browserStore(), id);
    setRemembered(id);
  }, []);
  const reload = useCallback(() => setVersion((v) => v + 1), []);

  const selected = list.status === 'ok' ? effectiveModel(list.value, remembered) : null;
  const value = useMemo(() => ({ list, selected, select, reload, panelOpen, setPanelOpen }), [list, selected, select, reload, panelOpen]);
  return <ModelsContext.Provider value={value}>{children}</ModelsContext.Provider>;
}

export function useModels(): Models {
  const m = useContext(ModelsContext);
  if (!m) throw new Error('useModels() outside <ModelsProvider>.');
  return m;
}
