/**
 * Saving figures from the browser: SVG text to a file, SVG rasterised to PNG, and the original
 * image as a data: URI so an exported SVG stands alone; one figure's SVG in the format asked for
 * (`figureBlob`: SVG and PDF with the run's provenance, PNG at a DPI). Files are saved
 * through an <a download> on a blob URL, in the browser and in Electron alike.
 */
import { svgToPdf, withDescription, type PdfFonts } from '../../../common/figures/index.ts';
import { pngWithDpi, svgSize } from './figure-files.ts';

export function downloadBlob(blob: Blob, fileName: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  a.style.display = 'none';
  document.body.appendChild(a);
  a.click();
  a.remove();
  // The download has its own reference to the blob by the time the click returns; a minute is plenty.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

export function svgBlob(svg: string): Blob {
  return new Blob([svg], { type: 'image/svg+xml' });
}

function loadImage(src: string, crossOrigin?: 'anonymous'): Promise<HTMLImageElement> {
  return new Promise((resolve, reject) => {
    const img = new Image();
    if (crossOrigin) img.crossOrigin = crossOrigin;
    img.onload = () => resolve(img);
    img.onerror = () => reject(new Error('The picture could not be loaded for export.'));
    img.src = src;
  });
}

function canvasBlob(canvas: HTMLCanvasElement, type: string, quality?: number): Promise<Blob> {
  return new Promise((resolve, reject) => canvas.toBlob((b) => (b ? resolve(b) : reject(new Error('The browser could not encode the image.'))), type, quality));
}

/** An SVG document (with its own width/height) as a PNG at `scale` times its size, on white. */
export async function svgToPng(svg: string, width: number, height: number, scale: number): Promise<Blob> {
  const url = URL.createObjectURL(svgBlob(svg));
  try {
    const img = await loadImage(url);
    const canvas = document.createElement('canvas');
    canvas.width = Math.round(width * scale);
    canvas.height = Math.round(height * scale);
    const ctx = canvas.getContext('2d')!;
    ctx.fillStyle = '#ffffff';
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    ctx.drawImage(img, 0, 0, canvas.width, canvas.height);
    return await canvasBlob(canvas, 'image/png');
  } finally {
    URL.revokeObjectURL(url);
  }
}

/**
 * The picture at `url` as a data: URI no larger than `maxSide` pixels (JPEG for photos keeps an
 * exported SVG small; PNG keeps exact pixels when the original is small enough to embed as it is).
 */
export async function imageAsDataUrl(url: string, maxSide: number, jpegOnly = false, grayscale = false): Promise<string> {
  let blob: Blob;
  try {
    blob = await encodePicture(await loadImage(url), maxSide, jpegOnly, grayscale);
  } catch {
    // A picture from another origin (Electron's media scheme) taints the canvas unless it is
    // fetched in CORS mode; the first try is the plain one because that is what the view loaded.
    blob = await encodePicture(await loadImage(url, 'anonymous'), maxSide, jpegOnly, grayscale);
  }
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result));
    reader.onerror = () => reject(new Error('The picture could not be read for export.'));
    reader.readAsDataURL(blob);
  });
}

/**
 * `jpegOnly`: for the PDF back-end, which embeds JPEG as it is but not a browser's RGBA PNG;
 * `grayscale`: a grey copy, as the layer strip lays its maps on (laser figure's is made by sharp).
 */
function encodePicture(img: HTMLImageElement, maxSide: number, jpegOnly: boolean, grayscale: boolean): Promise<Blob> {
  const scale = Math.min(1, maxSide / Math.max(img.naturalWidth, img.naturalHeight));
  const canvas = document.createElement('canvas');
  canvas.width = Math.max(1, Math.round(img.naturalWidth * scale));
  canvas.height = Math.max(1, Math.round(img.naturalHeight * scale));
  const ctx = canvas.getContext('2d')!;
  if (grayscale) ctx.filter = 'grayscale(1)';
  ctx.drawImage(img, 0, 0, canvas.width, canvas.height);
  return scale < 1 || jpegOnly ? canvasBlob(canvas, 'image/jpeg', 0.92) : canvasBlob(canvas, 'image/png');
}

export type FigureFormat = 'png' | 'svg' | 'pdf';

/** The status line after a save: the file, and what its PDF fonts could not draw, if anything. */
export function savedStatus(name: string, warnings: readonly string[]): string {
  return warnings.length === 0 ? `Saved ${name}` : `Saved ${name}; note: ${warnings.join('; ')}`;
}

/**
 * A figure's SVG as a file: SVG and PDF (common/figures' back-end, embedding `fonts`) with
 * `provenance` in them, PNG at `dpi` (tagged with it). `warn` hears what the PDF could not draw as
 * written (a character its fonts lack, drawn as the empty box), for the export's status line.
 */
export async function figureBlob(
  svg: string,
  format: FigureFormat,
  provenance: string,
  dpi: number,
  fonts?: PdfFonts,
  warn?: (message: string) => void,
): Promise<Blob> {
  const described = withDescription(svg, provenance);
  if (format === 'svg') return svgBlob(described);
  if (format === 'pdf')
    return new Blob([svgToPdf(described, { subject: provenance, ...(fonts ? { fonts } : {}), ...(warn ? { warn } : {}) })], { type: 'application/pdf' });
  const { width, height } = svgSize(described);
  const png = await svgToPng(described, width, height, dpi / 96);
  return new Blob([pngWithDpi(new Uint8Array(await png.arrayBuffer()), dpi)], { type: 'image/png' });
}
