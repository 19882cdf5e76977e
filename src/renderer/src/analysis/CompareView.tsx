/**
 * "Compare": the pinned analyses side by side (up to four: methods of one question, two images, two
 * models), on one linked layer and map kind, one colour scale by default (each its own on request),
 * or the difference of the first two where they lie on the same image and grid.
 */
import { useMemo, useState } from 'react';
import { useApi } from '../host-context.tsx';
import { comparePanels, defaultCompareSettings, differenceProblem, drawPanels, MAX_PINS, type CompareMap, type CompareSettings } from './compare.ts';
import { HeatCanvas } from './HeatCanvas.tsx';
import { pinStore, usePins } from './pins.ts';

const SIDE = 200;

export function CompareView() {
  const api = useApi();
  const pins = usePins();
  const [s, setS] = useState<CompareSettings>(defaultCompareSettings);
  const layers = Math.max(1, ...pins.map((p) => p.record.bundle.layers));
  const diffProblem = pins.length >= 2 ? differenceProblem(pins[0], pins[1]) : 'pin two runs to subtract them';
  const settings = useMemo(() => (diffProblem === null ? s : { ...s, difference: false }), [s, diffProblem]);
  const panels = useMemo(() => drawPanels(comparePanels(pins, settings), settings), [pins, settings]);
  if (pins.length === 0) return null;
  const set = (change: Partial<CompareSettings>) => setS((v) => ({ ...v, ...change }));
  return (
    <div className="compare-view" data-testid="compare-view" data-pins={pins.length}>
      <div className="section-tools small">
        <div className="segmented small" role="group" aria-label="Map">
          {(['M', 'A', 'aq'] as CompareMap[]).map((m) => (
            <button key={m} className={s.map === m ? 'pressed' : undefined} onClick={() => set({ map: m })} data-testid={`compare-map-${m}`} title={m === 'M' ? "each run's map M at its own l*" : m === 'A' ? 'contrastive attention at the linked layer' : 'query attention at the linked layer'}>
              {m === 'aq' ? 'a_q' : m}
            </button>
          ))}
        </div>
        <label title="One layer for every panel (A and a_q)">
          layer{' '}
          <input
            type="range"
            min={0}
            max={layers - 1}
            value={s.layer ?? pins[0].record.layer ?? layers - 1}
            disabled={s.map === 'M'}
            onChange={(e) => set({ layer: Number(e.target.value) })}
            data-testid="compare-layer"
          />{' '}
          <span className="mono">{s.map === 'M' ? 'own l*' : `L${s.layer ?? pins[0].record.layer ?? layers - 1}`}</span>
        </label>
        <label>
          <input type="checkbox" checked={s.scale === 'per-panel'} onChange={(e) => set({ scale: e.target.checked ? 'per-panel' : 'shared' })} data-testid="compare-per-panel" /> own scale each
        </label>
        <label title={diffProblem ?? 'first minus second, on a scale centred at 0'}>
          <input type="checkbox" checked={settings.difference} disabled={diffProblem !== null} onChange={(e) => set({ difference: e.target.checked })} data-testid="compare-difference" /> difference of the first two
        </label>
        <span className="spacer" />
        <span className="muted">
          {pins.length} of {MAX_PINS} pinned
        </span>
        <button className="small" onClick={pinStore.clear}>
          Clear
        </button>
      </div>
      <div className="compare-row">
        {panels.map((p) => {
          const scale = Math.min(SIDE / p.image.width, SIDE / p.image.height);
          const w = Math.round(p.image.width * scale);
          const h = Math.round(p.image.height * scale);
          return (
            <figure key={p.id} className="compare-panel" data-testid="compare-panel" data-layer={p.layer ?? ''}>
              <span className="input-picture" style={{ width: w, height: h }}>
                <img src={api.mediaUrl(p.image.media)} alt="" draggable={false} width={w} height={h} />
                {p.fills.length > 0 && <HeatCanvas fills={p.fills} imageWidth={p.image.width} imageHeight={p.image.height} width={w} height={h} opacity={0.7} />}
              </span>
              <figcaption className="small">
                <strong title={p.title}>{p.title}</strong>
                <div className="muted" title={p.subtitle}>
                  {p.subtitle}
                </div>
                {p.note && <div className="muted">{p.note}</div>}
                {p.domain && <div className="mono muted">scale {p.domain[0].toPrecision(2)} … {p.domain[1].toPrecision(2)}</div>}
                {!settings.difference && (
                  <button className="small" onClick={() => pinStore.unpin(p.id)}>
                    Unpin
                  </button>
                )}
              </figcaption>
            </figure>
          );
        })}
      </div>
    </div>
  );
}
