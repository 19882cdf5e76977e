import { spawnSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { fixture } from '../../../test/eval/support/fixtures.ts';
import { PickleError, readPickle, writePickle } from './pickle.ts';
import { at } from '../../../test/support/index-access.ts';

const hex = (s: string) => Uint8Array.from(Buffer.from(s, 'hex'));

// Python 3.11: pickle.dumps({'a': [1, -2, 300, 70000, 2**40, -2**70, 1.5, None, True, False, (1, 2), (), (1, 2, 3, 4)],
//   'b': 'é text', 'c': b'\x00\x01', 'd': {7: 'x'}}, 4)
const PROTOCOL_4 =
  '80049571000000000000007d94288c0161945d94284b014afeffffff4d2c014a701101008a060000000000018a090000000000000000c0473ff80000000000004e88894b014b02869429284b014b024b034b047494658c0162948c07c3a92074657874948c01639443020001948c0164947d944b078c01789473752e';
// the same at protocol 2: bytes become _codecs.encode(...) through GLOBAL and REDUCE
const PROTOCOL_2_BYTES =
  '80027d71002858010000006171015d7102284b014afeffffff4d2c014a701101008a060000000000018a090000000000000000c0473ff80000000000004e88894b014b0286710329284b014b024b034b047471046558010000006271055807000000c3a9207465787471065801000000637107635f636f646563730a656e636f64650a710858020000000001710958060000006c6174696e31710a86710b52710c580100000064710d7d710e4b07580100000078710f73752e';

describe('readPickle', () => {
  it("reads the refer API's refs(unc).p as Python 2's cPickle wrote it (protocol 2, SHORT_BINSTRING, memo)", async () => {
    const refs = readPickle(new Uint8Array(await readFile(fixture('refer', 'refcoco', 'refs(unc).p')))) as Record<string, unknown>[];
    expect(refs).toHaveLength(4);
    expect(refs[0]).toEqual({
      sent_ids: [0, 1],
      file_name: 'COCO_train2014_000000000042_10.jpg',
      ann_id: 1719310,
      ref_id: 0,
      image_id: 42,
      split: 'train',
      sentences: [
        { tokens: ['the', 'yellow', 'square'], raw: 'THE YELLOW SQUARE', sent_id: 0, sent: 'the yellow square' },
        { tokens: ['yellow', 'thing', 'left'], raw: 'yellow thing left', sent_id: 1, sent: 'yellow thing left' },
      ],
      category_id: 1,
    });
    // a Python 2 unicode (BINUNICODE) beside the str ones
    expect(at(at(refs, 2).sentences as { raw: string }[], 1).raw).toBe('chien à gauche');
  });

  it('reads what Python 3 writes at protocol 4 (FRAME, MEMOIZE, SHORT_BINUNICODE, LONG1, BINFLOAT, tuples, bytes, int keys)', () => {
    expect(readPickle(hex(PROTOCOL_4))).toEqual({
      a: [1, -2, 300, 70000, 2 ** 40, -(2n ** 70n), 1.5, null, true, false, [1, 2], [], [1, 2, 3, 4]],
      b: 'é text',
      c: Uint8Array.from([0, 1]),
      d: { '7': 'x' },
    });
  });

  it('keeps shared references (BINGET) and refuses anything that builds objects', () => {
    // pickle.dumps([x, x], 2) with x = [1]
    expect(readPickle(hex('80025d7100285d71014b01616801652e'))).toEqual([[1], [1]]);
    expect(() => readPickle(hex(PROTOCOL_2_BYTES))).toThrow(/opcode GLOBAL at byte \d+ builds objects/);
  });

  it('says where a file is cut short or is not a pickle', () => {
    const full = hex('80025d7100285d71014b01616801652e');
    expect(() => readPickle(full.subarray(0, full.length - 1))).toThrow(PickleError);
    expect(() => readPickle(full.subarray(0, full.length - 1))).toThrow('no STOP opcode: the file is cut short');
    expect(() => readPickle(hex('80025801000000'))).toThrow('ends inside BINUNICODE');
    expect(() => readPickle(new TextEncoder().encode('{"refs": []}'))).toThrow('unknown opcode 0x7b at byte 0: not a pickle');
    expect(() => readPickle(hex('8002652e'))).toThrow('APPENDS without a MARK');
    expect(() => readPickle(hex('80024b014b022e'))).toThrow('STOP with 2 values on the stack');
    expect(() => readPickle(hex('8002680a2e'))).toThrow('memo 10 read before it was written');
  });
});

describe('writePickle', () => {
  const value = {
    refs: [{ ref_id: 0, ann_id: 1719310, big: 2 ** 40, neg: -5, f: 8.5, sent: 'the lady', raw: 'café', none: null, ok: true, list: [], long: 'x'.repeat(300) }],
    many: Array.from({ length: 2500 }, (_, k) => k),
  };

  it('reads back what it writes: ints of every width, floats, str and unicode, long lists in batches', () => {
    expect(readPickle(writePickle(value))).toEqual(value);
    expect(readPickle(writePickle(-(2n ** 70n)))).toBe(-(2n ** 70n));
    expect(readPickle(writePickle(-128))).toBe(-128);
    expect(readPickle(writePickle(2 ** 31))).toBe(2 ** 31);
    expect(readPickle(writePickle(-(2 ** 31)))).toBe(-(2 ** 31));
    expect(() => writePickle(Uint8Array.of(1))).toThrow('bytes have no protocol-2 opcode');
  });

  it("Python 2's opcodes for Python 2 str: SHORT_BINSTRING, and BININT1 / BININT for ints", () => {
    // cPickle.dumps(['ab', 7, 1719310], 2) less its BINPUTs
    expect(Buffer.from(writePickle(['ab', 7, 1719310])).toString('hex')).toBe('80025d28550261624b074a0e3c1a00652e');
  });

  it.runIf(spawnSync('python3', ['--version']).status === 0)('python3 pickle.load reads it to the same value', () => {
    const r = spawnSync('python3', ['-c', 'import sys, pickle, json; json.dump(pickle.loads(sys.stdin.buffer.read()), sys.stdout)'], {
      input: Buffer.from(writePickle(value)),
    });
    expect(r.stderr.toString()).toBe('');
    expect(JSON.parse(r.stdout.toString())).toEqual(value);
  });
});
