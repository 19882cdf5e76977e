/**
 * Saves the overlay as shown (map, box, masked cells, opacity) and the VAQ chart, each as PNG and
 * SVG. The overlay is `attentionOverlaySvg` of common/figures, the figure `laser figure overlay`
 * draws, with the picture embedded; the chart is ECharts in the paper theme.
 */
import { useState } from 'react';
import { attentionOverlaySvg } from '../../../common/figures/index.ts';
import type { LaserResult } from '../../../common/contract/methods.ts';
import { EXPORT_THEME } from './chart-theme.ts';
import { chartPng, chartSvg, downloadBlob, imageAsDataUrl, svgBlob, svgToPng } from './export-files.ts';
import { figureFileName, svgSize } from './figure-files.ts';
import type { OverlayModel, ViewSettings } from './overlay.ts';
import { vaqChartOption } from './vaq-chart.ts';

const OVERLAY_WIDTH = 504;
const PNG_SCALE = 3;
const CHART = { width: 480, height: 280 };

export function ExportButtons({ result, view, overlay, imageName, imageUrl }: { result: LaserResult; view: ViewSettings; overlay: OverlayModel; imageName: string; imageUrl: string }) {
  const [status, setStatus] = useState<{ ok: boolean; text: string } | null>(null);
  const r = result.record;
  const map = overlay.map;

  const save = async (what: string, make: () => Promise<{ blob: Blob; name: string }>) => {
    setStatus({ ok: true, text: `Preparing ${what}…` });
    try {
      const { blob, name } = await make();
      downloadBlob(blob, name);
      setStatus({ ok: true, text: `Saved ${name}` });
    } catch (e) {
      setStatus({ ok: false, text: `Could not save ${what}: ${e instanceof Error ? e.message : String(e)}` });
    }
  };

  const overlaySvg = async () => {
    if (!map?.values) throw new Error('no map is shown');
    const href = await imageAsDataUrl(imageUrl, 1600);
    return attentionOverlaySvg({
      image: { href, width: r.image.width, height: r.image.height },
      cells: result.views.cells,
      values: map.values,
      opacity: view.opacity,
      box: overlay.box,
      truthBox: overlay.truth,
      maskedCells: view.showMasked ? r.maskedCells : [],
      seen: overlay.seen,
      title: r.question,
      subtitle: `${r.method} · ${map.label}${r.layer !== null && map.id === 'M' ? ` · layer ${r.layer}` : ''} · answer: ${r.answer.trim() || '(empty)'}`,
      colorbar: true,
      colorbarLabel: map.id === 'M' ? (r.method === 'vicrop-rel' ? 'relative attention' : 'share of map mass') : 'attention',
      width: OVERLAY_WIDTH,
    });
  };
  const vaqOption = () => vaqChartOption({ vaq: r.vaq ?? [], chosen: r.layer, selected: null, searched: r.layerChoice?.searched ?? null, title: `VAQ per layer · ${r.method}` }, EXPORT_THEME);
  const overlayName = (ext: 'png' | 'svg') => figureFileName(imageName, r.method, `overlay-${map?.id ?? 'none'}`, ext);

  return (
    <div className="export" data-testid="export">
      <div className="export-row">
        <span className="form-label">Overlay</span>
        <button disabled={!map} title={map ? undefined : 'Show a map to export it'} data-testid="export-overlay-png" onClick={() => void save('the overlay', async () => {
          const svg = await overlaySvg();
          const { width, height } = svgSize(svg);
          return { blob: await svgToPng(svg, width, height, PNG_SCALE), name: overlayName('png') };
        })}>
          PNG
        </button>
        <button disabled={!map} data-testid="export-overlay-svg" onClick={() => void save('the overlay', async () => ({ blob: svgBlob(await overlaySvg()), name: overlayName('svg') }))}>
          SVG
        </button>
        <span className="form-label">VAQ chart</span>
        <button disabled={!r.vaq} data-testid="export-vaq-png" onClick={() => void save('the VAQ chart', async () => ({ blob: chartPng(vaqOption(), CHART.width, CHART.height, PNG_SCALE), name: figureFileName(imageName, r.method, 'vaq', 'png') }))}>
          PNG
        </button>
        <button disabled={!r.vaq} data-testid="export-vaq-svg" onClick={() => void save('the VAQ chart', async () => ({ blob: svgBlob(chartSvg(vaqOption(), CHART.width, CHART.height)), name: figureFileName(imageName, r.method, 'vaq', 'svg') }))}>
          SVG
        </button>
      </div>
      {status && (
        <div className={status.ok ? 'small muted' : 'small bad'} data-testid="export-status">
          {status.text}
        </div>
      )}
    </div>
  );
}
