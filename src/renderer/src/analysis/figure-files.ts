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
export function figureFileName(imageName: string, method: string, what: string, ext: 'png' | 'svg' | 'pdf'): string {
  return `${fileStem(imageName)}-${method}-${what}.${ext}`;
}

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/**
 * A PNG that says its resolution: a pHYs chunk of `dpi` (as pixels per metre) right after IHDR,
 * replacing any there was, so a word processor or LaTeX places it at the size it was drawn for.
 */
export function pngWithDpi(png: Uint8Array, dpi: number): Uint8Array<ArrayBuffer> {
  if (!(dpi > 0)) throw new RangeError(`DPI must be positive, got ${dpi}.`);
  const sig = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  if (sig.some((v, i) => png[i] !== v)) throw new Error('Not a PNG.');
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  const chunks: Uint8Array[] = [png.subarray(0, 8)];
  const ppm = Math.round(dpi / 0.0254);
  const phys = new Uint8Array(21);
  const pv = new DataView(phys.buffer);
  pv.setUint32(0, 9);
  phys.set([0x70, 0x48, 0x59, 0x73], 4);
  pv.setUint32(8, ppm);
  pv.setUint32(12, ppm);
  phys[16] = 1; // unit: metre
  pv.setUint32(17, crc32(phys.subarray(4, 17)));
  let i = 8;
  while (i + 8 <= png.length) {
    const len = view.getUint32(i);
    const type = String.fromCharCode(...png.subarray(i + 4, i + 8));
    const end = i + 12 + len;
    if (type !== 'pHYs') chunks.push(png.subarray(i, end));
    if (type === 'IHDR') chunks.push(phys);
    i = end;
  }
  const out = new Uint8Array(chunks.reduce((s, c) => s + c.length, 0));
  let o = 0;
  for (const c of chunks) {
    out.set(c, o);
    o += c.length;
  }
  return out;
}

/** The DPI a PNG's pHYs chunk states, or null without one. */
export function pngDpi(png: Uint8Array): number | null {
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  let i = 8;
  while (i + 8 <= png.length) {
    const len = view.getUint32(i);
    if (String.fromCharCode(...png.subarray(i + 4, i + 8)) === 'pHYs' && png[i + 16] === 1) return Math.round(view.getUint32(i + 8) * 0.0254);
    i += 12 + len;
  }
  return null;
}
