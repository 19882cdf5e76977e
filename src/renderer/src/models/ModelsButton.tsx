/** The top bar's way to the Models panel, naming the model runs use (or that there is none). */
import type { HostInfo } from '../../../common/contract/methods.ts';
import { ModelsPanel } from './ModelsPanel.tsx';
import { modelLabels } from './selected-model.ts';
import { useModels } from './models-context.tsx';

export function ModelsButton() {
  const models = useModels();
  const selected = models.selected;
  const name =
    selected && models.list.status === 'ok'
      ? (modelLabels(models.list.value).get(selected.id) ?? selected.name)
      : models.list.status === 'loading'
        ? '…'
        : 'none';
  return (
    <button data-testid="open-models" onClick={() => models.setPanelOpen(true)} title="Registered models: add, remove, choose the one runs use">
      Model:{' '}
      <span className={selected ? 'topbar-model' : 'topbar-model warn'} data-testid="current-model">
        {name}
      </span>
    </button>
  );
}

/** The Models panel, while it is open. */
export function ModelsDialog({ host }: { host: HostInfo }) {
  const models = useModels();
  return models.panelOpen ? <ModelsPanel host={host} /> : null;
}
