/**
 * A tiny SVG writer. Markup is a branded string (`Svg`), so text can reach a document only through
 * `text()` or an attribute, both of which escape it: a token such as `</s>` or `a & b` from a model
 * can never break the XML. Numbers are written with at most two decimals (a hundredth of a CSS
 * pixel is far below what any renderer or printer resolves) and never as -0, NaN or Infinity.
 */

export type Svg = string & { readonly __svg: true };
export type AttrValue = string | number | boolean | null | undefined;
export type Attrs = Record<string, AttrValue>;

/**
 * XML 1.0 forbids most C0 controls, lone surrogates and U+FFFE/U+FFFF even as character references,
 * so they are replaced with U+FFFD: a decoded token may contain any of them.
 */
// eslint-disable-next-line no-control-regex
const INVALID_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

function xmlSafe(s: string): string {
  return s.replace(INVALID_XML, '\uFFFD');
}

/** Character data: `&`, `<` and `>` escaped (the last so that `]]>` cannot occur). */
export function escapeText(s: string): string {
  return xmlSafe(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** An attribute value in double quotes; tabs and newlines as references, which attribute normalisation would otherwise turn into spaces. */
export function escapeAttr(s: string): string {
  return escapeText(s).replace(/"/g, '&quot;').replace(/'/g, '&#39;').replace(/\t/g, '&#9;').replace(/\n/g, '&#10;').replace(/\r/g, '&#13;');
}

/** A coordinate or length: at most `digits` decimals, trailing zeros dropped, no -0. */
export function num(n: number, digits = 2): string {
  if (!Number.isFinite(n)) throw new RangeError(`SVG numbers must be finite, got ${n}.`);
  const s = n.toFixed(digits);
  const trimmed = s.includes('.') ? s.replace(/\.?0+$/, '') : s;
  return trimmed === '-0' ? '0' : trimmed;
}

const NAME = /^[A-Za-z_][-A-Za-z0-9_.:]*$/;

function attrs(a: Attrs): string {
  let out = '';
  for (const [k, v] of Object.entries(a)) {
    if (v === undefined || v === null || v === false) continue;
    if (!NAME.test(k)) throw new RangeError(`Invalid attribute name "${k}".`);
    const value = v === true ? k : typeof v === 'number' ? num(v) : escapeAttr(v);
    out += ` ${k}="${value}"`;
  }
  return out;
}

/** An element; children are markup (use `text()` for character data). */
export function el(tag: string, a: Attrs = {}, ...children: (Svg | null | undefined | false)[]): Svg {
  if (!NAME.test(tag)) throw new RangeError(`Invalid element name "${tag}".`);
  const body = children.filter((c): c is Svg => typeof c === 'string').join('');
  return (body === '' ? `<${tag}${attrs(a)}/>` : `<${tag}${attrs(a)}>${body}</${tag}>`) as Svg;
}

/** Escaped character data. */
export function text(s: string): Svg {
  return escapeText(s) as Svg;
}

/** Several pieces of markup as one. */
export function group(...children: (Svg | null | undefined | false)[]): Svg {
  return children.filter((c): c is Svg => typeof c === 'string').join('') as Svg;
}

/** Unique ids within one document, prefixed so that several figures can share an HTML page. */
export function idMaker(prefix: string): (name: string) => string {
  if (!/^[A-Za-z][-A-Za-z0-9_]*$/.test(prefix)) throw new RangeError(`Invalid id prefix "${prefix}".`);
  let n = 0;
  return (name) => `${prefix}-${name}-${n++}`;
}

export interface DocumentOptions {
  width: number;
  height: number;
  /** The accessible name (`<title>`), also what most SVG viewers show as the window title. */
  title: string;
  fontFamily: string;
  /** Drawn first, so the figure is opaque on any page: white unless said otherwise. */
  background?: string;
}

/** A standalone SVG document with an XML declaration, fixed pixel size and an opaque background. */
export function svgDocument(o: DocumentOptions, ...children: (Svg | null | undefined | false)[]): string {
  const w = Math.ceil(o.width);
  const h = Math.ceil(o.height);
  const root = el(
    'svg',
    {
      xmlns: 'http://www.w3.org/2000/svg',
      'xmlns:xlink': 'http://www.w3.org/1999/xlink',
      version: '1.1',
      width: w,
      height: h,
      viewBox: `0 0 ${w} ${h}`,
      'font-family': o.fontFamily,
      'text-rendering': 'geometricPrecision',
    },
    el('title', {}, text(o.title)),
    el('rect', { width: w, height: h, fill: o.background ?? '#ffffff' }),
    ...children,
  );
  return `<?xml version="1.0" encoding="UTF-8"?>\n${root}\n`;
}
