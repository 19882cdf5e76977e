/**
 * Saves the overlay as shown (map, box, masked cells, opacity, padding), the VAQ curve, the paper
 * figure, VAQ per head and the decoding table, each as PNG (at a chosen DPI), SVG or PDF. All are
 * drawn by what `laser figure` uses (`overlayFigureFile` of common/laser, `vaqCurveSvg`,
 * `paperFigureSvg`, `vaqHeadsHeatmapSvg`, `decodingTableSvg` fed by record-figures.ts), the PDF by the same PDF back-end
 * (`svgToPdf`), and every file carries the run's provenance (model, method, layer, knobs): the
 * SVG as its <desc>, the PDF as its Subject. Only the PNG is made here, by the browser's canvas
 * from that SVG, where the CLI uses librsvg.
 */
import { Fragment, useState } from 'react';
import { decodingTableSvg, vaqCurveSvg, vaqHeadsHeatmapSvg } from '../../../common/figures/index.ts';
import type { LaserResult } from '../../../common/contract/methods.ts';
import { recordSchema } from '../../../common/laser/record.ts';
import { overlayFigureFile, paperFigureFile } from '../../../common/laser/overlay-figure.ts';
import { figureProvenance } from '../../../common/laser/provenance.ts';
import { decodingFigure, headsFigure, vaqFigure } from '../../../common/laser/record-figures.ts';
import { downloadBlob, figureBlob, imageAsDataUrl, savedStatus, type FigureFormat } from './export-files.ts';
import { figureFileName } from './figure-files.ts';
import { useApi } from '../host-context.tsx';
import { pdfFontsFrom } from './pdf-fonts.ts';
import { figureView, type OverlayModel } from './overlay.ts';

/** Print resolutions offered for PNG; CSS px are 1/96 in, so the PNG is DPI / 96 times the figure's size. */
export const EXPORT_DPIS = [96, 150, 300, 600] as const;
type Format = FigureFormat;

