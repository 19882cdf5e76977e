import { describe, expect, it } from 'vitest';
import { byClass, parseXml, textContent } from './xml.ts';

describe('the test XML checker', () => {
  it('parses elements, attributes, entities and character references', () => {
    const root = parseXml(`<?xml version="1.0"?>\n<a x="1 &amp; 2" y='&#39;q&#x27;'><b class="k m">t &lt;s&gt;</b><c/></a>\n`);
    expect(root.name).toBe('a');
    expect(root.attrs).toEqual({ x: '1 & 2', y: "'q'" });
    expect(byClass(root, 'm').map(textContent)).toEqual(['t <s>']);
    expect(root.children.map((c) => c.name)).toEqual(['b', 'c']);
  });

  it.each([
    ['an unclosed element', '<a><b></a>'],
    ['crossed tags', '<a><b><c></b></c></a>'],
    ['a raw < in text', '<a>1 < 2</a>'],
    ['a bare & in text', '<a>R&D</a>'],
    ['an unknown entity', '<a>&nbsp;</a>'],
    ['a raw < in an attribute', '<a x="<"/>'],
    ['a duplicate attribute', '<a x="1" x="2"/>'],
    ['an unquoted attribute', '<a x=1/>'],
    ['two roots', '<a/><b/>'],
    ['text after the root', '<a/>oops'],
    ['a control character', '<a>\u0001</a>'],
    ['attributes run together', '<a x="1"y="2"/>'],
  ])('rejects %s', (_what, src) => {
    expect(() => parseXml(src)).toThrow();
  });
});
