/** The registered models, one row each: which one runs use, its shape, where it lives, and why it cannot run when it cannot. */
import { useState } from 'react';
import type { ModelInfo } from '../../../common/contract/methods.ts';
import { isUsable, modelShape } from './selected-model.ts';

const SOURCE: Record<ModelInfo['source'], string> = { demo: 'demo', compiled: 'compiled here', bundle: 'bundle' };

/** What an int8 / int4 bundle quantised, in words, for the dtype cell's tooltip. */
function quantizationTitle(q: NonNullable<ModelInfo['quantization']>): string {
  const also = [q.lmHead && 'lm_head', q.embeddings && 'embeddings', q.vision && 'the vision tower'].filter(Boolean).join(', ');
  return `blocks of ${q.blockSize}, ${q.symmetric ? 'symmetric' : 'with zero points'}, accuracy level ${q.accuracyLevel}; the decoder's Linear layers${also ? ` and ${also}` : ''} quantised`;
}

export function ModelTable({
  models,
  selected,
  onSelect,
  onRemove,
  busy,
}: {
  models: ModelInfo[];
  selected: ModelInfo | null;
  onSelect: (id: string) => void;
  onRemove: (m: ModelInfo) => void;
  busy: boolean;
}) {
  const [confirming, setConfirming] = useState<string | null>(null);
  if (models.length === 0) {
    return (
      <div className="muted" data-testid="models-empty">
        No models yet. Add a compiled bundle or a Hugging Face checkpoint (LLaVA-1.5, Qwen2-VL, Qwen2.5-VL) below.
      </div>
    );
  }
  return (
    <table className="data-table models-table" data-testid="models-table">
      <thead>
        <tr>
          <th aria-label="Use" />
          <th>Name</th>
          <th>Architecture</th>
          <th className="num" title="decoder layers × attention heads">
            Layers × heads
          </th>
          <th className="num" title="visual token grid, rows × columns">
            Grid
          </th>
          <th>Dtype</th>
          <th>Compiled</th>
          <th>Status</th>
          <th />
        </tr>
      </thead>
      <tbody>
        {models.map((m) => {
          const shape = modelShape(m);
          const usable = isUsable(m);
          const isSelected = selected?.id === m.id;
          // An unavailable model's shape could not be read (its folder is gone): say nothing rather than 0 × 0.
          const known = m.status !== 'unavailable' || m.layers > 0;
          return (
            <tr
              key={m.id}
              data-testid="model-row"
              data-model-id={m.id}
              data-status={m.status}
              data-source={m.source}
              data-dtype={m.dtype}
              className={isSelected ? 'selected' : undefined}
            >
              <td>
                <input
                  type="radio"
                  name="model"
                  aria-label={`Use ${m.name}`}
                  checked={isSelected}
                  disabled={!usable}
                  onChange={() => onSelect(m.id)}
                  data-testid="model-use"
                />
              </td>
              <td>
                <div className="model-name">{m.name}</div>
                <div className="model-dir" title={m.dir ?? ''}>
                  {m.dir ?? 'compiles on first use'}
                </div>
                {m.status === 'unavailable' && m.problem && <div className="model-problem">{m.problem}</div>}
              </td>
              <td>{known ? m.architecture : '—'}</td>
              <td className="num">{known ? shape.layersHeads : '—'}</td>
              <td className="num">{known ? shape.grid : '—'}</td>
              <td data-testid="model-dtype">
                {known ? m.dtype : '—'}
                {m.quantization && (
                  <div className="small muted nowrap" title={quantizationTitle(m.quantization)}>
                    block {m.quantization.blockSize}
                    {m.quantization.symmetric ? '' : ', zero points'}
                  </div>
                )}
              </td>
              <td className="small muted nowrap">
                {m.compiledAt ? new Date(m.compiledAt).toLocaleString(undefined, { dateStyle: 'short', timeStyle: 'short' }) : '—'}
              </td>
              <td>
                {m.status === 'ready' && <span className="badge ok">ready</span>}
                {m.status === 'not-compiled' && <span className="badge">compiles on first use</span>}
                {m.status === 'unavailable' && (
                  <span className="badge bad" data-testid="model-problem" title={m.problem ?? ''}>
                    unavailable
                  </span>
                )}
                <span className="muted model-source">{SOURCE[m.source]}</span>
                {!m.hasTokenizer && m.status !== 'unavailable' && <div className="warn small">no tokenizer: cannot run questions</div>}
              </td>
              <td className="actions">
                {m.source !== 'demo' &&
                  (confirming === m.id ? (
                    <span className="confirm">
                      {m.source === 'compiled' ? 'Delete its compiled files?' : 'Unregister (files stay)?'}
                      <button
                        className="danger"
                        data-testid="model-remove-confirm"
                        onClick={() => {
                          setConfirming(null);
                          onRemove(m);
                        }}
                      >
                        Remove
                      </button>
                      <button onClick={() => setConfirming(null)}>Keep</button>
                    </span>
                  ) : (
                    <button data-testid="model-remove" disabled={busy} onClick={() => setConfirming(m.id)}>
                      Remove…
                    </button>
                  ))}
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
