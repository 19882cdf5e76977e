/**
 * One view's "export as" row: PNG at a chosen DPI, SVG and PDF of the figure the view makes with
 * the builder `laser figure` uses (the view passes `make`, which gives the figure's SVG and its
 * provenance); the file is written by figureBlob, as the result panel's exports are.
 */
import { useState } from 'react';
import { useApi } from '../host-context.tsx';
import { EXPORT_DPIS } from './ExportButtons.tsx';
import { downloadBlob, figureBlob, savedStatus, type FigureFormat } from './export-files.ts';
import { pdfFontsFrom } from './pdf-fonts.ts';

const FORMATS: readonly FigureFormat[] = ['png', 'svg', 'pdf'];

export function FigureExport({
  id,
  what,
  fileName,
  make,
  disabled,
}: {
  /** Test ids: export-<id>-png|svg|pdf, export-<id>-dpi, <id>-export-status. */
  id: string;
  /** "the layers", for the status line. */
  what: string;
  fileName: (format: FigureFormat) => string;
  /**
   * The figure as SVG with its provenance; `forPdf`: embedded pictures as JPEG, which the PDF
   * back-end embeds as they are; `dpi`: the PNG's, so pictures can be embedded large enough for it.
   */
  make: (forPdf: boolean, dpi: number) => Promise<{ svg: string; about: string }>;
  /** Why the figure cannot be exported now, or null. */
  disabled?: string | null;
}) {
  const api = useApi();
  const [dpi, setDpi] = useState<number>(300);
  const [status, setStatus] = useState<{ ok: boolean; text: string } | null>(null);
  const save = async (format: FigureFormat) => {
    setStatus({ ok: true, text: `Preparing ${what}…` });
    try {
      const { svg, about } = await make(format === 'pdf', dpi);
      const name = fileName(format);
      const warnings: string[] = [];
      downloadBlob(await figureBlob(svg, format, about, dpi, format === 'pdf' ? await pdfFontsFrom(api) : undefined, (w) => warnings.push(w)), name);
      setStatus({ ok: true, text: savedStatus(name, warnings) });
    } catch (e) {
      setStatus({ ok: false, text: `Could not save ${what}: ${e instanceof Error ? e.message : String(e)}` });
    }
  };
  return (
    <span className="figure-export small">
      {FORMATS.map((f) => (
        <button
          key={f}
          className="small"
          disabled={!!disabled}
          title={disabled ?? (f === 'png' ? `PNG at ${dpi} dpi` : `${f.toUpperCase()}, vector`)}
          data-testid={`export-${id}-${f}`}
          onClick={() => void save(f)}
        >
          {f.toUpperCase()}
        </button>
      ))}
      <select className="small" value={dpi} onChange={(e) => setDpi(Number(e.target.value))} data-testid={`export-${id}-dpi`} title="Resolution of PNG files">
        {EXPORT_DPIS.map((d) => (
          <option key={d} value={d}>
            {d} dpi
          </option>
        ))}
      </select>
      {status && (
        <span className={status.ok ? 'muted' : 'bad'} data-testid={`${id}-export-status`}>
          {status.text}
        </span>
      )}
    </span>
  );
}
