/**
 * One image at full resolution: fit to the window or zoomed (buttons, +/- keys, 1 for 1:1, 0 for
 * fit), with the analysis or its details beside it and a result's overlay drawn on it. Left/Right go
 * to the previous/next image; Escape goes back to the grid.
 */
import { lazy, Suspense, useEffect, useLayoutEffect, useRef, useState } from 'react';
import type { ImageDetails, ImageEntry } from '../../../common/contract/methods.ts';
import { ErrorPanel } from '../common/ErrorPanel.tsx';
import { formatCount } from '../common/format.ts';
import { useCall } from '../common/use-call.ts';
import { useElementSize } from '../common/use-element-size.ts';
import { useKeys } from '../common/use-keys.ts';
import { useApi } from '../host-context.tsx';
import { AnalysisPanel } from '../analysis/AnalysisPanel.tsx';
import { ImageOverlay } from '../analysis/ImageOverlay.tsx';
import { SidePanel } from '../analysis/SidePanel.tsx';
import { useAnalysis } from '../analysis/use-analysis.ts';
import { KEY_HELP, keyAction } from '../analysis/keys.ts';
import { DetailsPanel } from './DetailsPanel.tsx';
import { effectiveScale, zoomStep } from './zoom.ts';
import type { Zoom } from './zoom.ts';

// with the VAQ chart it carries ECharts: loaded when first shown
const LayersView = lazy(() => import('../analysis/LayersView.tsx').then((m) => ({ default: m.LayersView })));

