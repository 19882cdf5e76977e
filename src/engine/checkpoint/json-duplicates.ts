/**
 * Finds a key that occurs twice in one JSON object. JSON.parse silently keeps the last value of a
 * duplicated key, so a safetensors header naming the same tensor twice would parse into a smaller,
 * plausible-looking header; we scan the text ourselves to refuse it.
 *
 * The scanner only tracks strings and nesting; it assumes the text is valid JSON (call it after
 * JSON.parse succeeded), so it does not re-validate numbers or literals.
 */
export function findDuplicateKey(text: string): { key: string; path: string[] } | null {
  type Frame = { kind: 'object'; keys: Set<string>; path: string[]; expectKey: boolean; lastKey: string } | { kind: 'array'; path: string[] };
  const stack: Frame[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === '"') {
      const end = stringEnd(text, i);
      const top = stack[stack.length - 1];
      if (top && top.kind === 'object' && top.expectKey) {
        const key = JSON.parse(text.slice(i, end)) as string;
        if (top.keys.has(key)) return { key, path: top.path };
        top.keys.add(key);
        top.lastKey = key;
        top.expectKey = false;
      }
      i = end;
      continue;
    }
    if (c === '{' || c === '[') {
      const parent = stack[stack.length - 1];
      const path = parent ? [...parent.path, parent.kind === 'object' ? parent.lastKey : '[]'] : [];
      stack.push(c === '{' ? { kind: 'object', keys: new Set(), path, expectKey: true, lastKey: '' } : { kind: 'array', path });
    } else if (c === '}' || c === ']') {
      stack.pop();
    } else if (c === ',') {
      const top = stack[stack.length - 1];
      if (top && top.kind === 'object') top.expectKey = true;
    }
    i++;
  }
  return null;
}

/** Index just past the closing quote of the string starting at `start`. */
function stringEnd(text: string, start: number): number {
  let i = start + 1;
  while (i < text.length) {
    const c = text[i];
    if (c === '\\') i += 2;
    else if (c === '"') return i + 1;
    else i++;
  }
  return i;
}
