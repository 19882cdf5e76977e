/** What the host knows about one image: pixel size, file size, format, where it lives. */
import type { ImageDetails, ImageEntry } from '../../../common/contract/methods.ts';
import { ErrorPanel } from '../common/ErrorPanel.tsx';
import { formatBytes } from '../common/format.ts';
import type { CallState } from '../common/use-call.ts';

export function DetailsPanel({ entry, details }: { entry: ImageEntry; details: CallState<ImageDetails> }) {
  return (
    <aside className="details-panel" data-testid="details-panel">
      <h2 className="details-name" title={entry.name}>
        {entry.name}
      </h2>
      {details.status === 'loading' && <div className="muted">Reading details…</div>}
      {details.status === 'error' && <ErrorPanel error={details.error} testId="details-error" />}
      {details.status === 'ok' && (
        <dl className="details-list">
          <dt>Pixel size</dt>
          <dd data-testid="details-pixel-size">
            {details.value.width} × {details.value.height} px
          </dd>
          <dt>File size</dt>
          <dd data-testid="details-file-size">
            {formatBytes(details.value.bytes)} <span className="muted">({details.value.bytes.toLocaleString('en-US')} bytes)</span>
          </dd>
          <dt>Format</dt>
          <dd data-testid="details-format">{details.value.format.toUpperCase()}</dd>
          <dt>Channels</dt>
          <dd>
            {details.value.channels}
            {details.value.hasAlpha ? ' (with alpha)' : ''}
          </dd>
          <dt>Path</dt>
          <dd className="details-path" data-testid="details-path">
            {details.value.path}
          </dd>
          <dt>Content hash</dt>
          <dd className="details-hash" title={details.value.contentHash}>
            {details.value.contentHash}
          </dd>
        </dl>
      )}
    </aside>
  );
}
