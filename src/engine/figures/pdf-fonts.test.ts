import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FONT_DIR, FONT_FILES, pdfFonts } from './pdf-fonts.ts';

describe('the fonts PDFs embed', () => {
  it('are the four faces the repository ships, read from resources/fonts whatever the machine has installed', async () => {
    const fonts = await pdfFonts();
    expect(Object.keys(fonts).sort()).toEqual(['mono', 'monoBold', 'sans', 'sansBold']);
    for (const [face, file] of Object.entries(FONT_FILES) as [keyof typeof FONT_FILES, string][])
      expect(Buffer.from(fonts[face]!.ttf).equals(await readFile(join(FONT_DIR, file)))).toBe(true);
    // with its licence and where it came from beside it
    expect(await readFile(join(FONT_DIR, 'OFL.txt'), 'utf8')).toContain('SIL OPEN FONT LICENSE Version 1.1');
    expect(await readFile(join(FONT_DIR, 'README.md'), 'utf8')).toContain('fonts-liberation2');
  });

  it('names a missing file and says how to get it back', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'fonts-'));
    await writeFile(join(dir, 'LiberationSans-Regular.ttf'), 'only one');
    await expect(pdfFonts(dir)).rejects.toThrow(/LiberationSans-Bold\.ttf that PDFs embed is missing/);
  });
});
