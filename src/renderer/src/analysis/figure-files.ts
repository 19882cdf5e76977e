/** Pure helpers of figure export: an SVG's declared size, data: URIs as blobs, and file names. */

/** The width and height an SVG document declares on its root element. */
export function svgSize(svg: string): { width: number; height: number } {
  const root = /<svg\b[^>]*>/.exec(svg)?.[0] ?? '';
  const width = Number(/\swidth="([\d.]+)"/.exec(root)?.[1]);
  const height = Number(/\sheight="([\d.]+)"/.exec(root)?.[1]);
  if (!(width > 0 && height > 0)) throw new Error('The figure declares no size.');
  return { width, height };
}

/** A base64 data: URI as a Blob of its media type. */
export function dataUrlToBlob(url: string): Blob {
  const m = /^data:([^;,]+)(;base64)?,(.*)$/s.exec(url);
  if (!m) throw new Error('Not a data: URL.');
  if (!m[2]) return new Blob([decodeURIComponent(m[3])], { type: m[1] });
  const bin = atob(m[3]);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  return new Blob([bytes], { type: m[1] });
}

/** A file-name part: the image's name without its extension, letters, digits, dot, dash and underscore only. */
export function fileStem(s: string): string {
  return (
    s
      .replace(/\.[^.]+$/, '')
      .replace(/[^\w.-]+/g, '_')
      .slice(0, 80) || 'figure'
  );
}

/** `<image>-<method>-<what>.<ext>`, e.g. "cat-laser-overlay-M.png". */
export function figureFileName(imageName: string, method: string, what: string, ext: 'png' | 'svg'): string {
  return `${fileStem(imageName)}-${method}-${what}.${ext}`;
}
