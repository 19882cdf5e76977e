/**
 * A small, strict reader of Python pickles that hold plain data, for the refer API's
 * `refs(unc).p` / `refs(umd).p` / `refs(google).p` (lichengunc/refer, RefCOCO / RefCOCO+ /
 * RefCOCOg): a list of dicts of ints, strings and lists, written by Python 2's
 * `pickle.dump(refs, f)` / cPickle at protocol 2.
 *
 * Why not a package: the npm readers (pickleparser 0.2.1, jpickle 0.4.1, checked with `npm view`
 * on 2026-12-03) are single releases with no maintenance history, and both reconstruct objects
 * through GLOBAL / REDUCE. A refs file needs none of that; this reads the opcodes that build
 * plain values and refuses every other with its name and byte offset, so a file that is not
 * plain data (a class instance, a function call) is an error here and never code.
 *
 * Opcodes read (pickletools' names):
 * - framing and memo: PROTO, STOP, FRAME (protocol 4), BINPUT, LONG_BINPUT, MEMOIZE, BINGET,
 *   LONG_BINGET, MARK, POP, POP_MARK, DUP;
 * - values: NONE, NEWTRUE, NEWFALSE, BININT, BININT1, BININT2, LONG1, LONG4 (as number, or bigint
 *   past 2^53), BINFLOAT;
 * - strings: SHORT_BINSTRING and BINSTRING (Python 2 `str`, what the refer files hold: decoded as
 *   UTF-8, or Latin-1 where the bytes are not UTF-8, as Python 3's `encoding='latin1'` would),
 *   BINUNICODE, SHORT_BINUNICODE, BINUNICODE8 (text), SHORT_BINBYTES, BINBYTES, BINBYTES8 (bytes);
 * - containers: EMPTY_LIST, APPEND, APPENDS, LIST, EMPTY_DICT, SETITEM, SETITEMS, DICT,
 *   EMPTY_TUPLE, TUPLE, TUPLE1, TUPLE2, TUPLE3 (tuples read as arrays), EMPTY_SET, ADDITEMS,
 *   FROZENSET (read as arrays).
 * Python 3 re-saving a refs file (protocols 2 to 5) writes only these for such data.
 * Dict keys are kept when they are strings or numbers (as their text), else refused.
 */

export type PickleValue = null | boolean | number | bigint | string | Uint8Array | PickleValue[] | { [key: string]: PickleValue };

export class PickleError extends Error {}

const MARK = Symbol('mark');
type Slot = PickleValue | typeof MARK;

const NAMES: Record<number, string> = {
  0x63: 'GLOBAL',
  0x52: 'REDUCE',
  0x62: 'BUILD',
  0x81: 'NEWOBJ',
  0x92: 'NEWOBJ_EX',
  0x93: 'STACK_GLOBAL',
  0x69: 'INST',
  0x6f: 'OBJ',
  0x50: 'PERSID',
  0x51: 'BINPERSID',
  0x82: 'EXT1',
  0x83: 'EXT2',
  0x84: 'EXT4',
  0x49: 'INT',
  0x4c: 'LONG',
  0x53: 'STRING',
  0x56: 'UNICODE',
  0x46: 'FLOAT',
  0x70: 'PUT',
  0x67: 'GET',
  0x97: 'NEXT_BUFFER',
  0x98: 'READONLY_BUFFER',
  0x96: 'BYTEARRAY8',
};

const utf8 = new TextDecoder('utf-8', { fatal: true });
const latin1 = new TextDecoder('latin1');

function pyStr(bytes: Uint8Array): string {
  try {
    return utf8.decode(bytes);
  } catch {
    return latin1.decode(bytes);
  }
}

/** Little-endian two's-complement integer of LONG1 / LONG4. */
function longOf(bytes: Uint8Array): number | bigint {
  const last = bytes.at(-1);
  if (last === undefined) return 0;
  let v = 0n;
  for (const b of bytes.toReversed()) v = (v << 8n) | BigInt(b);
  if (last & 0x80) v -= 1n << BigInt(8 * bytes.length);
  return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
}