export function ExportButtons({ result, overlay, imageName, imageUrl }: { result: LaserResult; overlay: OverlayModel; imageName: string; imageUrl: string }) {
  const [status, setStatus] = useState<{ ok: boolean; text: string } | null>(null);
  const [dpi, setDpi] = useState<number>(300);
  const r = result.record;
  const map = overlay.map;
  const provenance = figureProvenance(r);

  // what the PDF back-end could not draw as written during the save in progress (a character its fonts lack)
  const warnings: string[] = [];
  const warn = (w: string) => void warnings.push(w);
  const save = async (what: string, make: () => Promise<{ blob: Blob; name: string }>) => {
    setStatus({ ok: true, text: `Preparing ${what}…` });
    warnings.length = 0;
    try {
      const { blob, name } = await make();
      downloadBlob(blob, name);
      setStatus({ ok: true, text: savedStatus(name, warnings) });
    } catch (e) {
      setStatus({ ok: false, text: `Could not save ${what}: ${e instanceof Error ? e.message : String(e)}` });
    }
  };

  const api = useApi();
  // PDFs embed the host's fonts, as laser figure's do
  const fontsFor = async (format: Format) => (format === 'pdf' ? await pdfFontsFrom(api) : undefined);
  const file = async (svg: string, format: Format) => figureBlob(svg, format, provenance, dpi, await fontsFor(format), warn);
  // the overlay as drawn (its map, heads, colormap and scale, whether the sinks were left out of it), as laser figure draws it
  const overlayFile = async (format: Format) => {
    const shown = figureView(overlay);
    if (!shown) throw new Error('no map is shown');
    const href = await imageAsDataUrl(imageUrl, 1600, format === 'pdf');
    const { svg, about } = overlayFigureFile(r, { href, width: r.image.width, height: r.image.height }, shown);
    return figureBlob(svg, format, about, dpi, await fontsFor(format), warn);
  };
  const vaqSvg = () => vaqCurveSvg(vaqFigure(r, true));
  // the paper figure of the run as shown: the overlay (without titles) and the VAQ curve placed whole, the crop I+ as the model got it
  const paperFile = async (format: Format) => {
    const shown = figureView(overlay);
    if (!shown) throw new Error('no map is shown');
    const forPdf = format === 'pdf';
    const href = await imageAsDataUrl(imageUrl, 1600, forPdf);
    const c = result.inputImages.find((i) => i.role === 'crop');
    const crop = c ? { href: await imageAsDataUrl(api.mediaUrl(c.media), 1600, forPdf), width: c.width, height: c.height } : null;
    const { svg, about } = paperFigureFile(r, { href, width: r.image.width, height: r.image.height }, shown, crop);
    return figureBlob(svg, format, about, dpi, await fontsFor(format), warn);
  };
  // the figures laser figure draws from record.json alone, with the same inputs
  const more: { id: string; label: string; what: string; can: string | null; make: (f: Format) => Promise<Blob> }[] = [
    {
      id: 'paper',
      label: 'Paper figure',
      what: 'the paper figure',
      can: !map ? 'Show a map to export it' : !r.vaq ? 'This method has no VAQ curve' : null,
      make: paperFile,
    },
    {
      id: 'heads',
      label: 'VAQ per head',
      what: 'the VAQ per head',
      can: r.vaqHeads ? null : 'This method has no VAQ per head',
      make: (f) => file(vaqHeadsHeatmapSvg(headsFigure(r, true)), f),
    },
    {
      id: 'decoding',
      label: 'Decoding',
      what: 'the decoding table',
      can: null,
      make: (f) => {
        // record.json's form writes -Infinity logits as strings; the schema reads them back as laser figure's load does
        const d = decodingFigure(recordSchema.parse(r), true);
        return file(decodingTableSvg(d.steps, d.options), f);
      },
    },
  ];

  const formats: Format[] = ['png', 'svg', 'pdf'];
  return (
    <div className="export" data-testid="export">
      <div className="export-row">
        <span className="form-label">Overlay</span>
        {formats.map((f) => (
          <button
            key={f}
            disabled={!map}
            title={map ? undefined : 'Show a map to export it'}
            data-testid={`export-overlay-${f}`}
            onClick={() =>
              void save('the overlay', async () => ({
                blob: await overlayFile(f),
                name: figureFileName(imageName, r.method, `overlay-${map?.id ?? 'none'}`, f),
              }))
            }
          >
            {f.toUpperCase()}
          </button>
        ))}
        <span className="form-label">VAQ curve</span>
        {formats.map((f) => (
          <button
            key={f}
            disabled={!r.vaq}
            data-testid={`export-vaq-${f}`}
            onClick={() => void save('the VAQ curve', async () => ({ blob: await file(vaqSvg(), f), name: figureFileName(imageName, r.method, 'vaq', f) }))}
          >
            {f.toUpperCase()}
          </button>
        ))}
        <label className="small" title="Resolution of PNG files (SVG and PDF are vector)">
          PNG at{' '}
          <select value={dpi} onChange={(e) => setDpi(Number(e.target.value))} data-testid="export-dpi">
            {EXPORT_DPIS.map((d) => (
              <option key={d} value={d}>
                {d} dpi
              </option>
            ))}
          </select>
        </label>
      </div>
      <div className="export-row">
        {more.map((m) => (
          <Fragment key={m.id}>
            <span className="form-label">{m.label}</span>
            {formats.map((f) => (
              <button
                key={f}
                disabled={m.can !== null}
                title={m.can ?? undefined}
                data-testid={`export-${m.id}-${f}`}
                onClick={() => void save(m.what, async () => ({ blob: await m.make(f), name: figureFileName(imageName, r.method, m.id, f) }))}
              >
                {f.toUpperCase()}
              </button>
            ))}
          </Fragment>
        ))}
      </div>
      {status && (
        <div className={status.ok ? 'small muted' : 'small bad'} data-testid="export-status">
          {status.text}
        </div>
      )}
    </div>
  );
}
