import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { pdfFonts } from './pdf-fonts.ts';

describe('the fonts laser figure embeds', () => {
  it('takes each face from the first folder that has it, deflated, and leaves out the faces it cannot find', async () => {
    const a = await mkdtemp(join(tmpdir(), 'fonts-a-'));
    const b = await mkdtemp(join(tmpdir(), 'fonts-b-'));
    await writeFile(join(a, 'LiberationSans-Regular.ttf'), 'first');
    await writeFile(join(b, 'LiberationSans-Regular.ttf'), 'second');
    await writeFile(join(b, 'LiberationMono-Bold.ttf'), 'mono bold');
    const fonts = await pdfFonts([join(a, 'none'), a, b]);
    expect(Object.keys(fonts).sort()).toEqual(['monoBold', 'sans']);
    expect(Buffer.from(fonts.sans!.ttf).toString()).toBe('first');
    expect(inflateSync(fonts.monoBold!.deflated!).toString()).toBe('mono bold');
    expect(await pdfFonts([join(a, 'none')])).toEqual({});
  });
});