function keyOf(k: PickleValue, at: number): string {
  if (typeof k === 'string') return k;
  if (typeof k === 'number' || typeof k === 'bigint') return String(k);
  throw new PickleError(`a dict key that is not a string or a number (byte ${at})`);
}

/** The value a pickle holds; a PickleError for anything but plain data (see the header). */
export function readPickle(data: Uint8Array): PickleValue {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const stack: Slot[] = [];
  const memo = new Map<number, PickleValue>();
  let pos = 0;

  const need = (n: number, op: string) => {
    if (pos + n > data.length) throw new PickleError(`ends inside ${op} (byte ${pos} of ${data.length}): the file is cut short`);
  };
  const take = (n: number, op: string) => {
    need(n, op);
    const out = data.subarray(pos, pos + n);
    pos += n;
    return out;
  };
  const u8 = (op: string) => (need(1, op), (pos += 1), view.getUint8(pos - 1));
  const u16 = (op: string) => (need(2, op), (pos += 2), view.getUint16(pos - 2, true));
  const u32 = (op: string) => (need(4, op), (pos += 4), view.getUint32(pos - 4, true));
  const u64 = (op: string) => {
    need(8, op);
    const v = view.getBigUint64(pos, true);
    pos += 8;
    if (v > BigInt(data.length)) throw new PickleError(`${op} of ${v} bytes past the end of the file (byte ${pos - 9})`);
    return Number(v);
  };
  const pop = (op: string): PickleValue => {
    const v = stack.pop();
    if (v === undefined || v === MARK) throw new PickleError(`${op} on an empty stack (byte ${pos - 1})`);
    return v;
  };
  const top = (op: string): PickleValue => {
    const v = stack.at(-1);
    if (v === undefined || v === MARK) throw new PickleError(`${op} on an empty stack (byte ${pos - 1})`);
    return v;
  };
  const popMark = (op: string): PickleValue[] => {
    const k = stack.lastIndexOf(MARK);
    if (k < 0) throw new PickleError(`${op} without a MARK (byte ${pos - 1})`);
    const items = stack.splice(k) as PickleValue[];
    return items.slice(1);
  };
  const listAt = (op: string): PickleValue[] => {
    const l = top(op);
    if (!Array.isArray(l)) throw new PickleError(`${op} onto something that is not a list (byte ${pos - 1})`);
    return l;
  };
  const dictAt = (op: string): { [key: string]: PickleValue } => {
    const d = top(op);
    if (d === null || typeof d !== 'object' || Array.isArray(d) || d instanceof Uint8Array)
      throw new PickleError(`${op} onto something that is not a dict (byte ${pos - 1})`);
    return d;
  };
  const setItems = (d: { [key: string]: PickleValue }, items: PickleValue[], at: number) => {
    if (items.length % 2 !== 0) throw new PickleError(`SETITEMS with an odd number of items (byte ${at})`);
    for (let k = 0; k < items.length; k += 2) {
      const key = items[k];
      const value = items[k + 1];
      if (key === undefined || value === undefined) throw new PickleError(`SETITEMS with an odd number of items (byte ${at})`);
      d[keyOf(key, at)] = value;
    }
  };
  const get = (k: number, at: number) => {
    const v = memo.get(k);
    if (v === undefined) throw new PickleError(`memo ${k} read before it was written (byte ${at})`);
    stack.push(v);
  };
  const put = (k: number) => memo.set(k, top('PUT'));

  while (pos < data.length) {
    const at = pos;
    const op = view.getUint8(pos++);
    switch (op) {
      case 0x80: {
        const p = u8('PROTO');
        if (p > 5) throw new PickleError(`protocol ${p} is newer than 5`);
        break;
      }
      case 0x95: // FRAME: a length, then the framed opcodes follow inline
        take(8, 'FRAME');
        break;
      case 0x2e: {
        // STOP
        const [only] = stack;
        if (stack.length !== 1 || only === undefined || only === MARK) throw new PickleError(`STOP with ${stack.length} values on the stack (byte ${at})`);
        return only;
      }
      case 0x28:
        stack.push(MARK);
        break;
      case 0x30:
        pop('POP');
        break;
      case 0x31:
        popMark('POP_MARK');
        break;
      case 0x32:
        stack.push(top('DUP'));
        break;
      case 0x71:
        put(u8('BINPUT'));
        break;
      case 0x72:
        put(u32('LONG_BINPUT'));
        break;
      case 0x94:
        put(memo.size);
        break;
      case 0x68:
        get(u8('BINGET'), at);
        break;
      case 0x6a:
        get(u32('LONG_BINGET'), at);
        break;
      case 0x4e:
        stack.push(null);
        break;
      case 0x88:
        stack.push(true);
        break;
      case 0x89:
        stack.push(false);
        break;
      case 0x4a:
        need(4, 'BININT');
        stack.push(view.getInt32(pos, true));
        pos += 4;
        break;
      case 0x4b:
        stack.push(u8('BININT1'));
        break;
      case 0x4d:
        stack.push(u16('BININT2'));
        break;
      case 0x8a:
        stack.push(longOf(take(u8('LONG1'), 'LONG1')));
        break;
      case 0x8b:
        stack.push(longOf(take(u32('LONG4'), 'LONG4')));
        break;
      case 0x47:
        need(8, 'BINFLOAT');
        stack.push(view.getFloat64(pos, false));
        pos += 8;
        break;
      case 0x55:
        stack.push(pyStr(take(u8('SHORT_BINSTRING'), 'SHORT_BINSTRING')));
        break;
      case 0x54: {
        need(4, 'BINSTRING');
        const n = view.getInt32(pos, true);
        pos += 4;
        if (n < 0) throw new PickleError(`BINSTRING of negative length (byte ${at})`);
        stack.push(pyStr(take(n, 'BINSTRING')));
        break;
      }
      case 0x8c:
        stack.push(utf8.decode(take(u8('SHORT_BINUNICODE'), 'SHORT_BINUNICODE')));
        break;
      case 0x58:
        stack.push(utf8.decode(take(u32('BINUNICODE'), 'BINUNICODE')));
        break;
      case 0x8d:
        stack.push(utf8.decode(take(u64('BINUNICODE8'), 'BINUNICODE8')));
        break;
      case 0x43:
        stack.push(take(u8('SHORT_BINBYTES'), 'SHORT_BINBYTES').slice());
        break;
      case 0x42:
        stack.push(take(u32('BINBYTES'), 'BINBYTES').slice());
        break;
      case 0x8e:
        stack.push(take(u64('BINBYTES8'), 'BINBYTES8').slice());
        break;
      case 0x5d: // EMPTY_LIST
      case 0x29: // EMPTY_TUPLE
      case 0x8f: // EMPTY_SET
        stack.push([]);
        break;
      case 0x61: {
        const v = pop('APPEND');
        listAt('APPEND').push(v);
        break;
      }
      case 0x65: {
        const items = popMark('APPENDS');
        listAt('APPENDS').push(...items);
        break;
      }
      case 0x90: {
        const items = popMark('ADDITEMS');
        listAt('ADDITEMS').push(...items);
        break;
      }
      case 0x6c: // LIST
      case 0x74: // TUPLE
      case 0x91: // FROZENSET
        stack.push(popMark(op === 0x74 ? 'TUPLE' : op === 0x91 ? 'FROZENSET' : 'LIST'));
        break;
      case 0x85:
        stack.push([pop('TUPLE1')]);
        break;
      case 0x86: {
        const b = pop('TUPLE2');
        stack.push([pop('TUPLE2'), b]);
        break;
      }
      case 0x87: {
        const c = pop('TUPLE3');
        const b = pop('TUPLE3');
        stack.push([pop('TUPLE3'), b, c]);
        break;
      }
      case 0x7d:
        stack.push({});
        break;
      case 0x73: {
        const v = pop('SETITEM');
        const k = pop('SETITEM');
        dictAt('SETITEM')[keyOf(k, at)] = v;
        break;
      }
      case 0x75: {
        const items = popMark('SETITEMS');
        setItems(dictAt('SETITEMS'), items, at);
        break;
      }
      case 0x64: {
        const d: { [key: string]: PickleValue } = {};
        setItems(d, popMark('DICT'), at);
        stack.push(d);
        break;
      }
      default: {
        const name = NAMES[op];
        throw new PickleError(
          name !== undefined
            ? `opcode ${name} at byte ${at} builds objects or is text protocol 0/1; only plain data (lists, dicts, strings, numbers) at protocol 2 or later is read`
            : `unknown opcode 0x${op.toString(16).padStart(2, '0')} at byte ${at}: not a pickle`,
        );
      }
    }
  }
  throw new PickleError(`no STOP opcode: the file is cut short (${data.length} bytes)`);
}

