/**
 * "Layers" as a main view: the contrastive map of every layer (or a range such as 8-20) over the
 * picture, in tiles as large as the stage allows, on the head mean or each layer's top-k heads by VAQ
 * (step 7 at every layer, as laser figure's strip), on one colour scale (or each on its own) and the
 * overlay's colormap, l* framed, under the VAQ curve of the same layers; clicking a tile moves the
 * whole analysis there. It exports as the layer strip `laser figure --kind layers` draws
 * (layersFigure, with the same range, heads, scale and colormap).
 */
import { useEffect, useMemo, useRef, useState } from 'react';
import { COLORMAPS, type ColormapName } from '../../../common/figures/index.ts';
import type { HeadMaps, LaserResult } from '../../../common/contract/methods.ts';
import type { LayerHeads } from '../../../common/laser/layers-figure.ts';
import { useApi } from '../host-context.tsx';
import { imageAsDataUrl } from './export-files.ts';
import { figureFileName } from './figure-files.ts';
import { FigureExport } from './FigureExport.tsx';
import { useElementSize } from '../common/use-element-size.ts';
import { MapThumb } from './MapThumb.tsx';
import { fitExtent, viewExtent } from './overlay.ts';
import { cellFills, mapDomain, sharedDomain } from './heatmap.ts';
import { gridColumns, layersNeedingHeads, layersPictureSide, layersViewFigure, layersViewPanels, parseLayerRange } from './layers-grid.ts';
import { VaqChart } from './VaqChart.tsx';

const GAP = 8;
const MIN_TILE = 160;

