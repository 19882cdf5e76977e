import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { displayPath, encodeFsPath, isInsideBytes, toFsPath } from './hostPath.ts';
import { WorkbenchError } from '../../common/contract/errors.ts';

const latin1Cafe = Buffer.concat([Buffer.from('/data/caf'), Buffer.from([0xe9]), Buffer.from('.png')]);

describe('host paths', () => {
  it('hands out a valid UTF-8 path unchanged, so fs can open it directly', () => {
    const p = '/data/été/ü 🙂.png';
    expect(encodeFsPath(Buffer.from(p))).toBe(p);
    expect(toFsPath(p)).toBe(p);
  });

  it('escapes each byte that is not valid UTF-8 as NUL plus two hex digits', () => {
    expect(encodeFsPath(latin1Cafe)).toBe('/data/caf\u0000e9.png');
  });

  it('turns an encoded path back into exactly the raw bytes', () => {
    const back = toFsPath('/data/caf\u0000e9.png');
    expect(Buffer.isBuffer(back) && back.equals(latin1Cafe)).toBe(true);
  });

  it('keeps valid multi-byte sequences next to invalid bytes intact', () => {
    const raw = Buffer.concat([Buffer.from('/x/é'), Buffer.from([0xc3]), Buffer.from('ü'), Buffer.from([0xff, 0xfe])]);
    const encoded = encodeFsPath(raw);
    expect(encoded).toBe('/x/é\u0000c3ü\u0000ff\u0000fe');
    expect((toFsPath(encoded) as Buffer).equals(raw)).toBe(true);
  });

  it('escapes overlong forms, UTF-16 surrogates and truncated sequences rather than decoding them', () => {
    const overlongSlash = Buffer.from([0xc0, 0xaf]);
    const surrogate = Buffer.from([0xed, 0xa0, 0x80]);
    const cut = Buffer.from([0xe2, 0x82]);
    expect(encodeFsPath(overlongSlash)).toBe('\u0000c0\u0000af');
    expect(encodeFsPath(surrogate)).toBe('\u0000ed\u0000a0\u000080');
    expect(encodeFsPath(cut)).toBe('\u0000e2\u000082');
  });

  it('round-trips any bytes a Linux file name can hold', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 1, maxLength: 40 }).filter((a) => !a.includes(0)),
        (a) => {
          const raw = Buffer.from(a);
          const back = toFsPath(encodeFsPath(raw));
          return Buffer.from(typeof back === 'string' ? Buffer.from(back, 'utf8') : back).equals(raw);
        },
      ),
    );
  });

  it('survives a URL query string, which is how media paths travel', () => {
    const encoded = encodeFsPath(latin1Cafe);
    const q = new URLSearchParams({ path: encoded }).toString();
    expect(new URLSearchParams(q).get('path')).toBe(encoded);
  });

  it('refuses a NUL that is not an escape, and escapes of ASCII bytes, rather than open another file', () => {
    expect(() => toFsPath('/data/a\u0000.png')).toThrow(WorkbenchError);
    expect(() => toFsPath('/data/\u00002f..\u00002fetc')).toThrow(/NUL/);
    expect(() => toFsPath('/data/\u000000x')).toThrow(WorkbenchError);
  });

  it('displays invalid bytes as U+FFFD', () => {
    expect(displayPath(latin1Cafe)).toBe('/data/caf\ufffd.png');
    expect(displayPath('/data/caf\u0000e9.png')).toBe('/data/caf\ufffd.png');
  });

  it('tells a child from a sibling that merely shares a prefix', () => {
    const root = Buffer.from('/data/images');
    expect(isInsideBytes(Buffer.from('/data/images'), root)).toBe(true);
    expect(isInsideBytes(Buffer.from('/data/images/a.png'), root)).toBe(true);
    expect(isInsideBytes(Buffer.from('/data/images-private/a.png'), root)).toBe(false);
    expect(isInsideBytes(Buffer.from('/data'), root)).toBe(false);
    expect(isInsideBytes(Buffer.from('/etc/passwd'), Buffer.from('/'))).toBe(true);
  });
});
