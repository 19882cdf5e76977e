/**
 * A method's knobs as a form built from their descriptors: one row per knob with its widget, its
 * default, a reset when it differs, and what is wrong with it in the knob's own range words.
 */
import type { KnobDescriptor } from '../../../common/contract/methods.ts';
import { fieldFromValue, formatDefault, isDefaultField, parseField, type KnobField, type KnobFields } from './knob-form.ts';

function Widget({ d, f, onChange, invalid }: { d: KnobDescriptor; f: KnobField; onChange: (f: KnobField) => void; invalid: boolean }) {
  const common = { 'aria-label': d.name, 'aria-invalid': invalid, disabled: !f.on, 'data-testid': `knob-${d.name}` };
  switch (f.kind) {
    case 'boolean':
      return (
        <input type="checkbox" {...common} disabled={false} checked={f.checked} onChange={(e) => onChange({ ...f, on: true, checked: e.target.checked })} />
      );
    case 'range':
      return (
        <span className="knob-range">
          <input
            type="text"
            inputMode="numeric"
            className="knob-input short"
            {...common}
            placeholder="lo"
            value={f.lo}
            onChange={(e) => onChange({ ...f, lo: e.target.value })}
          />
          <span className="muted">–</span>
          <input
            type="text"
            inputMode="numeric"
            className="knob-input short"
            aria-label={`${d.name} upper end`}
            disabled={!f.on}
            placeholder="hi"
            value={f.hi}
            onChange={(e) => onChange({ ...f, hi: e.target.value })}
          />
        </span>
      );
    case 'text':
      if (d.kind === 'enum') {
        return (
          <select className="knob-input" {...common} value={f.text} onChange={(e) => onChange({ ...f, text: e.target.value })}>
            {(d.options ?? []).map((o) => (
              <option key={o} value={o}>
                {o}
              </option>
            ))}
          </select>
        );
      }
      return (
        <input
          type="text"
          inputMode="decimal"
          className="knob-input"
          {...common}
          placeholder={d.range}
          value={f.text}
          onChange={(e) => onChange({ ...f, text: e.target.value })}
        />
      );
  }
}

export function KnobForm({
  knobs,
  fields,
  onChange,
  disabled,
}: {
  knobs: KnobDescriptor[];
  fields: KnobFields;
  onChange: (f: KnobFields) => void;
  disabled: boolean;
}) {
  if (knobs.length === 0) return <div className="muted small">This method has no knobs.</div>;
  const changed = knobs.filter((d) => !isDefaultField(d, fields[d.name] ?? fieldFromValue(d, d.default))).length;
  const set = (name: string, f: KnobField) => onChange({ ...fields, [name]: f });
  return (
    <fieldset className="knob-form" disabled={disabled} data-testid="knob-form">
      <div className="knob-head">
        <span className="muted small">{changed === 0 ? 'all at the spec defaults' : `${changed} changed from the defaults`}</span>
        <span className="spacer" />
        <button
          type="button"
          className="small"
          disabled={changed === 0}
          onClick={() => onChange(Object.fromEntries(knobs.map((d) => [d.name, fieldFromValue(d, d.default)])))}
          data-testid="knobs-reset-all"
        >
          Reset all
        </button>
      </div>
      <div className="knob-grid">
        {knobs.map((d) => {
          const f = fields[d.name] ?? fieldFromValue(d, d.default);
          const parsed = parseField(d, f);
          const atDefault = parsed.ok && isDefaultField(d, f);
          return (
            <div className={`knob-row${atDefault ? '' : ' changed'}`} key={d.name} data-knob={d.name}>
              <label className="knob-name" title={`${d.description}\nValid: ${d.range}`}>
                {d.name}
              </label>
              <span className="knob-widget">
                {d.nullable && f.kind !== 'boolean' && (
                  <input
                    type="checkbox"
                    aria-label={`${d.name} on`}
                    title={f.on ? 'Set: uncheck for off (null)' : 'Off (null): check to set a value'}
                    checked={f.on}
                    onChange={(e) => set(d.name, { ...f, on: e.target.checked })}
                    data-testid={`knob-${d.name}-on`}
                  />
                )}
                <Widget d={d} f={f} onChange={(nf) => set(d.name, nf)} invalid={!parsed.ok} />
              </span>
              <span className="knob-default muted" title="the spec default">
                {formatDefault(d)}
              </span>
              <button
                type="button"
                className="icon"
                title={`Reset to ${formatDefault(d)}`}
                aria-label={`Reset ${d.name}`}
                disabled={atDefault}
                onClick={() => set(d.name, fieldFromValue(d, d.default))}
              >
                ↺
              </button>
              {!parsed.ok && (
                <div className="knob-error" data-testid={`knob-error-${d.name}`}>
                  {d.name} {parsed.error}
                </div>
              )}
            </div>
          );
        })}
      </div>
    </fieldset>
  );
}
