/**
 * How a Hugging Face checkpoint is compiled when it is added (laser compile's flags, the contract's
 * CompileOptionsRequest): dtype; for int8 / int4 the block size, zero points, accuracy level and which
 * tensors besides the decoder's Linear layers are quantised; LLaVA's image preprocessing; Qwen2-VL's
 * pixel bounds. Each shows its default; a value the contract refuses shows its message.
 */
import type { ReactNode } from 'react';
import { compileSummary, DEFAULT_COMPILE_FIELDS, DTYPES, isQuantized, type CompileField, type CompileFields } from './compile-form.ts';

const DTYPE_NOTE: Record<CompileFields['dtype'], string> = {
  fp32: 'float32 weights',
  fp16: 'float16 weights, half the size',
  int8: 'weight-only 8-bit blocks (MatMulNBits)',
  int4: 'weight-only 4-bit blocks (MatMulNBits)',
};

function Row({
  name,
  label,
  title,
  def,
  error,
  children,
}: {
  name: CompileField;
  label: string;
  title: string;
  def: string;
  error?: string;
  children: ReactNode;
}) {
  return (
    <div className="knob-row" data-compile-option={name}>
      <label className="knob-name" title={title} htmlFor={`compile-${name}`}>
        {label}
      </label>
      <span className="knob-widget">{children}</span>
      <span className="knob-default muted" title="the compiler's default">
        {def}
      </span>
      <span />
      {error && (
        <div className="knob-error" data-testid={`compile-error-${name}`}>
          {error}
        </div>
      )}
    </div>
  );
}

export function CompileOptionsForm({
  fields,
  errors,
  onChange,
  disabled,
}: {
  fields: CompileFields;
  errors: Partial<Record<CompileField, string>>;
  onChange: (f: CompileFields) => void;
  disabled: boolean;
}) {
  const set = <K extends CompileField>(k: K, v: CompileFields[K]) => onChange({ ...fields, [k]: v });
  const d = DEFAULT_COMPILE_FIELDS;
  const quantized = isQuantized(fields.dtype);
  // a select of the field's values, each shown with its text; the value chosen is the option's own, not the DOM's string
  const choice = <K extends 'dtype' | 'blockSize' | 'accuracyLevel' | 'imageMode'>(
    k: K,
    label: string,
    title: string,
    testId: string,
    options: readonly (readonly [CompileFields[K], string])[],
  ) => (
    <Row name={k} label={label} title={title} def={String(d[k])} error={errors[k]}>
      <select
        id={`compile-${k}`}
        className="knob-input"
        value={fields[k]}
        onChange={(e) => {
          const picked = options.find(([v]) => String(v) === e.target.value);
          if (picked) set(k, picked[0]);
        }}
        data-testid={testId}
      >
        {options.map(([v, text]) => (
          <option key={v} value={v}>
            {text}
          </option>
        ))}
      </select>
    </Row>
  );
  const check = (k: 'symmetric' | 'lmHead' | 'embeddings' | 'vision', label: string, title: string) => (
    <Row name={k} label={label} title={title} def={d[k] ? 'on' : 'off'} error={errors[k]}>
      <input id={`compile-${k}`} type="checkbox" checked={fields[k]} onChange={(e) => set(k, e.target.checked)} data-testid={`compile-${k}`} />
    </Row>
  );
  return (
    <details className="compile-options" data-testid="compile-options">
      <summary>
        Compile options for a checkpoint:{' '}
        <span className="mono" data-testid="compile-summary">
          {compileSummary(fields)}
        </span>
      </summary>
      <fieldset className="knob-form" disabled={disabled}>
        <div className="knob-head">
          <span className="muted small">A compiled bundle folder is registered as it is; these apply when a checkpoint is compiled.</span>
          <span className="spacer" />
          <button type="button" className="small" onClick={() => onChange(DEFAULT_COMPILE_FIELDS)} data-testid="compile-reset">
            Defaults
          </button>
        </div>
        <div className="knob-grid">
          {choice(
            'dtype',
            'dtype',
            'Weight type inside the graphs; graph inputs and outputs stay float32',
            'compile-dtype',
            DTYPES.map((t) => [t, `${t}: ${DTYPE_NOTE[t]}`] as const),
          )}
          {quantized && (
            <>
              {choice('blockSize', 'block size', 'Weights per quantisation block along the input features', 'compile-block-size', [
                [32, '32'],
                [64, '64'],
                [128, '128'],
              ])}
              {check('symmetric', 'symmetric', 'Symmetric blocks (no zero points); off: a zero point per block')}
              {choice(
                'accuracyLevel',
                'accuracy level',
                'MatMulNBits accuracy_level: 0 float32 activations (exact to the dequantised weights, slow for int8 on CPU), 4 int8 activations per block',
                'compile-accuracy-level',
                [
                  [0, '0: float32 activations'],
                  [4, '4: int8 activations'],
                ],
              )}
              {check('lmHead', 'lm_head', 'Quantise lm_head (or the tied embed_tokens used as it) too')}
              {check('embeddings', 'embeddings', 'Quantise embed_tokens (GatherBlockQuantized)')}
              {check('vision', 'vision tower', "Quantise the vision tower's and projector's Linear layers too")}
            </>
          )}
          {choice(
            'imageMode',
            'image mode (LLaVA)',
            'pad: pad to a square with the mean colour (LLaVA-1.5 as trained); crop: resize and centre-crop (the llava-hf processor)',
            'compile-image-mode',
            [
              ['pad', 'pad'],
              ['crop', 'crop'],
            ],
          )}
          {(['minPixels', 'maxPixels'] as const).map((k) => (
            <Row
              key={k}
              name={k}
              label={`${k === 'minPixels' ? 'min' : 'max'} pixels (Qwen2-VL)`}
              title="smart_resize bound on an image's pixels; empty: the checkpoint's preprocessor_config.json (Qwen2-VL publishes 3136 and 12845056)"
              def="checkpoint's"
              error={errors[k]}
            >
              <input
                id={`compile-${k}`}
                className="knob-input"
                inputMode="numeric"
                placeholder="checkpoint's"
                aria-invalid={errors[k] ? true : undefined}
                value={fields[k]}
                onChange={(e) => set(k, e.target.value)}
                data-testid={`compile-${k === 'minPixels' ? 'min' : 'max'}-pixels`}
              />
            </Row>
          ))}
        </div>
      </fieldset>
    </details>
  );
}