export function LayersView({
  result,
  imageUrl,
  imageName,
  colormap,
  selected,
  onSelect,
}: {
  result: LaserResult;
  imageUrl: string;
  imageName: string;
  colormap: ColormapName;
  selected: number | null;
  onSelect: (layer: number) => void;
}) {
  const ref = useRef<HTMLDivElement>(null);
  const size = useElementSize(ref);
  const [rangeText, setRangeText] = useState('');
  const [scale, setScale] = useState<'shared' | 'per-layer'>('shared');
  const { record, views } = result;
  const maps = views.contrastive;
  const L = record.bundle.layers;
  const range = parseLayerRange(rangeText, L);
  const [from, to] = typeof range === 'string' ? [0, L - 1] : range;
  const cmap = COLORMAPS[colormap];
  const api = useApi();
  const [heads, setHeads] = useState<LayerHeads>('mean');
  const canTop = !!maps && !!record.vaqHeads;
  const shownHeads: LayerHeads = canTop ? heads : 'mean';
  // per-head maps of A for the top-k panels, loaded once per run and layer
  const [headMaps, setHeadMaps] = useState<{ id: string; byLayer: ReadonlyMap<number, HeadMaps> }>({ id: result.id, byLayer: new Map() });
  const have = useMemo(() => (headMaps.id === result.id ? headMaps.byLayer : new Map<number, HeadMaps>()), [headMaps, result.id]);
  const missing = layersNeedingHeads(result, { from, to, heads: shownHeads }, have);
  const missingKey = missing.join(',');
  useEffect(() => {
    if (missingKey === '') return;
    let live = true;
    const layers = missingKey.split(',').map(Number);
    void Promise.all(layers.map((layer) => api.call('laser.headMaps', { id: result.id, layer }).catch(() => null))).then((got) => {
      if (!live) return;
      setHeadMaps((old) => {
        const next = new Map(old.id === result.id ? old.byLayer : []);
        for (const m of got) if (m) next.set(m.layer, m);
        return { id: result.id, byLayer: next };
      });
    });
    return () => {
      live = false;
    };
  }, [api, result.id, missingKey]);
  const panels = useMemo(() => layersViewPanels(result, { from, to, heads: shownHeads }, have), [result, from, to, shownHeads, have]);
  const tiles = useMemo(() => {
    if (!panels) return [];
    const shown = panels.map((p) => Array.from(p.values));
    const shared = sharedDomain(shown, cmap);
    return shown.map((m, k) => ({ layer: from + k, fills: cellFills(views.cells, m, scale === 'shared' ? shared : mapDomain(m, cmap), { cmap }) }));
  }, [panels, views.cells, from, scale, cmap]);
  const { cols, tile } = gridColumns(tiles.length, Math.max(0, size.width - 2 * GAP), MIN_TILE, GAP);
  const { width: W, height: H } = record.image;
  // the picture and, for pad-to-square, the padding its grid reaches into
  const extent = useMemo(() => viewExtent(views.cells, W, H), [views.cells, W, H]);
  const { width: tw, height: th } = fitExtent(extent, tile);
  const vaq = record.vaq;
  // the tiles as a figure: the layer strip of laser figure --kind layers --layer-heads mean, with this range, scale and colormap (a grey picture under it)
  const makeFigure = async (forPdf: boolean, dpi: number) =>
    layersViewFigure(result, await imageAsDataUrl(imageUrl, layersPictureSide(dpi), forPdf, true), { from, to, heads: shownHeads, scale, colormap }, have);
  if (!maps) return <div className="centre-panel muted">{record.method} does not make contrastive attention per layer.</div>;
  return (
    <div className="layers-view" ref={ref} data-testid="layers-view" data-layers={tiles.length} data-heads={shownHeads} data-loading={missing.length > 0}>
      <div className="section-tools small">
        <label>
          layers{' '}
          <input
            className="mono"
            value={rangeText}
            placeholder={`0-${L - 1}`}
            onChange={(e) => setRangeText(e.target.value)}
            size={7}
            data-testid="layers-range"
            aria-invalid={typeof range === 'string'}
          />
        </label>
        {typeof range === 'string' && <span className="bad">{range}</span>}
        <div className="segmented small" role="group" aria-label="Colour scale">
          <button className={scale === 'shared' ? 'pressed' : undefined} onClick={() => setScale('shared')}>
            shared scale
          </button>
          <button className={scale === 'per-layer' ? 'pressed' : undefined} onClick={() => setScale('per-layer')}>
            per layer
          </button>
        </div>
        <div className="segmented small" role="group" aria-label="Heads">
          <button className={shownHeads === 'mean' ? 'pressed' : undefined} onClick={() => setHeads('mean')} data-testid="layers-heads-mean">
            mean of heads
          </button>
          <button
            className={shownHeads === 'top' ? 'pressed' : undefined}
            onClick={() => setHeads('top')}
            disabled={!canTop}
            title={canTop ? "each layer's top-k heads by VAQ, normalised, as M is made at l*" : `${record.method} has no VAQ per head to rank heads by`}
            data-testid="layers-heads-top"
          >
            top-k by VAQ
          </button>
        </div>
        <span className="muted">
          contrastive attention A, {shownHeads === 'mean' ? 'mean over heads' : 'top-k heads by VAQ (M at l*)'}; l* = {record.layer ?? '—'} framed
          {missing.length > 0 ? ` · loading ${missing.length} layers' heads…` : ''}
        </span>
        <span className="spacer" />
        <FigureExport
          id="layers"
          what="the layers"
          fileName={(f) => figureFileName(imageName, record.method, from === 0 && to === L - 1 ? 'layers' : `layers-${from}-${to}`, f)}
          make={makeFigure}
          disabled={typeof range === 'string' ? range : missing.length > 0 ? 'the per-head maps are still loading' : null}
        />
      </div>
      {vaq && <VaqChart result={result} selected={selected} onSelect={onSelect} />}
      <div className="layers-grid" style={{ gridTemplateColumns: `repeat(${cols}, ${tile}px)` }}>
        {tiles.map((t) => (
          <button
            key={t.layer}
            className={`layer-tile${t.layer === record.layer ? ' chosen' : ''}${t.layer === selected ? ' selected' : ''}`}
            data-testid="layers-view-tile"
            data-layer={t.layer}
            onClick={() => onSelect(t.layer)}
            title={`Layer ${t.layer}${vaq ? `: VAQ ${vaq[t.layer]}` : ''}`}
          >
            <MapThumb url={imageUrl} fills={t.fills} extent={extent} imageWidth={W} imageHeight={H} width={tw} height={th} opacity={0.75} />
            <span className="layer-label">
              <strong>L{t.layer}</strong> {vaq ? vaq[t.layer].toPrecision(3) : ''}
            </span>
          </button>
        ))}
      </div>
    </div>
  );
}
