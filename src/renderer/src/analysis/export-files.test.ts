import { describe, expect, it } from 'vitest';
import { FONT_SANS, el, svgDocument, text } from '../../../common/figures/index.ts';
import { figureBlob, savedStatus } from './export-files.ts';

const figure = (s: string) =>
  svgDocument({ width: 200, height: 40, title: 't', fontFamily: FONT_SANS }, el('text', { x: 10, y: 25, 'font-size': 12 }, text(s)));

describe('figure files from the app', () => {
  it("passes on what the PDF could not draw as written, so the export's status line can say it", async () => {
    const heard: string[] = [];
    const pdf = await figureBlob(figure('answer: 中'), 'pdf', 'model m, method laser', 300, undefined, (w) => heard.push(w));
    expect(pdf.type).toBe('application/pdf');
    expect(heard).toHaveLength(1);
    expect(heard[0]).toContain('U+4E2D');
    expect(savedStatus('f.pdf', heard)).toBe(`Saved f.pdf; note: ${heard[0]}`);
  });

  it('says nothing more when every character was drawn, and for SVG, which keeps the text as it is', async () => {
    const heard: string[] = [];
    await figureBlob(figure('answer: red'), 'pdf', 'p', 300, undefined, (w) => heard.push(w));
    await figureBlob(figure('answer: 中'), 'svg', 'p', 300, undefined, (w) => heard.push(w));
    expect(heard).toEqual([]);
    expect(savedStatus('f.pdf', heard)).toBe('Saved f.pdf');
  });
});
