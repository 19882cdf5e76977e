/** Metadata inside a figure's SVG: a <desc> after its <title>, which SVG viewers and editors keep. */
import { escapeText } from './svg.ts';

/** `svg` with `description` as its <desc> (replacing one it has). */
export function withDescription(svg: string, description: string): string {
  const desc = `<desc>${escapeText(description)}</desc>`;
  const without = svg.replace(/<desc>[^<]*<\/desc>/, '');
  const at = without.indexOf('</title>');
  if (at < 0) throw new Error('The figure has no <title> to put its description after.');
  return without.slice(0, at + 8) + desc + without.slice(at + 8);
}

/** The <desc> of a figure, or null. */
export function descriptionOf(svg: string): string | null {
  const desc = /<desc>([^<]*)<\/desc>/.exec(svg)?.[1];
  return desc !== undefined
    ? desc
        .replace(/&lt;/g, '<')
        .replace(/&gt;/g, '>')
        .replace(/&quot;/g, '"')
        .replace(/&apos;/g, "'")
        .replace(/&amp;/g, '&')
    : null;
}
