/** Which map lies over the image, whether the crop box and masked cells show, its opacity, and its colour scale. */
import type { LaserResult } from '../../../common/contract/methods.ts';
import { formatNumber } from '../../../common/figures/index.ts';
import { cssGradient } from './heatmap.ts';
import { mapChoices } from './maps.ts';
import type { OverlayModel, ViewSettings } from './overlay.ts';

export function OverlayControls({
  result,
  truthBox,
  view,
  setView,
  overlay,
  hover,
}: {
  result: LaserResult;
  /** The target's true box, when the run asked a generated world's question. */
  truthBox: readonly number[] | null;
  view: ViewSettings;
  setView: (c: Partial<ViewSettings>) => void;
  overlay: OverlayModel;
  hover: { cell: number; value: number | null } | null;
}) {
  const choices = mapChoices(result, view.layer);
  const [gh, gw] = result.views.grid;
  return (
    <div className="overlay-controls" data-testid="overlay-controls">
      <div className="segmented" role="group" aria-label="Map over the image">
        {choices.map((c) => (
          <button
            key={c.id}
            className={view.map === c.id ? 'pressed' : undefined}
            disabled={c.values === null}
            title={c.values === null ? `${result.record.method} makes no such map` : c.description}
            onClick={() => setView({ map: c.id })}
            data-testid={`map-${c.id}`}
          >
            {c.label}
          </button>
        ))}
        <button className={view.map === 'off' ? 'pressed' : undefined} onClick={() => setView({ map: 'off' })} data-testid="map-off">
          off
        </button>
      </div>
      <div className="overlay-toggles">
        <label title={result.record.box ? `crop box ${result.record.box.join(', ')}` : 'this method crops nothing'}>
          <input type="checkbox" checked={view.showBox} disabled={!result.record.box} onChange={(e) => setView({ showBox: e.target.checked })} data-testid="show-box" /> box
        </label>
        <label title={`${result.record.maskedCells.length} cells masked in the negative`}>
          <input type="checkbox" checked={view.showMasked} disabled={result.record.maskedCells.length === 0} onChange={(e) => setView({ showMasked: e.target.checked })} data-testid="show-masked" /> masked
          ({result.record.maskedCells.length})
        </label>
        {truthBox && (
          <label title={`the target's true box ${truthBox.join(', ')} (dashed green)`}>
            <input type="checkbox" checked={view.showTruth} onChange={(e) => setView({ showTruth: e.target.checked })} data-testid="show-truth" /> true box
          </label>
        )}
        <label className="opacity" title="heatmap opacity">
          opacity
          <input type="range" min={0} max={1} step={0.05} value={view.opacity} onChange={(e) => setView({ opacity: Number(e.target.value) })} aria-label="Heatmap opacity" />
        </label>
      </div>
      {overlay.map && (
        <div className="colour-scale">
          <span className="num">{formatNumber(overlay.domain[0])}</span>
          <span className="gradient" style={{ background: cssGradient() }} />
          <span className="num">{formatNumber(overlay.domain[1])}</span>
          <span className="muted small grow ellipsis" title={overlay.map.description}>
            {overlay.map.description}
          </span>
        </div>
      )}
      <div className="hover-readout small muted" data-testid="hover-readout">
        {hover && hover.cell >= 0
          ? `cell ${hover.cell} (row ${Math.floor(hover.cell / gw)}, col ${hover.cell % gw})${hover.value === null ? '' : `: ${formatNumber(hover.value, 4)}`}`
          : `${gh} × ${gw} grid · point at the image to read a cell`}
      </div>
    </div>
  );
}
