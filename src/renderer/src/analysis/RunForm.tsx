/** The run controls: the model, the question, the method and its knobs, Run / Run all six / Cancel, and the run's progress. */
import type { FormEvent, KeyboardEvent } from 'react';
import { useState } from 'react';
import { useModels } from '../models/models-context.tsx';
import { isUsable, modelLabels, modelShape } from '../models/selected-model.ts';
import { compileFraction, compileLabel } from '../models/compile-progress.ts';
import { KnobForm } from './KnobForm.tsx';
import { knobsFromFields } from './knob-form.ts';
import { progressText, stageLabel } from './stages.ts';
import type { Analysis } from './use-analysis.ts';

function ModelLine() {
  const models = useModels();
  const list = models.list.status === 'ok' ? models.list.value.filter(isUsable) : [];
  const labels = modelLabels(list);
  return (
    <div className="form-row">
      <label className="form-label" htmlFor="analysis-model">
        Model
      </label>
      {models.list.status === 'error' ? (
        <span className="bad small grow" data-testid="analysis-model-error" title={models.list.error.hint}>
          {models.list.error.message}
        </span>
      ) : list.length === 0 ? (
        <span className="warn small grow" data-testid="analysis-no-model">
          {models.list.status === 'loading' ? 'loading…' : 'none yet: add one in Models'}
        </span>
      ) : (
        <select
          id="analysis-model"
          className="grow"
          data-testid="analysis-model"
          value={models.selected?.id ?? ''}
          onChange={(e) => models.select(e.target.value)}
        >
          {list.map((m) => {
            const s = modelShape(m);
            return (
              <option key={m.id} value={m.id}>
                {labels.get(m.id)} · {s.layersHeads} · grid {s.grid}
                {m.status === 'not-compiled' ? ' · compiles on first use' : ''}
              </option>
            );
          })}
        </select>
      )}
      <button type="button" onClick={() => models.setPanelOpen(true)} data-testid="analysis-manage-models">
        Models…
      </button>
    </div>
  );
}

function Progress({ a }: { a: Analysis }) {
  const r = a.running;
  if (!r) return null;
  const compile = r.progress.compile;
  const order = a.methods.status === 'ok' ? a.methods.value.map((m) => m.id) : [];
  return (
    <div className="run-progress" data-testid="run-progress" data-stage={r.progress.stages.at(-1)?.stage ?? ''}>
      <div className="progress-line">
        <span className="spinner" aria-hidden />
        <span className="grow">
          {r.mode === 'all' && (
            <span className="muted">
              {order.indexOf(r.method) + 1} / {order.length} ·{' '}
            </span>
          )}
          <strong>{r.method}</strong> · {progressText(r.progress)}
        </span>
        <button onClick={a.cancel} data-testid="run-cancel">
          Cancel
        </button>
      </div>
      {compile && (
        <>
          <div className="small muted">{compileLabel(compile)}</div>
          <div className="progress-bar">
            <div style={{ width: `${compileFraction(compile) * 100}%` }} />
          </div>
        </>
      )}
      <ol className="stage-list">
        {r.progress.stages.map((s) => (
          <li key={s.stage} className={s.done ? 'done' : 'current'}>
            {stageLabel(s.stage)}
            {s.total > 1 ? ` ${s.step}/${s.total}` : ''}
          </li>
        ))}
      </ol>
    </div>
  );
}

export function RunForm({ a }: { a: Analysis }) {
  const [showKnobs, setShowKnobs] = useState(false);
  const info = a.methods.status === 'ok' ? a.methods.value.find((m) => m.id === a.method) : undefined;
  const form = knobsFromFields(info?.knobs ?? [], a.fields);
  const changed = form.ok ? Object.keys(form.knobs).length : 0;
  const busy = a.running !== null;

  const submit = (e: FormEvent) => {
    e.preventDefault();
    a.run();
  };
  // Ctrl/Cmd+Enter in the question runs, as in a notebook.
  const onQuestionKey = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      a.run();
    }
  };

  return (
    <form className="run-form" onSubmit={submit} data-testid="run-form">
      <ModelLine />
      <textarea
        className="question"
        data-testid="analysis-question"
        rows={2}
        placeholder="Ask a question about this image (Ctrl+Enter runs)"
        value={a.question}
        onChange={(e) => a.setQuestion(e.target.value)}
        onKeyDown={onQuestionKey}
        aria-label="Question"
        spellCheck={false}
      />
      <div className="form-row">
        <label className="form-label" htmlFor="analysis-method">
          Method
        </label>
        {a.methods.status === 'ok' ? (
          <select
            id="analysis-method"
            className="grow"
            data-testid="analysis-method"
            value={a.method}
            onChange={(e) => a.setMethod(e.target.value as typeof a.method)}
            disabled={busy}
          >
            {a.methods.value.map((m) => (
              <option key={m.id} value={m.id}>
                {m.id}
              </option>
            ))}
          </select>
        ) : (
          <span
            className={a.methods.status === 'error' ? 'bad small grow' : 'muted small grow'}
            title={a.methods.status === 'error' ? a.methods.error.hint : undefined}
          >
            {a.methods.status === 'error' ? `Methods unavailable: ${a.methods.error.message}` : 'loading…'}
          </span>
        )}
        <button type="button" onClick={() => setShowKnobs((s) => !s)} aria-expanded={showKnobs} data-testid="knobs-toggle" disabled={!info}>
          Knobs{changed > 0 ? ` (${changed})` : ''}
          {!form.ok ? ' ⚠' : ''} {showKnobs ? '▴' : '▾'}
        </button>
      </div>
      {info && (
        <div className="method-description muted small ellipsis" title={info.description}>
          {info.description}
        </div>
      )}
      {info && showKnobs && <KnobForm knobs={info.knobs} fields={a.fields} onChange={a.setFields} disabled={busy} />}
      <div className="form-row buttons">
        <button type="submit" className="primary" data-testid="analysis-run" disabled={busy || !info}>
          Run {a.method}
        </button>
        <button
          type="button"
          data-testid="analysis-run-all"
          disabled={busy || a.methods.status !== 'ok'}
          onClick={a.runAll}
          title="Run each of the six methods in turn on this image and question, and compare them"
        >
          Run all six
        </button>
      </div>
      <Progress a={a} />
    </form>
  );
}