/**
 * Plain data as a protocol-2 pickle, as Python 2's cPickle writes the refer files (without its
 * memo, which readers do not need): lists by EMPTY_LIST + APPENDS, dicts by EMPTY_DICT +
 * SETITEMS (batches of 1000, as Python), ASCII strings as SHORT_BINSTRING / BINSTRING (Python 2
 * `str`), others as BINUNICODE, integers as BININT1 / BININT2 / BININT / LONG1, other numbers as
 * BINFLOAT. Python 2 and 3 `pickle.load` it. For the demo world's RefCOCO export (world-formats.ts).
 */
export function writePickle(value: PickleValue): Uint8Array {
  const out: number[] = [0x80, 2];
  const u32 = (n: number) => out.push(n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff);
  const bytes = (b: Uint8Array) => {
    for (const x of b) out.push(x);
  };
  const enc = new TextEncoder();
  const batched = (items: PickleValue[][], open: number, close: number) => {
    out.push(open);
    for (let k = 0; k < items.length; k += 1000) {
      out.push(0x28);
      for (const group of items.slice(k, k + 1000)) for (const v of group) put(v);
      out.push(close);
    }
  };
  const put = (v: PickleValue): void => {
    if (v === null) out.push(0x4e);
    else if (v === true) out.push(0x88);
    else if (v === false) out.push(0x89);
    else if (typeof v === 'bigint' || (typeof v === 'number' && Number.isInteger(v))) {
      const n = BigInt(v);
      if (n >= 0n && n < 256n) out.push(0x4b, Number(n));
      else if (n >= 0n && n < 65536n) out.push(0x4d, Number(n) & 0xff, Number(n) >> 8);
      else if (n >= -(2n ** 31n) && n < 2n ** 31n) {
        out.push(0x4a);
        u32(Number(n));
      } else {
        // little-endian bytes until the rest is only the sign the last byte already shows
        const le: number[] = [];
        let x = n;
        let byte: number;
        do {
          byte = Number(x & 0xffn);
          le.push(byte);
          x >>= 8n;
        } while (!(x === 0n && (byte & 0x80) === 0) && !(x === -1n && (byte & 0x80) !== 0));
        out.push(0x8a, le.length, ...le);
      }
    } else if (typeof v === 'number') {
      const b = new DataView(new ArrayBuffer(8));
      b.setFloat64(0, v, false);
      out.push(0x47);
      bytes(new Uint8Array(b.buffer));
    } else if (typeof v === 'string') {
      const b = enc.encode(v);
      // ASCII (every UTF-8 byte below 0x80) is a Python 2 str; anything else its unicode
      if (b.length === v.length) {
        if (b.length < 256) out.push(0x55, b.length);
        else {
          out.push(0x54);
          u32(b.length);
        }
      } else {
        out.push(0x58);
        u32(b.length);
      }
      bytes(b);
    } else if (v instanceof Uint8Array) {
      throw new PickleError('bytes have no protocol-2 opcode of their own (Python 3 writes them through GLOBAL); write them as text');
    } else if (Array.isArray(v))
      batched(
        v.map((x) => [x]),
        0x5d,
        0x65,
      );
    else
      batched(
        Object.entries(v).map(([k, x]) => [k, x]),
        0x7d,
        0x75,
      );
  };
  put(value);
  out.push(0x2e);
  return Uint8Array.from(out);
}
