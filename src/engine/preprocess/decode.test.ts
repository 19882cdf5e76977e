import { readFileSync } from 'node:fs';
import sharp from 'sharp';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { pngWithClaimedSize } from '../../../test/support/images.ts';
import { WorkbenchError } from '../../common/contract/errors.ts';
import { decodeImage, decodeImageFile } from './decode.ts';
import { fixtureNames, imagePath, readGolden, sha256Of } from '../../../test/support/preprocess-golden.ts';
import { field } from '../../../test/support/index-access.ts';

const golden = readGolden('clip_processor');

async function rejection(p: Promise<unknown>): Promise<WorkbenchError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof WorkbenchError) return e;
    throw e;
  }
  throw new Error('expected a WorkbenchError, got a result');
}

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('decodeImage', () => {
  for (const name of fixtureNames) {
    it(`gives PIL convert("RGB") bytes for ${name}`, async () => {
      const img = await decodeImageFile(imagePath('clip_processor', name));
      const rec = field(golden.tensors, `${name}.input_rgb_u8`);
      expect([img.height, img.width, 3]).toEqual(rec.shape);
      expect(sha256Of(img.data)).toBe(rec.sha256);
    });
  }

  it('drops alpha without compositing: a transparent pixel keeps its stored colour', async () => {
    const raw = Buffer.from([200, 10, 30, 0, 5, 250, 60, 128, 1, 2, 3, 255, 90, 90, 90, 0]);
    const png = await sharp(raw, { raw: { width: 2, height: 2, channels: 4 } })
      .png()
      .toBuffer();
    const img = await decodeImage(png, 'rgba.png');
    expect(Array.from(img.data)).toEqual([200, 10, 30, 5, 250, 60, 1, 2, 3, 90, 90, 90]);
  });

  it('repeats a grey channel into RGB (grey and grey + alpha)', async () => {
    const grey = await sharp(Buffer.from([0, 77, 200, 255]), { raw: { width: 2, height: 2, channels: 1 } })
      .png()
      .toBuffer();
    expect(Array.from((await decodeImage(grey, 'g.png')).data)).toEqual([0, 0, 0, 77, 77, 77, 200, 200, 200, 255, 255, 255]);
    const greyAlpha = await sharp(Buffer.from([10, 0, 20, 255]), { raw: { width: 2, height: 1, channels: 2 } })
      .png()
      .toBuffer();
    expect(Array.from((await decodeImage(greyAlpha, 'ga.png')).data)).toEqual([10, 10, 10, 20, 20, 20]);
  });

  it('reads JPEG and WebP too (lossless WebP round-trips exactly)', async () => {
    const raw = Buffer.alloc(8 * 8 * 3);
    for (let i = 0; i < raw.length; i++) raw[i] = (i * 37) & 255;
    const webp = await sharp(raw, { raw: { width: 8, height: 8, channels: 3 } })
      .webp({ lossless: true })
      .toBuffer();
    expect(Buffer.from((await decodeImage(webp, 'x.webp')).data).equals(raw)).toBe(true);
    const jpeg = await sharp(raw, { raw: { width: 8, height: 8, channels: 3 } })
      .jpeg()
      .toBuffer();
    const img = await decodeImage(jpeg, 'x.jpg');
    expect([img.width, img.height, img.data.length]).toEqual([8, 8, 192]);
  });

  it('applies the EXIF orientation, as transformers.load_image does', async () => {
    // stored 16x8 with its top-left 8x4 quadrant red; orientation 6 means "rotate 90 degrees
    // clockwise to display", which puts that quadrant top-right in an 8x16 picture
    const raw = Buffer.alloc(16 * 8 * 3, 50);
    for (let y = 0; y < 4; y++) for (let x = 0; x < 8; x++) raw.set([255, 0, 0], (y * 16 + x) * 3);
    const jpeg = await sharp(raw, { raw: { width: 16, height: 8, channels: 3 } })
      .jpeg({ quality: 100, chromaSubsampling: '4:4:4' })
      .withMetadata({ orientation: 6 })
      .toBuffer();
    const img = await decodeImage(jpeg, 'rotated.jpg');
    expect([img.width, img.height]).toEqual([8, 16]);
    const red = (x: number, y: number) => img.data[(y * 8 + x) * 3];
    expect(red(6, 2)).toBeGreaterThan(240);
    expect(red(1, 2)).toBeLessThan(60);
  });

  it('ignores an embedded ICC profile, as PIL convert("RGB") does', async () => {
    const raw = Buffer.alloc(4 * 4 * 3);
    for (let i = 0; i < raw.length; i++) raw[i] = (i * 53) & 255;
    const tagged = await sharp(raw, { raw: { width: 4, height: 4, channels: 3 } })
      .png()
      .withIccProfile('p3')
      .toBuffer();
    expect(pngChunkTypes(tagged)).toContain('iCCP');
    const untagged = stripPngChunk(tagged, 'iCCP');
    const a = await decodeImage(tagged, 'p3.png');
    const b = await decodeImage(untagged, 'plain.png');
    expect(Buffer.from(a.data).equals(Buffer.from(b.data))).toBe(true);
    // and the profile would have mattered: colour-managed decoding moves these pixels
    const managed = await sharp(tagged).removeAlpha().toColourspace('srgb').raw().toBuffer();
    expect(managed.equals(Buffer.from(a.data))).toBe(false);
  });

  it('rejects a truncated PNG as corrupt, naming the file', async () => {
    const bytes = readFileSync(imagePath('clip_processor', 'a_500x375'));
    const e = await rejection(decodeImage(bytes.subarray(0, bytes.length >> 1), 'a_500x375.png'));
    expect(e.code).toBe('corrupt-image');
    expect(e.message).toContain('a_500x375.png');
    expect(e.hint).toBeTruthy();
  });

  it('rejects a truncated JPEG as corrupt', async () => {
    const raw = Buffer.alloc(64 * 64 * 3, 100);
    const jpeg = await sharp(raw, { raw: { width: 64, height: 64, channels: 3 } })
      .jpeg()
      .toBuffer();
    const e = await rejection(decodeImage(jpeg.subarray(0, jpeg.length - 40), 'cut.jpg'));
    expect(e.code).toBe('corrupt-image');
    expect(e.message).toContain('cut.jpg');
  });

  it('rejects a text file as unsupported and an empty file as corrupt', async () => {
    const e1 = await rejection(decodeImage(Buffer.from('hello, not an image\n'), 'notes.txt'));
    expect(e1.code).toBe('unsupported-image');
    expect(e1.message).toContain('notes.txt');
    const e2 = await rejection(decodeImage(new Uint8Array(0), 'empty.png'));
    expect(e2.code).toBe('corrupt-image');
    expect(e2.message).toContain('empty.png');
  });

  it('refuses an image over the pixel limit from its header, before decoding a pixel (a decompression bomb)', async () => {
    const e = await rejection(decodeImage(pngWithClaimedSize(16_000, 16_000), 'bomb.png'));
    expect(e).toMatchObject({
      code: 'too-large',
      message: 'bomb.png is 16000 x 16000 pixels, more than the limit of 100.0 megapixels.',
      hint: expect.stringContaining('LASER_MAX_IMAGE_PIXELS=<pixels>'),
    });
  });

  it('takes the limit from LASER_MAX_IMAGE_PIXELS, and refuses a value that is not a pixel count', async () => {
    const png = await sharp({ create: { width: 20, height: 10, channels: 3, background: '#808080' } })
      .png()
      .toBuffer();
    vi.stubEnv('LASER_MAX_IMAGE_PIXELS', '199');
    expect(await rejection(decodeImage(png, 'small.png'))).toMatchObject({
      code: 'too-large',
      message: 'small.png is 20 x 10 pixels, more than the limit of 0.0 megapixels.',
    });
    vi.stubEnv('LASER_MAX_IMAGE_PIXELS', '200');
    expect((await decodeImage(png, 'small.png')).width).toBe(20);
    vi.stubEnv('LASER_MAX_IMAGE_PIXELS', 'lots');
    expect(await rejection(decodeImage(png, 'small.png'))).toMatchObject({
      code: 'bad-request',
      message: 'LASER_MAX_IMAGE_PIXELS is "lots"; it must be a whole number of pixels above 0.',
    });
  });

  it('reports a missing file as not-found', async () => {
    const e = await rejection(decodeImageFile('/nonexistent/dir/photo.png'));
    expect(e.code).toBe('not-found');
    expect(e.message).toContain('/nonexistent/dir/photo.png');
  });
});

function pngChunks(png: Buffer): { type: string; start: number; end: number }[] {
  const chunks = [];
  for (let p = 8; p < png.length;) {
    const len = png.readUInt32BE(p);
    chunks.push({ type: png.toString('latin1', p + 4, p + 8), start: p, end: p + 12 + len });
    p += 12 + len;
  }
  return chunks;
}
function pngChunkTypes(png: Buffer): string[] {
  return pngChunks(png).map((c) => c.type);
}
function stripPngChunk(png: Buffer, type: string): Buffer {
  const keep = pngChunks(png).filter((c) => c.type !== type);
  return Buffer.concat([png.subarray(0, 8), ...keep.map((c) => png.subarray(c.start, c.end))]);
}
