/**
 * Builds folders of real images for tests, end-to-end runs and the bench: small, varied pictures in
 * the five listed formats (PNG, JPEG, WebP, GIF, TIFF), optionally spread over nested sub-folders,
 * and on request every kind of bad input the library must survive.
 *
 * Making 10,000 images with sharp one by one takes tens of seconds on two cores, so a few hundred
 * distinct pictures are encoded and every further file is a copy made unique by a comment inside
 * the format (a PNG tEXt chunk, a JPEG COM segment, a GIF comment, a WebP chunk, bytes after the
 * last TIFF directory). Each file therefore has its own content hash, as it would in a real folder,
 * and decodes to the same pixels as its base.
 */
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { deflateSync } from 'node:zlib';
import sharp from 'sharp';
import { at } from './index-access.ts';

export type MadeFormat = 'png' | 'jpeg' | 'webp' | 'gif' | 'tiff';

export interface MadeImage {
  /** Absolute path (valid UTF-8 for the regular images). */
  path: string;
  /** Relative to the folder root, '/'-separated. */
  relPath: string;
  width: number;
  height: number;
  format: MadeFormat;
  bytes: number;
}

export interface BadFiles {
  /** An empty file named .png. */
  zeroByte: string;
  /** A PNG cut in half: its header parses, its pixel data ends early. */
  truncatedPng: string;
  /** A text file named .jpg. */
  textAsJpeg: string;
  /** A well-formed PNG (correct CRCs) whose IHDR claims 100,000 x 100,000 pixels. */
  hugePng: string;
  /** A valid 40x30 PNG whose file name is not UTF-8 ("caf\xe9.png", Latin-1 é): the raw path bytes. */
  nonUtf8Name: Buffer;
  /** A symbolic link inside a sub-folder that points back to the root. */
  symlinkLoop: string;
}

export interface ImageFolder {
  root: string;
  images: MadeImage[];
  /** Present when made with `broken: true`. */
  bad?: BadFiles;
  /** Sub-folders (relative, '/'-separated) that hold images, including '' for the root. */
  folders: string[];
}

export interface ImageFolderOptions {
  count: number;
  /** Also write the bad cases listed in BadFiles. */
  broken?: boolean;
  /** Spread the images over nested sub-folders. */
  nested?: boolean;
  /** How many distinct pictures to encode (the rest are stamped copies); default min(count, 200). */
  distinct?: number;
}

const formats: MadeFormat[] = ['png', 'jpeg', 'webp', 'gif', 'tiff'];
const extensions: Record<MadeFormat, string> = { png: 'png', jpeg: 'jpg', webp: 'webp', gif: 'gif', tiff: 'tif' };
const nestedFolders = ['', 'animals', 'animals/cats', 'street', 'street/night/rain'];

interface Base {
  bytes: Buffer;
  width: number;
  height: number;
  format: MadeFormat;
}

async function encodeBase(i: number): Promise<Base> {
  const format = at(formats, i % formats.length);
  const width = 96 + ((i * 37) % 225);
  const height = 72 + ((i * 53) % 169);
  // Two colours split by a diagonal, so thumbnails have an edge to resample.
  const a = { r: (i * 71) % 256, g: (i * 131) % 256, b: (i * 197) % 256 };
  const b = { r: 255 - a.r, g: 255 - a.g, b: 255 - a.b };
  const pixels = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const c = x * height > y * width ? a : b;
      const o = (y * width + x) * 3;
      pixels[o] = c.r;
      pixels[o + 1] = c.g;
      pixels[o + 2] = c.b;
    }
  }
  const image = sharp(pixels, { raw: { width, height, channels: 3 } });
  const bytes = await image[format]().toBuffer();
  return { bytes, width, height, format };
}

const crcTable = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

export function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const x of bytes) c = at(crcTable, (c ^ x) & 0xff) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

export function pngChunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(4);
  head.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([head, body, crc]);
}

/** A structurally valid PNG (signature, IHDR, IDAT, IEND, correct CRCs) claiming any size. */
export function pngWithClaimedSize(width: number, height: number): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // colour type: RGB
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', ihdr),
    pngChunk('IDAT', deflateSync(Buffer.alloc(64))),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

