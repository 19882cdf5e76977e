/**
 * "Layers" as a main view: the contrastive map of every layer (or a range such as 8-20) over the
 * picture, in tiles as large as the stage allows, on one colour scale (or each on its own) and the
 * overlay's colormap, l* framed, under the VAQ curve of the same layers; clicking a tile moves the
 * whole analysis there. It exports as the layer strip `laser figure --kind layers --layer-heads mean`
 * draws (layersFigure, the same range, scale and colormap).
 */
import { useMemo, useRef, useState } from 'react';
import { COLORMAPS, type ColormapName } from '../../../common/figures/index.ts';
import type { LaserResult } from '../../../common/contract/methods.ts';
import { imageAsDataUrl } from './export-files.ts';
import { figureFileName } from './figure-files.ts';
import { FigureExport } from './FigureExport.tsx';
import { useElementSize } from '../common/use-element-size.ts';
import { MapThumb } from './MapThumb.tsx';
import { fitExtent, viewExtent } from './overlay.ts';
import { cellFills, mapDomain, sharedDomain } from './heatmap.ts';
import { gridColumns, layersPictureSide, layersViewFigure, parseLayerRange } from './layers-grid.ts';
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
  const tiles = useMemo(() => {
    if (!maps) return [];
    const shown = maps.slice(from, to + 1);
    const shared = sharedDomain(shown, cmap);
    return shown.map((m, k) => ({ layer: from + k, fills: cellFills(views.cells, m, scale === 'shared' ? shared : mapDomain(m, cmap), { cmap }) }));
  }, [maps, views.cells, from, to, scale, cmap]);
  const { cols, tile } = gridColumns(tiles.length, Math.max(0, size.width - 2 * GAP), MIN_TILE, GAP);
  const { width: W, height: H } = record.image;
  // the picture and, for pad-to-square, the padding its grid reaches into
  const extent = useMemo(() => viewExtent(views.cells, W, H), [views.cells, W, H]);
  const { width: tw, height: th } = fitExtent(extent, tile);
  const vaq = record.vaq;
  // the tiles as a figure: the layer strip of laser figure --kind layers --layer-heads mean, with this range, scale and colormap (a grey picture under it)
  const makeFigure = async (forPdf: boolean, dpi: number) =>
    layersViewFigure(result, await imageAsDataUrl(imageUrl, layersPictureSide(dpi), forPdf, true), { from, to, scale, colormap });
  if (!maps) return <div className="centre-panel muted">{record.method} does not make contrastive attention per layer.</div>;
  return (
    <div className="layers-view" ref={ref} data-testid="layers-view" data-layers={tiles.length}>
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
        <span className="muted">contrastive attention A, mean over heads; l* = {record.layer ?? '—'} framed</span>
        <span className="spacer" />
        <FigureExport
          id="layers"
          what="the layers"
          fileName={(f) => figureFileName(imageName, record.method, from === 0 && to === L - 1 ? 'layers' : `layers-${from}-${to}`, f)}
          make={makeFigure}
          disabled={typeof range === 'string' ? range : null}
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
