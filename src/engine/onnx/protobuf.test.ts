import { describe, expect, it } from 'vitest';
import { ProtoWriter } from './protobuf.ts';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

describe('ProtoWriter', () => {
  it('encodes varints as the protobuf spec examples do', () => {
    expect(hex(new ProtoWriter().varint(1).finish())).toBe('01');
    expect(hex(new ProtoWriter().varint(150).finish())).toBe('9601');
    expect(hex(new ProtoWriter().varint(300).finish())).toBe('ac02');
    expect(hex(new ProtoWriter().varint(2 ** 53 - 1).finish())).toBe('ffffffffffffff0f');
  });

  it("writes a negative int64 as ten bytes of two's complement", () => {
    expect(hex(new ProtoWriter().int(3, -1).finish())).toBe('18ffffffffffffffffff01');
  });

  it('tags fields with (number << 3 | wire type)', () => {
    // field 1 varint 150 → 08 96 01 (the spec's "Test1" message)
    expect(hex(new ProtoWriter().int(1, 150).finish())).toBe('089601');
    // field 2 string "testing" → 12 07 74 65 73 74 69 6e 67
    expect(hex(new ProtoWriter().string(2, 'testing').finish())).toBe('120774657374696e67');
    // field 2 float 1.0 → 15 0000803f
    expect(hex(new ProtoWriter().float(2, 1).finish())).toBe('150000803f');
  });

  it('packs repeated ints into one length-delimited field and skips empty ones', () => {
    // the spec's packed example: field 4, [3, 270, 86942] → 22 06 03 8e02 9ea705
    expect(hex(new ProtoWriter().packedInts(4, [3, 270, 86942]).finish())).toBe('2206038e029ea705');
    expect(new ProtoWriter().packedInts(4, []).finish().length).toBe(0);
  });

  it('grows past its initial capacity', () => {
    const w = new ProtoWriter(2);
    const s = 'x'.repeat(1000);
    const b = w.string(1, s).finish();
    expect(b.length).toBe(1 + 2 + 1000);
    expect(Buffer.from(b.subarray(3)).toString()).toBe(s);
  });
});
