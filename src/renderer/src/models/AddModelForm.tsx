/**
 * Adding a model from a host folder: typed, found with the host's folder browser (serve mode), or
 * chosen in the native dialog (desktop). A checkpoint compiles, with the compile options chosen
 * (CompileOptionsForm), with a progress bar and Cancel.
 */
import { useState } from 'react';
import type { WorkbenchErrorData } from '../../../common/contract/errors.ts';
import type { CompileOptionsRequest, CompileProgress, HostInfo, ModelInfo } from '../../../common/contract/methods.ts';
import { ErrorPanel } from '../common/ErrorPanel.tsx';
import { FolderPathForm } from '../library/FolderPathForm.tsx';
import { compileRequestOf, DEFAULT_COMPILE_FIELDS } from './compile-form.ts';
import { compileFraction, compileLabel } from './compile-progress.ts';
import { CompileOptionsForm } from './CompileOptionsForm.tsx';
import { modelShape } from './selected-model.ts';

export type AddState =
  | { status: 'idle' }
  | { status: 'adding'; path: string; progress: CompileProgress | null; controller: AbortController }
  | { status: 'added'; model: ModelInfo }
  | { status: 'failed'; path: string; error: WorkbenchErrorData };

export function AddModelForm({
  host,
  state,
  onAdd,
  onCancel,
  onPickNative,
}: {
  host: HostInfo;
  state: AddState;
  onAdd: (path: string, compile: CompileOptionsRequest) => void;
  onCancel: () => void;
  onPickNative: (() => Promise<string | null>) | null;
}) {
  const [path, setPath] = useState('');
  const [compile, setCompile] = useState(DEFAULT_COMPILE_FIELDS);
  const adding = state.status === 'adding';
  const request = compileRequestOf(compile);
  // Options the contract refuses hold the Add back; their messages are on the fields.
  const add = (p: string) => request.ok && onAdd(p, request.request);

  return (
    <section className="add-model" data-testid="add-model">
      <h2>Add a model</h2>
      <p className="muted small">
        A folder written by <code>laser compile</code> (it has <code>manifest.json</code>) registers as it is. A Hugging Face checkpoint of LLaVA-1.5, Qwen2-VL
        or Qwen2.5-VL (<code>config.json</code> and <code>*.safetensors</code>) is compiled into the workbench&apos;s data folder first.
      </p>
      <FolderPathForm
        home={host.homeDir}
        path={path}
        onPathChange={setPath}
        onSubmit={add}
        disabled={adding}
        closeBrowserOnOpen
        input={{ testId: 'model-path', label: 'Model folder', placeholder: `Model folder, e.g. ${host.homeDir}/models/llava-1.5-7b-hf` }}
        submit={{ testId: 'model-add', label: 'Add' }}
        browseTestId="model-browse"
      >
        {onPickNative && (
          <button
            type="button"
            disabled={adding}
            onClick={async () => {
              const picked = await onPickNative();
              if (picked) {
                setPath(picked);
                add(picked);
              }
            }}
          >
            Choose folder…
          </button>
        )}
      </FolderPathForm>
      <CompileOptionsForm fields={compile} errors={request.ok ? {} : request.errors} onChange={setCompile} disabled={adding} />
      {state.status === 'adding' && (
        <div className="compile-progress" data-testid="compile-progress">
          <div className="progress-line">
            <span className="spinner" aria-hidden />
            <span className="grow">
              {state.progress ? compileLabel(state.progress) : 'Reading the folder…'} <span className="muted mono">{state.path}</span>
            </span>
            <button data-testid="compile-cancel" onClick={onCancel}>
              Cancel
            </button>
          </div>
          <div
            className="progress-bar"
            role="progressbar"
            aria-valuemin={0}
            aria-valuemax={100}
            aria-valuenow={state.progress ? Math.floor(compileFraction(state.progress) * 100) : 0}
          >
            <div style={{ width: `${state.progress ? compileFraction(state.progress) * 100 : 0}%` }} />
          </div>
        </div>
      )}
      {state.status === 'added' && (
        <div className="note ok" data-testid="model-added">
          Added <strong>{state.model.name}</strong> ({state.model.dtype}, {state.model.layers} layers × {state.model.heads} heads, grid{' '}
          {modelShape(state.model).grid}); runs use it now.
        </div>
      )}
      {state.status === 'failed' && state.error.code === 'cancelled' && (
        <div className="note small" data-testid="model-add-cancelled">
          Compiling <span className="mono">{state.path}</span> was cancelled; nothing was registered.
        </div>
      )}
      {state.status === 'failed' && state.error.code !== 'cancelled' && (
        <ErrorPanel title={`Could not add ${state.path}`} error={state.error} testId="model-add-error" />
      )}
    </section>
  );
}
