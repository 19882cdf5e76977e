/**
 * The Settings panel's pixel limit field: what the user typed, read as a whole number of pixels
 * (digits, with optional thousands separators: spaces, commas, underscores or apostrophes), or
 * empty for the default; with a one-line reason when it is not one.
 */
export type PixelLimitInput = { ok: true; value: number | null } | { ok: false; reason: string };

export function parsePixelLimit(text: string, ceiling: number): PixelLimitInput {
  const trimmed = text.trim();
  if (trimmed === '') return { ok: true, value: null };
  const digits = trimmed.replace(/[\s,_']/g, '');
  if (!/^\d+$/.test(digits)) return { ok: false, reason: `"${trimmed}" is not a whole number of pixels.` };
  const value = Number(digits);
  if (value < 1) return { ok: false, reason: 'The limit must be at least 1 pixel.' };
  if (value > ceiling) return { ok: false, reason: `The limit can be at most ${formatPixels(ceiling)} pixels.` };
  return { ok: true, value };
}

/** 100000000 -> "100,000,000 (100 megapixels, e.g. 10000 x 10000)". */
export function describePixels(n: number): string {
  const side = Math.floor(Math.sqrt(n));
  const mp = n / 1e6;
  const megapixels = mp >= 1 ? `${Number.isInteger(mp) ? mp : mp.toFixed(1)} megapixels, ` : '';
  return `${formatPixels(n)} (${megapixels}e.g. ${side} x ${side})`;
}

function formatPixels(n: number): string {
  return n.toLocaleString('en-US');
}
