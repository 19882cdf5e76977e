/**
 * A strict little XML parser: it accepts what the figure builders must produce (an
 * optional declaration, one root element, attributes in double or single quotes, character data,
 * the five predefined entities and numeric character references) and throws, with the offset, on
 * anything that is not well-formed XML 1.0: unbalanced or crossed tags, a raw `<` or bare `&` in
 * text or attributes, duplicate attributes, bad names, characters XML forbids, content after the root.
 * It returns the element tree: tests look figures up by element and attribute in it, and the PDF
 * back-end (pdf.ts) draws from it.
 */

export interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  /** Character data directly inside this element, entities decoded. */
  text: string;
  parent: XmlElement | null;
}

const NAME = /^[A-Za-z_:][-A-Za-z0-9_.:]*/;
const ENTITIES = new Map([
  ['amp', '&'],
  ['lt', '<'],
  ['gt', '>'],
  ['quot', '"'],
  ['apos', "'"],
]);
// eslint-disable-next-line no-control-regex
const FORBIDDEN = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/;

function decode(s: string, at: number): string {
  if (FORBIDDEN.test(s)) throw new Error(`Character not allowed in XML near offset ${at}.`);
  return s.replace(/&([^;&\s]*);?/g, (m, body: string) => {
    if (!m.endsWith(';')) throw new Error(`Bare '&' near offset ${at}.`);
    if (body.startsWith('#x')) {
      if (!/^#x[0-9A-Fa-f]+$/.test(body)) throw new Error(`Bad character reference &${body}; near offset ${at}.`);
      return String.fromCodePoint(parseInt(body.slice(2), 16));
    }
    if (body.startsWith('#')) {
      if (!/^#[0-9]+$/.test(body)) throw new Error(`Bad character reference &${body}; near offset ${at}.`);
      return String.fromCodePoint(parseInt(body.slice(1), 10));
    }
    const entity = ENTITIES.get(body);
    if (entity === undefined) throw new Error(`Unknown entity &${body}; near offset ${at}.`);
    return entity;
  });
}

export function parseXml(src: string): XmlElement {
  let i = 0;
  if (src.startsWith('<?xml')) {
    const end = src.indexOf('?>');
    if (end < 0) throw new Error('Unterminated XML declaration.');
    i = end + 2;
  }
  let root: XmlElement | null = null;
  let current: XmlElement | null = null;
  while (i < src.length) {
    const lt = src.indexOf('<', i);
    const chunk = src.slice(i, lt < 0 ? src.length : lt);
    if (chunk.includes('>') && chunk.includes(']]>')) throw new Error(`']]>' in character data near offset ${i}.`);
    if (current) current.text += decode(chunk, i);
    else if (chunk.trim() !== '') throw new Error(`Text outside the root element near offset ${i}.`);
    if (lt < 0) break;
    i = lt;
    if (src.startsWith('<!--', i)) {
      const end = src.indexOf('-->', i + 4);
      if (end < 0) throw new Error(`Unterminated comment at offset ${i}.`);
      i = end + 3;
      continue;
    }
    if (src.startsWith('</', i)) {
      const m = NAME.exec(src.slice(i + 2));
      if (!m) throw new Error(`Bad end tag at offset ${i}.`);
      const close = src.indexOf('>', i);
      if (close < 0 || src.slice(i + 2 + m[0].length, close).trim() !== '') throw new Error(`Bad end tag at offset ${i}.`);
      if (!current || current.name !== m[0]) throw new Error(`End tag </${m[0]}> at offset ${i} does not close <${current?.name ?? '(nothing)'}>.`);
      current = current.parent;
      i = close + 1;
      continue;
    }
    const m = NAME.exec(src.slice(i + 1));
    if (!m) throw new Error(`Bad start tag at offset ${i}.`);
    if (root && !current) throw new Error(`Second root element at offset ${i}.`);
    const el: XmlElement = { name: m[0], attrs: {}, children: [], text: '', parent: current };
    i += 1 + m[0].length;
    for (;;) {
      const ws = /^\s*/.exec(src.slice(i))![0].length;
      i += ws;
      if (src.startsWith('/>', i) || src.startsWith('>', i)) break;
      if (ws === 0) throw new Error(`Attributes must be separated by white space at offset ${i}.`);
      const a = NAME.exec(src.slice(i));
      if (!a) throw new Error(`Bad attribute name at offset ${i}.`);
      i += a[0].length;
      const eq = /^\s*=\s*/.exec(src.slice(i));
      if (!eq) throw new Error(`Attribute ${a[0]} without a value at offset ${i}.`);
      i += eq[0].length;
      const q = src[i];
      if (q !== '"' && q !== "'") throw new Error(`Unquoted attribute ${a[0]} at offset ${i}.`);
      const end = src.indexOf(q, i + 1);
      if (end < 0) throw new Error(`Unterminated attribute ${a[0]} at offset ${i}.`);
      const raw = src.slice(i + 1, end);
      if (raw.includes('<')) throw new Error(`Raw '<' in attribute ${a[0]} at offset ${i}.`);
      if (a[0] in el.attrs) throw new Error(`Duplicate attribute ${a[0]} at offset ${i}.`);
      el.attrs[a[0]] = decode(raw, i);
      i = end + 1;
    }
    if (current) current.children.push(el);
    else root = el;
    if (src.startsWith('/>', i)) i += 2;
    else {
      i += 1;
      current = el;
    }
  }
  if (!root) throw new Error('No root element.');
  if (current) throw new Error(`Unclosed element <${current.name}>.`);
  return root;
}

/** Every element below (and including) `root` that matches. */
export function findAll(root: XmlElement, pred: (e: XmlElement) => boolean): XmlElement[] {
  const out: XmlElement[] = [];
  const walk = (e: XmlElement) => {
    if (pred(e)) out.push(e);
    e.children.forEach(walk);
  };
  walk(root);
  return out;
}

export function byClass(root: XmlElement, cls: string): XmlElement[] {
  return findAll(root, (e) => (e.attrs.class ?? '').split(/\s+/).includes(cls));
}

/** The text of an element and all its descendants, in document order. */
export function textContent(e: XmlElement): string {
  // Character data and child text interleave in the source; for figure texts (a text run, or tspans) this order suffices.
  return e.text + e.children.map(textContent).join('');
}

/** Texts of all <text> elements. */
export function texts(root: XmlElement): string[] {
  return findAll(root, (e) => e.name === 'text').map(textContent);
}
