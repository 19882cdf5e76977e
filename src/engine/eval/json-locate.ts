/**
 * Where a value sits in a JSON text, so that an error in entry 4711 of a 40 MB annotation file can
 * name its line. JSON.parse gives no positions, so this walks the (already valid) text along one
 * path, skipping every sibling without building it. Only called when something is wrong.
 */

export type JsonPath = readonly (string | number)[];

/** The first offset at or after `i` that is not JSON whitespace. */
function skipSpace(text: string, i: number): number {
  while (i < text.length && (text[i] === ' ' || text[i] === '\n' || text[i] === '\r' || text[i] === '\t')) i++;
  return i;
}

/** Offset of the value at `path`, or of its deepest ancestor present in the text. */
export function offsetOfJsonPath(text: string, path: JsonPath): number {
  let i = 0;
  const n = text.length;
  const ws = () => {
    i = skipSpace(text, i);
  };
  const skipString = () => {
    i++;
    while (i < n && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
    i++;
  };
  const skipValue = () => {
    ws();
    const c = text[i];
    if (c === '"') return skipString();
    if (c !== '{' && c !== '[') {
      while (i < n && !',]} \n\r\t'.includes(text.charAt(i))) i++;
      return;
    }
    let depth = 0;
    do {
      const d = text[i];
      if (d === '"') {
        skipString();
        continue;
      }
      if (d === '{' || d === '[') depth++;
      else if (d === '}' || d === ']') depth--;
      i++;
    } while (depth > 0 && i < n);
  };
  const readKey = (): string => {
    const start = i;
    skipString();
    return JSON.parse(text.slice(start, i)) as string;
  };
  /**
   * Steps into the container opening at i and over its members until `atMember` (called at the start
   * of each, with its index) says it is the wanted one (true) or that the container ended (null).
   */
  const seekMember = (atMember: (index: number) => boolean | null): boolean => {
    i++;
    for (let index = 0; ; index++) {
      ws();
      const hit = atMember(index);
      if (hit === null) return false;
      if (hit) return true;
      skipValue();
      ws();
      if (text[i] === ',') i++;
    }
  };

  ws();
  let found = i;
  for (const step of path) {
    const open = text[i];
    let located: boolean;
    if (open === '[' && typeof step === 'number') located = seekMember((index) => (i >= n || text[i] === ']' ? null : index === step));
    else if (open === '{' && typeof step === 'string')
      located = seekMember(() => {
        if (i >= n || text[i] !== '"') return null;
        const key = readKey();
        ws();
        i++; // ':'
        ws();
        return key === step;
      });
    else return found;
    if (!located) return found;
    found = i;
  }
  return found;
}

/** 1-based line of an offset. */
export function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let k = 0; k < offset && k < text.length; k++) if (text.charCodeAt(k) === 10) line++;
  return line;
}

export function lineOfJsonPath(text: string, path: JsonPath): number {
  return lineAt(text, offsetOfJsonPath(text, path));
}

/**
 * Offset of the first syntax error in a JSON text, or null if it is valid: JSON.parse's message
 * gives a position only for some errors ("Unexpected token" has none on Node 20).
 */
export function jsonSyntaxErrorOffset(text: string): number | null {
  let i = 0;
  const n = text.length;
  class At extends Error {
    constructor(readonly offset: number) {
      super('json syntax');
    }
  }
  const fail = (): never => {
    throw new At(Math.min(i, n));
  };
  const ws = () => {
    i = skipSpace(text, i);
  };
  const literal = (word: string) => {
    if (text.startsWith(word, i)) i += word.length;
    else fail();
  };
  const string = () => {
    i++;
    while (i < n && text[i] !== '"') {
      if (text.charCodeAt(i) < 0x20) fail();
      if (text[i] === '\\') {
        i++;
        if (text[i] === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 1, i + 5))) fail();
          i += 4;
        } else if (!'"\\/bfnrt'.includes(text[i] ?? '')) fail();
      }
      i++;
    }
    if (i >= n) fail();
    i++;
  };
  const number = () => {
    const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i, i + 400));
    if (!m) fail();
    i += m![0].length;
  };
  /** The object or array opening at i: `member` reads one member; commas between, `close` at the end. */
  const container = (close: string, member: () => void) => {
    i++;
    ws();
    if (text[i] === close) {
      i++;
      return;
    }
    for (;;) {
      member();
      ws();
      if (text[i] === ',') i++;
      else if (text[i] === close) {
        i++;
        return;
      } else fail();
    }
  };
  const value = (): void => {
    ws();
    const c = text[i];
    if (c === '{')
      return container('}', () => {
        ws();
        if (text[i] !== '"') fail();
        string();
        ws();
        if (text[i] !== ':') fail();
        i++;
        value();
      });
    if (c === '[') return container(']', value);
    if (c === '"') return string();
    if (c === 't') return literal('true');
    if (c === 'f') return literal('false');
    if (c === 'n') return literal('null');
    number();
  };
  try {
    value();
    ws();
    if (i < n) fail();
    return null;
  } catch (e) {
    if (e instanceof At) return e.offset;
    throw e;
  }
}
