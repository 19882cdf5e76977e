import { describe, expect, it } from 'vitest';
import { el, escapeAttr, escapeText, group, idMaker, num, svgDocument, text } from './svg.ts';
import { parseXml, texts } from './testing/xml.ts';

describe('svg writer', () => {
  it('escapes text so that model tokens cannot break the document', () => {
    const nasty = '</s> <b>a & b</b> ]]> "q" \'s\' \u0001\uFFFF \uD800';
    const doc = svgDocument({ width: 10, height: 10, title: nasty, fontFamily: 'A, "B C"' }, el('text', { 'data-v': nasty }, text(nasty)));
    const root = parseXml(doc);
    const replaced = ['\u0001', '\uFFFF', '\uD800'].reduce((t, bad) => t.split(bad).join('\uFFFD'), nasty);
    expect(texts(root)).toEqual([replaced]);
    expect(root.children.find((c) => c.name === 'title')?.text).toBe(replaced);
    expect(root.attrs['font-family']).toBe('A, "B C"');
  });

  it('keeps tabs and newlines in attribute values as character references', () => {
    expect(escapeAttr('a\tb\nc\rd')).toBe('a&#9;b&#10;c&#13;d');
    expect(parseXml(`<a v="${escapeAttr('x\ny')}"/>`).attrs.v).toBe('x\ny');
    expect(escapeText('a > b')).toBe('a &gt; b');
  });

  it('writes numbers with at most two decimals, never -0, and refuses non-finite ones', () => {
    expect(num(1)).toBe('1');
    expect(num(1.005)).toBe('1');
    expect(num(2.5)).toBe('2.5');
    expect(num(-0.001)).toBe('0');
    expect(num(1 / 3, 4)).toBe('0.3333');
    expect(() => num(NaN)).toThrow(RangeError);
    expect(() => num(-Infinity)).toThrow(RangeError);
  });

  it('drops null, undefined and false attributes and writes true as the name', () => {
    expect(el('g', { a: null, b: undefined, c: false, d: true, e: 0 })).toBe('<g d="d" e="0"/>');
    expect(group(el('a'), null, false, el('b'))).toBe('<a/><b/>');
  });

  it('refuses invalid element and attribute names', () => {
    expect(() => el('a b')).toThrow(RangeError);
    expect(() => el('a', { 'on click': 'x' })).toThrow(RangeError);
  });

  it('makes document-unique, prefixed ids', () => {
    const id = idMaker('fig');
    expect([id('clip'), id('clip'), id('grad')]).toEqual(['fig-clip-0', 'fig-clip-1', 'fig-grad-2']);
    expect(() => idMaker('1x')).toThrow(RangeError);
  });

  it('makes a document of whole-pixel size with a white background first', () => {
    const root = parseXml(svgDocument({ width: 100.2, height: 50, title: 't', fontFamily: 'F' }));
    expect(root.attrs).toMatchObject({ width: '101', height: '50', viewBox: '0 0 101 50', xmlns: 'http://www.w3.org/2000/svg' });
    expect(root.children[1]).toMatchObject({ name: 'rect', attrs: { width: '101', height: '50', fill: '#ffffff' } });
  });
});
