/**
 * "Compare": the pinned analyses side by side (up to four: methods of one question, two images, two
 * models), on one linked layer, map kind and choice of heads (the head mean, one head, or each run's
 * top-k heads by VAQ), one colour scale by default (each its own on request), or the difference of
 * the first two where they lie on the same image and grid. It exports what it shows as `laser figure
 * --kind compare-maps` draws it (compareMapsFigure, with the same map, layer, heads and scale).
 */
import { useEffect, useMemo, useState } from 'react';
import type { HeadMaps } from '../../../common/contract/methods.ts';
import { useApi } from '../host-context.tsx';
import {
  comparePanels,
  compareViewFigure,
  defaultCompareSettings,
  differenceProblem,
  drawPanels,
  headMapsKey,
  MAX_PINS,
  neededHeadMaps,
  type CompareMap,
  type CompareSettings,
} from './compare.ts';
import { MEAN_HEADS, parseHeadSelection, type HeadSelection } from '../../../common/laser/heads.ts';
import { imageAsDataUrl } from './export-files.ts';
import { fileStem } from './figure-files.ts';
import { FigureExport } from './FigureExport.tsx';
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
  // per-head maps of A for one head or the top-k, loaded once per run and layer
  const [headMaps, setHeadMaps] = useState<ReadonlyMap<string, HeadMaps>>(new Map());
  const missing = neededHeadMaps(pins, s).filter((n) => !headMaps.has(headMapsKey(n.id, n.layer)));
  const neededKey = missing.map((n) => headMapsKey(n.id, n.layer)).join(' ');
  // one list per set of missing (run, layer) pairs, so the effect below runs once per set
  // eslint-disable-next-line react-hooks/exhaustive-deps -- keyed on the pairs, not on the array's identity
  const needed = useMemo(() => missing, [neededKey]);
  useEffect(() => {
    if (needed.length === 0) return;
    let live = true;
    void Promise.all(
      needed.map((n) =>
        api.call('laser.headMaps', n).then(
          (m) => [headMapsKey(n.id, n.layer), m] as const,
          () => null,
        ),
      ),
    ).then((got) => {
      if (!live) return;
      setHeadMaps((old) => {
        const next = new Map(old);
        for (const g of got) if (g) next.set(g[0], g[1]);
        return next;
      });
    });
    return () => {
      live = false;
    };
  }, [api, needed]);
  const panels = useMemo(() => drawPanels(comparePanels(pins, settings, headMaps), settings), [pins, settings, headMaps]);
  // the panels as a figure, as laser figure --kind compare-maps draws them: each on the picture its model got
  const makeFigure = async (forPdf: boolean) => {
    const hrefs = await Promise.all(panels.map((p) => imageAsDataUrl(api.mediaUrl(p.image.media), 1600, forPdf)));
    return compareViewFigure(pins, panels, settings, hrefs);
  };
  if (pins.length === 0) return null;
  const first = pins[0].record;
  const exportName = (f: string) =>
    `${fileStem(first.image.path.split(/[\\/]/).pop() ?? 'figure')}-${settings.difference ? 'difference' : 'compare'}-${pins.length}-runs.${f}`;
  const heads = Math.max(1, ...pins.map((p) => p.record.bundle.heads));
  const hv = (h: HeadSelection) => JSON.stringify(h);
  const topK = pins[0].record.mapHeads?.length || Math.min(heads, 8);
  const set = (change: Partial<CompareSettings>) => setS((v) => ({ ...v, ...change }));
  return (
    <div className="compare-view" data-testid="compare-view" data-pins={pins.length} data-scale={settings.scale} data-heads={JSON.stringify(s.heads)}>
      <div className="section-tools small">
        <div className="segmented small" role="group" aria-label="Map">
          {(['M', 'A', 'aq'] as CompareMap[]).map((m) => (
            <button
              key={m}
              className={s.map === m ? 'pressed' : undefined}
              onClick={() => set({ map: m })}
              data-testid={`compare-map-${m}`}
              title={
                m === 'M' ? "each run's map M at its own l*" : m === 'A' ? 'contrastive attention at the linked layer' : 'query attention at the linked layer'
              }
            >
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
        <label title="One choice of heads for every panel's A: the head mean, one head, or each run's top-k heads of the layer by its VAQ per head">
          heads{' '}
          <select
            className="small"
            value={hv(s.map === 'A' ? s.heads : MEAN_HEADS)}
            disabled={s.map !== 'A'}
            onChange={(e) => set({ heads: parseHeadSelection(JSON.parse(e.target.value)) ?? MEAN_HEADS })}
            data-testid="compare-heads"
          >
            <option value={hv(MEAN_HEADS)}>mean</option>
            <option value={hv({ kind: 'top', k: topK })}>top-{topK} by VAQ</option>
            {Array.from({ length: heads }, (_, h) => (
              <option key={h} value={hv({ kind: 'head', head: h })}>
                head {h}
              </option>
            ))}
          </select>
        </label>
        <label title="Each panel coloured on its own range (by default all share one, so they compare by eye)">
          <input
            type="checkbox"
            checked={s.scale === 'per-panel'}
            onChange={(e) => set({ scale: e.target.checked ? 'per-panel' : 'shared' })}
            data-testid="compare-per-panel"
          />{' '}
          own scale each
        </label>
        <label title={diffProblem ?? 'first minus second, on a scale centred at 0'}>
          <input
            type="checkbox"
            checked={settings.difference}
            disabled={diffProblem !== null}
            onChange={(e) => set({ difference: e.target.checked })}
            data-testid="compare-difference"
          />{' '}
          difference of the first two
        </label>
        <span className="spacer" />
        <FigureExport
          id="compare"
          what="the comparison"
          fileName={exportName}
          make={makeFigure}
          disabled={missing.length > 0 ? 'the per-head maps are still loading' : null}
        />
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
            <figure
              key={p.id}
              className="compare-panel"
              data-testid="compare-panel"
              data-layer={p.layer ?? ''}
              data-domain={p.domain ? p.domain.join(',') : ''}
            >
              <span className="input-picture" style={{ width: w, height: h }}>
                <img src={api.mediaUrl(p.image.media)} alt="" draggable={false} width={w} height={h} />
                {p.fills.length > 0 && (
                  <HeatCanvas fills={p.fills} imageWidth={p.image.width} imageHeight={p.image.height} width={w} height={h} opacity={0.7} />
                )}
              </span>
              <figcaption className="small">
                <strong title={p.title}>{p.title}</strong>
                <div className="muted" title={p.subtitle}>
                  {p.subtitle}
                </div>
                {p.note && <div className="muted">{p.note}</div>}
                {p.domain && (
                  <div className="mono muted">
                    scale {p.domain[0].toPrecision(2)} … {p.domain[1].toPrecision(2)}
                  </div>
                )}
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
