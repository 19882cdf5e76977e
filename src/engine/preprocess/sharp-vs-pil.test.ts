/**
 * Why the processors use resizeBicubicPil and not sharp's (libvips) bicubic: this measures how far
 * sharp's `resize(w, h, { kernel: 'cubic', fit: 'fill' })` lands from Pillow on the 12 fixture
 * resizes. resizeBicubicPil is bit-exact against the goldens (pil-resize.test.ts), so it stands in
 * for the golden resized_u8 here.
 */
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { shortestEdgeSize } from './clip.ts';
import { parseClipProcessorConfig } from './config.ts';
import { decodeImageFile } from './decode.ts';
import { padImage, type RgbImage } from './image.ts';
import { normalizeTable } from './normalize.ts';
import { resizeBicubicPil } from './pil-resize.ts';
import { smartResize } from './qwen2vl.ts';
import { fixtureNames, imagePath, readPreprocessorConfig } from '../../../test/support/preprocess-golden.ts';
import { at } from '../../../test/support/index-access.ts';

async function sharpCubic(img: RgbImage, width: number, height: number): Promise<Uint8Array> {
  const out = await sharp(img.data, { raw: { width: img.width, height: img.height, channels: 3 } })
    .resize(width, height, { kernel: 'cubic', fit: 'fill' })
    .raw()
    .toBuffer();
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
}

describe('sharp bicubic against Pillow bicubic', () => {
  it('differs by several levels on the fixtures, which is why it is not used', async () => {
    const table = normalizeTable(parseClipProcessorConfig(readPreprocessorConfig('clip_processor')));
    let maxU8 = 0;
    let maxNorm = 0;
    let differing = 0;
    let sumAbs = 0;
    let total = 0;
    const perCase: string[] = [];
    for (const name of fixtureNames) {
      const img = await decodeImageFile(imagePath('clip_processor', name));
      const s = Math.max(img.width, img.height);
      const square = padImage(img, s, s, (s - img.width) >> 1, (s - img.height) >> 1, [122, 116, 104]);
      const clip = shortestEdgeSize(img.width, img.height, 336);
      const qwen = smartResize(img.height, img.width, 28, 3136, 1003520);
      const cases: [string, RgbImage, number, number][] = [
        ['clip', img, clip.width, clip.height],
        ['pad', square, 336, 336],
        ['qwen', img, qwen.width, qwen.height],
      ];
      for (const [kind, src, w, h] of cases) {
        if (w === src.width && h === src.height) continue; // a copy in both, nothing to compare
        const exact = resizeBicubicPil(src, w, h).data;
        const approx = await sharpCubic(src, w, h);
        let caseMax = 0;
        for (let i = 0; i < exact.length; i++) {
          const e = at(exact, i);
          const a = at(approx, i);
          const d = Math.abs(e - a);
          if (d === 0) continue;
          differing++;
          sumAbs += d;
          caseMax = Math.max(caseMax, d);
          const c = i % 3;
          maxNorm = Math.max(maxNorm, Math.abs(at(table, c * 256 + e) - at(table, c * 256 + a)));
        }
        total += exact.length;
        maxU8 = Math.max(maxU8, caseMax);
        perCase.push(`${name}/${kind}: ${caseMax}`);
      }
    }
    const share = differing / total;
    console.log(
      `sharp cubic vs Pillow: max |du8| ${maxU8}, max |dnorm| ${maxNorm.toFixed(4)}, ` +
        `mean |du8| ${(sumAbs / total).toFixed(3)}, ${(share * 100).toFixed(2)} % of values differ; per case max: ${perCase.join(', ')}`,
    );
    // The claim that decides the design: sharp is not a drop-in for Pillow. FIXTURES.md §5.1 puts
    // the harm at a few levels (0.01-0.1 after normalisation). Measured with sharp 0.34.5 the gap
    // is far larger (figures in pil-resize.ts), so these bounds hold with a wide margin.
    expect(maxU8).toBeGreaterThan(4);
    expect(maxNorm).toBeGreaterThan(0.05);
    expect(share).toBeGreaterThan(0.01);
  });
});
