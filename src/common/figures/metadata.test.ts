import { describe, expect, it } from 'vitest';
import { descriptionOf, withDescription } from './metadata.ts';
import { svgDocument } from './svg.ts';
import { parseXml } from './xml.ts';

describe('figure metadata', () => {
  it('puts the description after the title, escaped, and replaces an earlier one', () => {
    const svg = svgDocument({ width: 10, height: 10, title: 't', fontFamily: 'F' });
    const once = withDescription(svg, 'model a <b> & "c"');
    const root = parseXml(once);
    expect(root.children.map((c) => c.name).slice(0, 2)).toEqual(['title', 'desc']);
    expect(descriptionOf(once)).toBe('model a <b> & "c"');
    expect(descriptionOf(withDescription(once, 'second'))).toBe('second');
    expect(() => withDescription('<svg/>', 'x')).toThrow(/no <title>/);
  });
});
