/**
 * Host paths: the strings the engine hands out for files, and their way back to the file system.
 *
 * Linux lets a file name be any bytes except '/' and NUL, so a name need not be valid UTF-8. Such a
 * file must still be listed, thumbnailed and opened, and the string the renderer gets for it must
 * lead back to exactly that file, through JSON, structured clone and URL query strings alike.
 *
 * The choice: a stateless, reversible encoding rather than a registry, so that a path printed by
 * the CLI or held by the renderer across an engine restart still works. A path whose bytes are
 * valid UTF-8 is handed out as itself (the common case: other code can give it to `fs` directly).
 * Otherwise each byte that is not part of a valid UTF-8 sequence becomes NUL followed by two
 * lowercase hex digits. NUL is the one character no real file name can contain, so an encoded
 * path never collides with a real one; and it is a valid Unicode scalar, so unlike Python's lone
 * surrogates it survives URLSearchParams. A NUL-bearing string given to `fs` or sharp as it is
 * fails loudly (Node refuses paths with NUL) instead of opening another file: call `toFsPath`.
 */
import { isUtf8 } from 'node:buffer';
import path from 'node:path';
import { WorkbenchError } from '../../common/contract/errors.ts';

/** A path as the file system takes it: a plain string when it is valid UTF-8, raw bytes otherwise. */
export type FsPath = string | Buffer;

const ESCAPE = '\u0000';
// eslint-disable-next-line no-control-regex -- NUL is the escape marker, on purpose (see above).
const escapedByte = /\u0000([0-9a-f]{2})/g;

/** Length of the valid UTF-8 sequence starting at `i`, or 0 when the byte there starts none. */
function utf8SequenceLength(b: Uint8Array, i: number): number {
  const c = b[i];
  if (c === undefined) return 0;
  if (c < 0x80) return 1;
  let n: number;
  if (c >= 0xc2 && c <= 0xdf) n = 2;
  else if (c >= 0xe0 && c <= 0xef) n = 3;
  else if (c >= 0xf0 && c <= 0xf4) n = 4;
  else return 0;
  if (i + n > b.length) return 0;
  // The second byte's range excludes overlong forms, UTF-16 surrogates and code points past U+10FFFF.
  let lo = 0x80;
  let hi = 0xbf;
  if (c === 0xe0) lo = 0xa0;
  else if (c === 0xed) hi = 0x9f;
  else if (c === 0xf0) lo = 0x90;
  else if (c === 0xf4) hi = 0x8f;
  const second = b[i + 1] ?? 0;
  if (second < lo || second > hi) return 0;
  for (const next of b.subarray(i + 2, i + n)) if ((next & 0xc0) !== 0x80) return 0;
  return n;
}

/** The host path string for raw path bytes (see the module comment for the encoding). */
export function encodeFsPath(bytes: Buffer): string {
  if (isUtf8(bytes)) return bytes.toString('utf8');
  let out = '';
  let runStart = 0;
  let i = 0;
  while (i < bytes.length) {
    const n = utf8SequenceLength(bytes, i);
    if (n > 0) {
      i += n;
      continue;
    }
    out += bytes.toString('utf8', runStart, i) + ESCAPE + bytes[i]!.toString(16).padStart(2, '0');
    i += 1;
    runStart = i;
  }
  return out + bytes.toString('utf8', runStart);
}

/**
 * The file-system path for a host path: the string itself, or the raw bytes it encodes.
 * Throws WorkbenchError('bad-request') for a NUL that is not part of an escape.
 */
export function toFsPath(hostPath: string): FsPath {
  if (!hostPath.includes(ESCAPE)) return hostPath;
  const parts: Buffer[] = [];
  let last = 0;
  for (const m of hostPath.matchAll(escapedByte)) {
    const hex = m[1];
    if (hex === undefined) throw malformedPath();
    const byte = parseInt(hex, 16);
    // The encoder escapes only bytes that cannot stand alone in UTF-8, never ASCII (NUL, '/', '.').
    if (byte < 0x80) throw malformedPath();
    parts.push(Buffer.from(hostPath.slice(last, m.index), 'utf8'), Buffer.from([byte]));
    last = m.index + m[0].length;
  }
  parts.push(Buffer.from(hostPath.slice(last), 'utf8'));
  const bytes = Buffer.concat(parts);
  if (bytes.includes(0)) throw malformedPath();
  return bytes;
}

function malformedPath(): WorkbenchError {
  return new WorkbenchError('bad-request', 'The path contains a NUL character that is not an escaped byte.', 'Use a path exactly as the workbench listed it.');
}

/** Raw bytes of a file-system path. */
export function fsPathBytes(p: FsPath): Buffer {
  return typeof p === 'string' ? Buffer.from(p, 'utf8') : p;
}

/** The shortest form of raw path bytes: a string when they are valid UTF-8 (what sharp needs). */
export function fsPathFromBytes(bytes: Buffer): FsPath {
  return isUtf8(bytes) ? bytes.toString('utf8') : bytes;
}

/** A readable rendering of a path for messages and display: invalid bytes become U+FFFD. */
export function displayPath(p: FsPath | string): string {
  return typeof p === 'string' ? (p.includes(ESCAPE) ? displayPath(toFsPath(p)) : p) : p.toString('utf8');
}

/**
 * Byte-exact path arithmetic. A latin1 string maps each byte to one char and back, so Node's path
 * functions (which only care about '/' and '.') can work on any bytes without decoding them.
 */
export function resolveBytes(...segments: Buffer[]): Buffer {
  return Buffer.from(path.resolve(...segments.map((s) => s.toString('latin1'))), 'latin1');
}

export function joinBytes(dir: Buffer, name: Buffer): Buffer {
  return Buffer.from(path.join(dir.toString('latin1'), name.toString('latin1')), 'latin1');
}

export function dirnameBytes(p: Buffer): Buffer {
  return Buffer.from(path.dirname(p.toString('latin1')), 'latin1');
}

export function basenameBytes(p: Buffer): Buffer {
  return Buffer.from(path.basename(p.toString('latin1')), 'latin1');
}

/** Whether `child` is `root` or lies below it, comparing raw bytes (both absolute, normalized). */
export function isInsideBytes(child: Buffer, root: Buffer): boolean {
  if (child.equals(root)) return true;
  const sep = path.sep.charCodeAt(0);
  const prefixLength = root[root.length - 1] === sep ? root.length : root.length + 1;
  return child.length > prefixLength && child.subarray(0, root.length).equals(root) && child[prefixLength - 1] === sep;
}
