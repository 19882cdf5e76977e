/**
 * "Layers side by side": the contrastive map of every layer over a thumbnail of the picture,
 * labelled with the layer and its VAQ, on one colour scale (or each on its own), the chosen layer
 * framed; clicking one shows A at that layer over the image.
 */
import { useMemo, useState } from 'react';
import { vaqDecimalsFor } from '../../../common/figures/index.ts';
import type { LaserResult } from '../../../common/contract/methods.ts';
import { cellFills, mapDomain, sharedDomain } from './heatmap.ts';
import { MapThumb } from './MapThumb.tsx';
import { fitExtent, viewExtent } from './overlay.ts';

const TILE = 78;

export function LayerStrip({
  result,
  selected,
  onSelect,
  thumbnailUrl,
  opacity,
}: {
  result: LaserResult;
  selected: number | null;
  onSelect: (layer: number) => void;
  thumbnailUrl: string;
  opacity: number;
}) {
  const [scale, setScale] = useState<'shared' | 'per-layer'>('shared');
  const { record, views } = result;
  const maps = views.contrastive;
  const { width: W, height: H } = record.image;
  const extent = useMemo(() => viewExtent(views.cells, W, H), [views.cells, W, H]);
  const { width: tw, height: th } = fitExtent(extent, TILE);
  const tiles = useMemo(() => {
    if (!maps) return [];
    const shared = sharedDomain(maps);
    return maps.map((m, l) => ({ layer: l, fills: cellFills(views.cells, m, scale === 'shared' ? shared : mapDomain(m)) }));
  }, [maps, views.cells, scale]);
  if (!maps) return null;
  const vaq = record.vaq;
  const decimals = vaq ? vaqDecimalsFor(vaq) : 3;

  return (
    <div className="layer-strip-wrap">
      <div className="section-tools">
        <span className="muted small">contrastive attention A, mean over heads, every layer</span>
        <span className="spacer" />
        <div className="segmented small" role="group" aria-label="Colour scale">
          <button
            className={scale === 'shared' ? 'pressed' : undefined}
            onClick={() => setScale('shared')}
            title="One colour scale over all layers: layers with little contrast look dark"
          >
            shared scale
          </button>
          <button
            className={scale === 'per-layer' ? 'pressed' : undefined}
            onClick={() => setScale('per-layer')}
            title="Each layer on its own [0, max]: shows every layer's pattern"
          >
            per layer
          </button>
        </div>
      </div>
      <div className="layer-strip" data-testid="layer-strip" data-layers={tiles.length}>
        {tiles.map((t) => (
          <button
            key={t.layer}
            className={`layer-tile${t.layer === record.layer ? ' chosen' : ''}${t.layer === selected ? ' selected' : ''}`}
            data-testid="layer-tile"
            data-layer={t.layer}
            onClick={() => onSelect(t.layer)}
            title={`Layer ${t.layer}${vaq ? `: VAQ ${vaq[t.layer].toFixed(decimals)}` : ''}${t.layer === record.layer ? ' (chosen, l*)' : ''}`}
          >
            <MapThumb
              url={thumbnailUrl}
              fills={t.fills}
              extent={extent}
              imageWidth={W}
              imageHeight={H}
              width={tw}
              height={th}
              opacity={Math.max(opacity, 0.75)}
            />
            <span className="layer-label">
              <strong>L{t.layer}</strong> {vaq ? vaq[t.layer].toFixed(decimals) : ''}
            </span>
          </button>
        ))}
      </div>
    </div>
  );
}
