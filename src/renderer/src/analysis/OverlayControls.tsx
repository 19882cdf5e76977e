/**
 * Which map lies over the image and how: its heads (A), colormap, cells or smooth, opacity, the
 * attention sinks in or out of its colour scale; whether the crop box and masked cells show; and
 * its colour scale.
 */
import type { LaserResult } from '../../../common/contract/methods.ts';
import { COLORMAP_NAMES, formatNumber, type ColormapName } from '../../../common/figures/index.ts';
import { MEAN_HEADS, parseHeadSelection, type HeadSelection } from '../../../common/laser/heads.ts';
import { cssGradient } from './heatmap.ts';
import { SIGNED_MAPS, mapChoices } from './maps.ts';
import { SMOOTHINGS, type OverlayModel, type Smoothing, type ViewSettings } from './overlay.ts';

const COLORMAP_TEXT: Record<ColormapName, string> = { viridis: 'viridis', magma: 'magma', coolwarm: 'cool-warm (±, 0 at centre)' };

function headsValue(h: HeadSelection): string {
  return JSON.stringify(h);
}

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
  const r = result.record;
  const signed = view.map !== 'off' && SIGNED_MAPS.includes(view.map);
  const topK = r.mapHeads?.length || Math.min(r.bundle.heads, 8);
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
          <input
            type="checkbox"
            checked={view.showBox}
            disabled={!result.record.box}
            onChange={(e) => setView({ showBox: e.target.checked })}
            data-testid="show-box"
          />{' '}
          box
        </label>
        <label title={`${result.record.maskedCells.length} cells masked in the negative`}>
          <input
            type="checkbox"
            checked={view.showMasked}
            disabled={result.record.maskedCells.length === 0}
            onChange={(e) => setView({ showMasked: e.target.checked })}
            data-testid="show-masked"
          />{' '}
          masked ({result.record.maskedCells.length})
        </label>
        {truthBox && (
          <label title={`the target's true box ${truthBox.join(', ')} (dashed green)`}>
            <input type="checkbox" checked={view.showTruth} onChange={(e) => setView({ showTruth: e.target.checked })} data-testid="show-truth" /> true box
          </label>
        )}
        <label
          className="small"
          title={
            view.map === 'A'
              ? 'The heads A is averaged over: all (the head mean), the top-k of this layer by VAQ per head (as M is made at l*), or one head (h / H)'
              : 'Heads apply to A: the other maps are as the record has them'
          }
        >
          heads{' '}
          <select
            value={headsValue(view.map === 'A' ? view.heads : MEAN_HEADS)}
            disabled={view.map !== 'A'}
            onChange={(e) => setView({ heads: parseHeadSelection(JSON.parse(e.target.value)) ?? MEAN_HEADS })}
            data-testid="overlay-heads"
          >
            <option value={headsValue(MEAN_HEADS)}>mean of {r.bundle.heads}</option>
            {r.vaqHeads && <option value={headsValue({ kind: 'top', k: topK })}>top-{topK} by VAQ</option>}
            {Array.from({ length: r.bundle.heads }, (_, h) => (
              <option key={h} value={headsValue({ kind: 'head', head: h })}>
                head {h}
              </option>
            ))}
          </select>
        </label>
        <label className="small" title={signed ? 'a signed map is drawn on the diverging cool-warm map, centred at 0' : 'colormap (c)'}>
          colours{' '}
          <select
            value={signed ? 'coolwarm' : view.colormap}
            disabled={signed}
            onChange={(e) => setView({ colormap: e.target.value as ColormapName })}
            data-testid="overlay-colormap"
          >
            {COLORMAP_NAMES.map((c) => (
              <option key={c} value={c}>
                {COLORMAP_TEXT[c]}
              </option>
            ))}
          </select>
        </label>
        <label className="small" title="the grid's cells as the model saw them, or upsampled smooth (s)">
          draw{' '}
          <select value={view.smooth} onChange={(e) => setView({ smooth: e.target.value as Smoothing })} data-testid="overlay-smooth">
            {SMOOTHINGS.map((m) => (
              <option key={m} value={m}>
                {m}
              </option>
            ))}
          </select>
        </label>
        <label
          className="small"
          title={
            overlay.sinks.length === 0
              ? 'No attention sinks: no cell takes a large share of the attention at nearly every layer'
              : `Attention sinks (dotted pink): cell${overlay.sinks.length === 1 ? '' : 's'} ${overlay.sinks.join(', ')} take at least 5x a uniform share of the query-pass attention on I at 90 % of the layers or more, and of the no-query pass's (so not because of the question). Leave them out of the colour scale so the rest is not washed out (they saturate); the choice goes into exported figures' metadata.`
          }
        >
          <input
            type="checkbox"
            checked={view.excludeSinks}
            disabled={overlay.sinks.length === 0}
            onChange={(e) => setView({ excludeSinks: e.target.checked })}
            data-testid="overlay-exclude-sinks"
          />{' '}
          leave out {overlay.sinks.length} sink
          {overlay.sinks.length === 1 ? '' : 's'}
        </label>
        <label className="opacity" title="heatmap opacity">
          opacity
          <input
            type="range"
            min={0}
            max={1}
            step={0.05}
            value={view.opacity}
            onChange={(e) => setView({ opacity: Number(e.target.value) })}
            aria-label="Heatmap opacity"
          />
        </label>
      </div>
      {overlay.map && (
        <div className="colour-scale">
          <span className="num">{formatNumber(overlay.domain[0])}</span>
          <span className="gradient" style={{ background: cssGradient(overlay.cmap) }} data-testid="overlay-gradient" data-colormap={overlay.cmap.name} />
          <span className="num">{formatNumber(overlay.domain[1])}</span>
          <span
            className="muted small grow ellipsis"
            title={`${overlay.map.description} · ${overlay.headsText}${overlay.sinksExcluded ? ' · sinks left out of the scale' : ''}`}
          >
            {overlay.headsPending ? 'loading the heads… ' : ''}
            {overlay.map.id === 'A' ? `${overlay.headsText} · ` : ''}
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
