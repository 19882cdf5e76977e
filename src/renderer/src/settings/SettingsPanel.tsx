/**
 * The Settings panel (a dialog from the top bar): the image pixel limit, with its default and, when
 * the host's LASER_MAX_IMAGE_PIXELS overrides it, a note saying so. Saved in the engine's
 * settings.json and applied at once to thumbnails, details and runs.
 */
import { useState } from 'react';
import type { WorkbenchErrorData } from '../../../common/contract/errors.ts';
import { toErrorData } from '../../../common/contract/errors.ts';
import type { Settings } from '../../../common/contract/methods.ts';
import { ErrorPanel } from '../common/ErrorPanel.tsx';
import { useCall } from '../common/use-call.ts';
import { Modal } from '../common/Modal.tsx';
import { useApi } from '../host-context.tsx';
import { describePixels, parsePixelLimit } from './pixel-limit.ts';

export function SettingsPanel({ onClose }: { onClose: () => void }) {
  const api = useApi();
  const [version, setVersion] = useState(0);
  const settings = useCall<Settings>(`settings:${version}`, () => api.call('settings.get', {}));
  const [text, setText] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const [saveError, setSaveError] = useState<WorkbenchErrorData | null>(null);
  const [saved, setSaved] = useState(false);

  const limit = settings.status === 'ok' ? settings.value.maxImagePixels : null;
  const shown = text ?? (limit?.setting === null || limit === null ? '' : String(limit.setting));
  const parsed = limit ? parsePixelLimit(shown, limit.ceiling) : null;

  const save = async (value: number | null) => {
    setSaving(true);
    setSaveError(null);
    setSaved(false);
    try {
      await api.call('settings.update', { maxImagePixels: value });
      setText(null);
      setSaved(true);
      setVersion((v) => v + 1);
    } catch (e) {
      setSaveError(toErrorData(e));
    } finally {
      setSaving(false);
    }
  };

  return (
    <Modal title="Settings" className="settings-panel" testId="settings-panel" closeTestId="settings-close" onClose={onClose}>
      {settings.status === 'loading' && <div className="muted">Loading the settings…</div>}
      {settings.status === 'error' && (
        <ErrorPanel title="Could not read the settings" error={settings.error} testId="settings-error">
          <button onClick={() => setVersion((v) => v + 1)}>Try again</button>
        </ErrorPanel>
      )}
      {limit && parsed && (
        <form
          className="settings-form"
          onSubmit={(e) => {
            e.preventDefault();
            if (parsed.ok) void save(parsed.value);
          }}
        >
          <label htmlFor="max-image-pixels">Largest image to open (pixels)</label>
          <input
            id="max-image-pixels"
            data-testid="max-image-pixels"
            inputMode="numeric"
            value={shown}
            placeholder={`default: ${limit.default}`}
            onChange={(e) => {
              setText(e.target.value);
              setSaved(false);
            }}
            disabled={saving}
          />
          <button type="submit" disabled={saving || !parsed.ok} data-testid="max-image-pixels-save">
            Save
          </button>
          <button type="button" disabled={saving || limit.setting === null} onClick={() => void save(null)} data-testid="max-image-pixels-default">
            Use the default
          </button>
          {!parsed.ok && (
            <div className="warn" data-testid="max-image-pixels-invalid">
              {parsed.reason}
            </div>
          )}
          <p className="muted" data-testid="max-image-pixels-now">
            In force: {describePixels(limit.value)}
            {limit.setting === null ? ', the default' : ''}. Larger images are refused from their header, before any pixel is decoded (a small PNG can claim a
            gigapixel and take gigabytes to decode). Default: {describePixels(limit.default)}.
          </p>
          {limit.overriddenBy && (
            <p className="warn" data-testid="max-image-pixels-overridden">
              {limit.overriddenBy} is set where the workbench runs, so it decides the limit this session; the setting applies once it is unset.
            </p>
          )}
          {saved && <p className="muted">Saved.</p>}
        </form>
      )}
      {saveError && <ErrorPanel title="Could not save the setting" error={saveError} testId="settings-save-error" />}
    </Modal>
  );
}
