/**
 * The Models panel (a dialog over whatever is on screen): the registered models with their shape,
 * the one runs use, and why an unavailable one cannot run; adding a model from a folder (a compiled
 * bundle registers at once, a Hugging Face checkpoint compiles first with the options chosen, with
 * progress and Cancel; other options for a checkpoint added before compile a bundle of their own);
 * removing one.
 */
import { useEffect, useState } from 'react';
import type { WorkbenchErrorData } from '../../../common/contract/errors.ts';
import { toErrorData } from '../../../common/contract/errors.ts';
import type { CompileOptionsRequest, HostInfo, ModelInfo } from '../../../common/contract/methods.ts';
import { ErrorPanel } from '../common/ErrorPanel.tsx';
import { Modal } from '../common/Modal.tsx';
import { useApi, usePickFolder } from '../host-context.tsx';
import { AddModelForm, type AddState } from './AddModelForm.tsx';
import { ModelTable } from './ModelTable.tsx';
import { useModels } from './models-context.tsx';

export function ModelsPanel({ host }: { host: HostInfo }) {
  const api = useApi();
  const pickFolder = usePickFolder();
  const models = useModels();
  const [add, setAdd] = useState<AddState>({ status: 'idle' });
  const [removeError, setRemoveError] = useState<WorkbenchErrorData | null>(null);
  const adding = add.status === 'adding';

  // A registered folder may have moved since the list was read: read it again on every opening.
  const { reload } = models;
  useEffect(() => reload(), [reload]);
  // Closing the panel does not stop a compile silently: it asks for Cancel first (the button says so).
  const close = () => !adding && models.setPanelOpen(false);

  const startAdd = async (path: string, compile: CompileOptionsRequest) => {
    const controller = new AbortController();
    setAdd({ status: 'adding', path, progress: null, controller });
    try {
      const model = await api.call(
        'models.add',
        { path, compile },
        { signal: controller.signal, onProgress: (progress) => setAdd((s) => (s.status === 'adding' && s.controller === controller ? { ...s, progress } : s)) },
      );
      setAdd({ status: 'added', model });
      models.select(model.id);
      models.reload();
    } catch (e) {
      setAdd({ status: 'failed', path, error: toErrorData(e) });
    }
  };

  const remove = async (m: ModelInfo) => {
    setRemoveError(null);
    try {
      await api.call('models.remove', { id: m.id });
    } catch (e) {
      setRemoveError(toErrorData(e));
    }
    models.reload();
  };

  return (
    <Modal
      title="Models"
      className="models-panel"
      testId="models-panel"
      closeTestId="models-close"
      onClose={close}
      closeBlocked={adding ? 'Cancel the compile first' : null}
    >
      {models.list.status === 'loading' && <div className="muted">Loading the models…</div>}
      {models.list.status === 'error' && (
        <ErrorPanel title="Could not list the models" error={models.list.error} testId="models-error">
          <button onClick={models.reload}>Try again</button>
        </ErrorPanel>
      )}
      {models.list.status === 'ok' && (
        <ModelTable models={models.list.value} selected={models.selected} onSelect={models.select} onRemove={(m) => void remove(m)} busy={adding} />
      )}
      {removeError && <ErrorPanel title="Could not remove the model" error={removeError} testId="model-remove-error" />}
      <AddModelForm
        host={host}
        state={add}
        onAdd={(p, compile) => void startAdd(p, compile)}
        onCancel={() => add.status === 'adding' && add.controller.abort()}
        onPickNative={pickFolder}
      />
    </Modal>
  );
}
