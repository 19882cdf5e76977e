/**
 * Writes src/common/figures/liberation-widths.ts: the advance widths of every character beyond
 * ASCII that the Liberation faces in resources/fonts have, so the figures' layout (text.ts) measures
 * what the PDF draws (pdf.ts gives each character the layout's width). Run again if the fonts
 * change: `npx tsx scripts/liberation-widths.ts`; truetype.test checks the table against the fonts.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readTrueType } from '../src/common/figures/truetype.ts';

const fonts = join(import.meta.dirname, '..', 'resources', 'fonts');
const out = join(import.meta.dirname, '..', 'src', 'common', 'figures', 'liberation-widths.ts');

/** Runs of covered code points above U+007E: `start:w,w*n,...` (hex start, widths in 1/1000 em, w*n for n alike), space-separated. */
function runs(file: string): string {
  const m = readTrueType(new Uint8Array(readFileSync(join(fonts, file))));
  const segments: string[] = [];
  let widths: number[] = [];
  let start = -1;
  let prev = -2;
  const flush = () => {
    if (start < 0) return;
    const parts: string[] = [];
    for (let i = 0; i < widths.length;) {
      let n = 1;
      while (widths[i + n] === widths[i]) n++;
      parts.push(n > 1 ? `${widths[i]}*${n}` : `${widths[i]}`);
      i += n;
    }
    segments.push(`${start.toString(16)}:${parts.join(',')}`);
  };
  for (let c = 0x7f; c <= 0xffff; c++) {
    if (m.glyph(c) === 0) continue;
    if (c !== prev + 1) {
      flush();
      start = c;
      widths = [];
    }
    widths.push(m.advance(c));
    prev = c;
  }
  flush();
  return segments.join(' ');
}

/** `s` as string literals of at most 150 characters joined by +, cut after a comma or a space. */
function wrap(s: string): string {
  const lines: string[] = [];
  let line = '';
  for (const token of s.match(/[^, ]+[, ]?/g) ?? []) {
    if (line.length + token.length > 150) {
      lines.push(line);
      line = '';
    }
    line += token;
  }
  lines.push(line);
  if (lines.join('') !== s) throw new Error('the widths did not wrap losslessly');
  return lines.map((l) => `  '${l}'`).join(' +\n');
}
const faces = [
  ['SANS', 'LiberationSans-Regular.ttf'],
  ['SANS_BOLD', 'LiberationSans-Bold.ttf'],
  ['MONO', 'LiberationMono-Regular.ttf'],
  ['MONO_BOLD', 'LiberationMono-Bold.ttf'],
] as const;
const body = faces.map(([name, file]) => `/** ${file} */\n// prettier-ignore\nexport const ${name}_WIDTHS =\n${wrap(runs(file))};\n`).join('\n');
writeFileSync(
  out,
  `/**
 * Advance widths, in 1/1000 em, of every character above U+007E that the Liberation 2.1.5 faces
 * shipped in resources/fonts have (SIL OFL 1.1), read from their cmap and hmtx tables: runs of
 * code points as \`start:w,w*n,...\` (start in hex; w*n: n characters of width w), space-separated.
 * Written by scripts/liberation-widths.ts; do not edit by hand. text.ts measures with them.
 */
${body}`,
);
console.log(`wrote ${out}`);