/** The same picture with a format-level comment that makes its bytes unique. */
export function stamp(base: Base, text: string): Buffer {
  const note = Buffer.from(text, 'latin1');
  const b = base.bytes;
  switch (base.format) {
    case 'png': {
      const iend = b.length - 12;
      return Buffer.concat([b.subarray(0, iend), pngChunk('tEXt', Buffer.concat([Buffer.from('Comment\0'), note])), b.subarray(iend)]);
    }
    case 'jpeg': {
      const seg = Buffer.from([0xff, 0xfe, (note.length + 2) >> 8, (note.length + 2) & 0xff]);
      return Buffer.concat([b.subarray(0, 2), seg, note, b.subarray(2)]);
    }
    case 'gif': {
      // A comment extension just before the trailer byte (0x3B).
      return Buffer.concat([b.subarray(0, b.length - 1), Buffer.from([0x21, 0xfe, note.length]), note, Buffer.from([0x00, 0x3b])]);
    }
    case 'webp': {
      const data = note.length % 2 === 0 ? note : Buffer.concat([note, Buffer.from([0])]);
      const head = Buffer.alloc(8);
      head.write('LSRN', 0, 'latin1');
      head.writeUInt32LE(note.length, 4);
      const out = Buffer.concat([b, head, data]);
      out.writeUInt32LE(out.length - 8, 4); // RIFF size
      return out;
    }
    case 'tiff':
      // TIFF readers follow offsets from the header; bytes past the last directory are never read.
      return Buffer.concat([b, note]);
  }
}

async function writeBad(root: string, nested: boolean): Promise<BadFiles> {
  const bad = path.join(root, 'broken');
  await mkdir(bad, { recursive: true });
  const zeroByte = path.join(bad, 'empty.png');
  const truncatedPng = path.join(bad, 'truncated.png');
  const textAsJpeg = path.join(bad, 'notes.jpg');
  const hugePng = path.join(bad, 'huge.png');
  await writeFile(zeroByte, Buffer.alloc(0));
  // Noise does not compress, so the pixel data is most of the file and half of it cuts deep into IDAT.
  const w = 192;
  const h = 192;
  const noise = Buffer.alloc(w * h * 3);
  let x = 0x9e3779b9;
  for (let i = 0; i < noise.length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    noise[i] = x & 0xff;
  }
  const full = await sharp(noise, { raw: { width: w, height: h, channels: 3 } })
    .png()
    .toBuffer();
  await writeFile(truncatedPng, full.subarray(0, Math.floor(full.length / 2)));
  await writeFile(textAsJpeg, 'These are notes, not a photograph.\n');
  await writeFile(hugePng, pngWithClaimedSize(100_000, 100_000));

  const nonUtf8Name = Buffer.concat([Buffer.from(path.join(root, 'caf'), 'utf8'), Buffer.from([0xe9]), Buffer.from('.png')]);
  await writeFile(
    nonUtf8Name,
    await sharp({ create: { width: 40, height: 30, channels: 3, background: '#3a7' } })
      .png()
      .toBuffer(),
  );

  const loopDir = path.join(root, nested ? 'animals' : 'links');
  await mkdir(loopDir, { recursive: true });
  const symlinkLoop = path.join(loopDir, 'loop');
  await symlink(path.relative(loopDir, root) || '.', symlinkLoop, 'dir');
  return { zeroByte, truncatedPng, textAsJpeg, hugePng, nonUtf8Name, symlinkLoop };
}

/** Writes the folder under `dir` (created if needed) and says what is in it. */
export async function makeImageFolder(dir: string, options: ImageFolderOptions): Promise<ImageFolder> {
  const { count, broken = false, nested = false } = options;
  const root = path.resolve(dir);
  await mkdir(root, { recursive: true });
  const folders = nested ? nestedFolders : [''];
  for (const f of folders) await mkdir(path.join(root, f), { recursive: true });

  const distinct = Math.max(1, Math.min(count, options.distinct ?? 200));
  const bases: Base[] = [];
  for (let i = 0; i < distinct; i++) bases.push(await encodeBase(i));

  const images: MadeImage[] = [];
  const writes: Array<Promise<void>> = [];
  for (let i = 0; i < count; i++) {
    const base = at(bases, i % distinct);
    const bytes = i < distinct ? base.bytes : stamp(base, `laser-test-copy-${i}`);
    const folder = at(folders, i % folders.length);
    const relPath = (folder === '' ? '' : `${folder}/`) + `img-${String(i).padStart(5, '0')}.${extensions[base.format]}`;
    const file = path.join(root, relPath);
    images.push({ path: file, relPath, width: base.width, height: base.height, format: base.format, bytes: bytes.length });
    writes.push(writeFile(file, bytes));
    // Bounded so that 10,000 writes do not open 10,000 files at once.
    if (writes.length >= 64) await Promise.all(writes.splice(0));
  }
  await Promise.all(writes);
  const bad = broken ? await writeBad(root, nested) : undefined;
  return { root, images, bad, folders };
}