export function ImageView({
  entries,
  index,
  onIndexChange,
  onClose,
}: {
  entries: ImageEntry[];
  index: number;
  onIndexChange: (index: number) => void;
  onClose: () => void;
}) {
  const api = useApi();
  const entry = entries[index];
  const stageRef = useRef<HTMLDivElement>(null);
  const stage = useElementSize(stageRef);
  const [zoom, setZoom] = useState<Zoom>({ mode: 'fit' });
  const [natural, setNatural] = useState<{ width: number; height: number } | null>(null);
  const [loadFailed, setLoadFailed] = useState(false);
  const details = useCall<ImageDetails>(entry.path, () => api.call('library.imageDetails', { path: entry.path }));
  const analysis = useAnalysis(entry);
  const [mainView, setMainView] = useState<'image' | 'layers'>('image');
  const canLayers = analysis.result?.views.contrastive != null;
  const showLayers = mainView === 'layers' && canLayers;

  useEffect(() => {
    setZoom({ mode: 'fit' });
    setNatural(null);
    setLoadFailed(false);
  }, [entry.path]);

  const size = natural ?? (entry.width && entry.height ? { width: entry.width, height: entry.height } : null);
  const box = { width: stage.width - 16, height: stage.height - 16 };
  // a pad-to-square grid reaches past the picture: fit the padding too, and leave room for it around the picture
  const padded = analysis.overlay?.padding && !showLayers ? analysis.overlay : null;
  const reach =
    padded && size
      ? { x: (padded.extent[2] - padded.extent[0]) / padded.imageWidth, y: (padded.extent[3] - padded.extent[1]) / padded.imageHeight }
      : { x: 1, y: 1 };
  const scale = size ? effectiveScale(zoom, box, { width: size.width * reach.x, height: size.height * reach.y }) : 1;
  const frameMargin =
    padded && size
      ? {
          marginLeft: Math.round((-padded.extent[0] / padded.imageWidth) * size.width * scale),
          marginTop: Math.round((-padded.extent[1] / padded.imageHeight) * size.height * scale),
          marginRight: Math.round(((padded.extent[2] - padded.imageWidth) / padded.imageWidth) * size.width * scale),
          marginBottom: Math.round(((padded.extent[3] - padded.imageHeight) / padded.imageHeight) * size.height * scale),
        }
      : undefined;
  // Zooming keeps the point at the centre of the view where it was, rather than the top-left corner.
  const previousScale = useRef(scale);
  useLayoutEffect(() => {
    const el = stageRef.current;
    const ratio = scale / previousScale.current;
    previousScale.current = scale;
    if (!el || ratio === 1) return;
    const cx = el.scrollLeft + el.clientWidth / 2;
    const cy = el.scrollTop + el.clientHeight / 2;
    el.scrollLeft = cx * ratio - el.clientWidth / 2;
    el.scrollTop = cy * ratio - el.clientHeight / 2;
  }, [scale]);

  const zoomBy = (direction: 1 | -1) => setZoom({ mode: 'scale', scale: zoomStep(scale, direction) });
  const broken = entry.error ?? (loadFailed ? (details.status === 'error' ? details.error.message : 'The image could not be displayed.') : null);

  const [help, setHelp] = useState(false);
  useKeys(true, (event) => {
    if (help && (event.key === 'Escape' || event.key === '?')) {
      setHelp(false);
      return true;
    }
    const target = event.target instanceof HTMLElement ? event.target : null;
    const onLayerTile = target?.closest('.layer-tile') != null;
    const action = keyAction(event.key, { result: analysis.result, view: analysis.view, onLayerTile });
    if (action) {
      if (action.kind === 'help') setHelp(true);
      else if (action.kind === 'toggle-layers') setMainView((v) => (v === 'layers' ? 'image' : 'layers'));
      else analysis.setView(action.change);
      return true;
    }
    switch (event.key) {
      case 'Escape':
        onClose();
        return true;
      case 'ArrowLeft':
        if (index > 0) onIndexChange(index - 1);
        return true;
      case 'ArrowRight':
        if (index < entries.length - 1) onIndexChange(index + 1);
        return true;
      case '+':
      case '=':
        zoomBy(1);
        return true;
      case '-':
      case '_':
        zoomBy(-1);
        return true;
      case '0':
        setZoom({ mode: 'fit' });
        return true;
      case '1':
        setZoom({ mode: 'scale', scale: 1 });
        return true;
      default:
        return false;
    }
  });

  return (
    <div className="image-view" data-testid="image-view" role="dialog" aria-label={entry.name}>
      <div className="image-toolbar">
        <button onClick={onClose} data-testid="image-close" title="Back to the grid (Escape)">
          ← Grid
        </button>
        <span className="image-title" title={entry.relPath}>
          {entry.relPath}
        </span>
        <span className="muted" data-testid="image-position">
          {formatCount(index + 1)} / {formatCount(entries.length)}
        </span>
        <span className="spacer" />
        <div className="segmented small" role="group" aria-label="Main view">
          <button className={showLayers ? undefined : 'pressed'} onClick={() => setMainView('image')} data-testid="main-view-image">
            Image
          </button>
          <button
            className={showLayers ? 'pressed' : undefined}
            onClick={() => setMainView('layers')}
            disabled={!canLayers}
            data-testid="main-view-layers"
            title={
              canLayers
                ? 'Every layer’s map, large, with the VAQ curve'
                : 'Run a method that scores layers (laser, static-layer, laser-crop) to see every layer'
            }
          >
            Layers
          </button>
        </div>
        <span className="toolbar-sep" />
        <button onClick={() => onIndexChange(index - 1)} disabled={index === 0} title="Previous (←)">
          ‹ Prev
        </button>
        <button onClick={() => onIndexChange(index + 1)} disabled={index >= entries.length - 1} title="Next (→)">
          Next ›
        </button>
        <span className="toolbar-sep" />
        <button onClick={() => zoomBy(-1)} title="Zoom out (−)" data-testid="zoom-out" disabled={broken !== null}>
          −
        </button>
        <span className="zoom-level" data-testid="zoom-level">
          {broken !== null ? '' : zoom.mode === 'fit' ? `Fit ${Math.round(scale * 100)}%` : `${Math.round(scale * 100)}%`}
        </span>
        <button onClick={() => zoomBy(1)} title="Zoom in (+)" data-testid="zoom-in" disabled={broken !== null}>
          +
        </button>
        <button
          onClick={() => setZoom({ mode: 'fit' })}
          className={zoom.mode === 'fit' ? 'pressed' : undefined}
          title="Fit to window (0)"
          data-testid="zoom-fit"
          disabled={broken !== null}
        >
          Fit
        </button>
        <button
          onClick={() => setZoom({ mode: 'scale', scale: 1 })}
          className={zoom.mode === 'scale' && zoom.scale === 1 ? 'pressed' : undefined}
          title="Actual pixels (1)"
          data-testid="zoom-actual"
          disabled={broken !== null}
        >
          1:1
        </button>
      </div>
      <div className="image-body">
        <div className="image-stage" ref={stageRef} data-testid="image-stage">
          {showLayers && analysis.result ? (
            <Suspense fallback={<div className="centre-panel muted">Loading the layers…</div>}>
              <LayersView
                result={analysis.result}
                imageUrl={api.mediaUrl({ kind: 'original', path: entry.path })}
                imageName={entry.name}
                colormap={analysis.view.colormap}
                selected={analysis.view.map === 'A' ? analysis.view.layer : null}
                onSelect={(layer) => analysis.setView({ layer, map: 'A' })}
              />
            </Suspense>
          ) : broken ? (
            <div className="centre-panel">
              <ErrorPanel error={{ code: 'corrupt-image', message: broken }} title="This image cannot be shown" testId="image-broken" />
            </div>
          ) : (
            <div className="image-canvas">
              <div className="image-frame" style={frameMargin}>
                <img
                  key={entry.path}
                  data-testid="image-original"
                  src={api.mediaUrl({ kind: 'original', path: entry.path })}
                  alt={entry.name}
                  draggable={false}
                  className={scale >= 2 ? 'pixelated' : undefined}
                  style={size ? { width: Math.max(1, Math.round(size.width * scale)), height: Math.max(1, Math.round(size.height * scale)) } : undefined}
                  onLoad={(e) => setNatural({ width: e.currentTarget.naturalWidth, height: e.currentTarget.naturalHeight })}
                  onError={() => setLoadFailed(true)}
                />
                {analysis.overlay && <ImageOverlay model={analysis.overlay} onHover={analysis.setHoverPoint} />}
              </div>
            </div>
          )}
        </div>
        {help && (
          <div className="modal-backdrop" onMouseDown={(e) => e.target === e.currentTarget && setHelp(false)}>
            <div className="modal key-help" role="dialog" aria-label="Keys" data-testid="key-help">
              <header className="modal-head">
                <h1>Keys</h1>
                <span className="spacer" />
                <button onClick={() => setHelp(false)} title="Close (Escape or ?)">
                  Close
                </button>
              </header>
              <div className="modal-body">
                <table className="small">
                  <tbody>
                    {[...KEY_HELP, ['Esc', 'back to the grid'], ['0 / 1 / + / −', 'fit, actual size, zoom']].map(([k, what]) => (
                      <tr key={k}>
                        <td className="mono">{k}</td>
                        <td>{what}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            </div>
          </div>
        )}
        <SidePanel
          analysis={<AnalysisPanel a={analysis} entry={entry} />}
          details={<DetailsPanel entry={entry} details={details} />}
          running={analysis.running !== null}
        />
      </div>
    </div>
  );
}
