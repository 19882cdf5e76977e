// The e2e test's images, generated with sharp: a nested library of PNGs and JPEGs of different
// colours and sizes, a file of random bytes named broken.png and a PNG cut off halfway, plus a
// small "samples" folder that the server opens on first start.
import { Buffer } from 'node:buffer';
import { randomBytes } from 'node:crypto';
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import sharp from 'sharp';
import type { AnalysisFixtures } from './analysis-fixtures.ts';
import type { RunsFixtures } from './runs-fixtures.ts';
import type { SinkRecordFixture } from './sinks-fixture.ts';

const palette = ['#d9480f', '#2b8a3e', '#1971c2', '#ae3ec9', '#f08c00', '#0c8599', '#c2255c', '#5c940d', '#364fc7', '#e8590c'];

type Format = 'png' | 'jpeg';

/** An image of the fixture library: its path below the library, and for a readable one its size and format. */
export type FixtureImage = { rel: string; broken: false; width: number; height: number; format: Format } | { rel: string; broken: true };

/** What makeFixtures wrote: the nested library (with its broken files) and the samples folder the server opens first. */
export interface LibraryFixtures {
  base: string;
  library: { root: string; files: FixtureImage[]; topLevelImages: number };
  samples: { root: string; files: FixtureImage[] };
}

/** Every fixture of a run: the library, the data folder and its runs, and the costly ones made only for the steps that need them. */
export interface E2EFixtures extends LibraryFixtures {
  dataDir: string;
  runs?: RunsFixtures;
  large?: { root: string; count: number };
  analysis?: AnalysisFixtures;
  sinks?: SinkRecordFixture;
}

/**
 * A fixture that is made after the steps are put together (the runs, the server; the large folder and
 * the analysis models for a step that lists them among its needs), read when a step runs.
 */
export function made<T>(fixture: T | null | undefined, what: string): T {
  if (fixture === null || fixture === undefined) throw new Error(`the ${what} fixture is not made (a step that reads it lists it among its needs)`);
  return fixture;
}

// [folder, count, format, base width, base height]
const plan: ReadonlyArray<readonly [folder: string, count: number, format: Format, width: number, height: number]> = [
  ['', 10, 'jpeg', 640, 480],
  ['animals', 12, 'png', 320, 320],
  ['animals/deep', 8, 'jpeg', 1024, 576],
  ['plots', 10, 'png', 800, 600],
];

/** A picture worth looking at in a screenshot: a colour field with a few shapes placed by `n`. */
function svg(width: number, height: number, n: number): Buffer {
  const bg = palette[n % palette.length];
  const fg = palette[(n * 3 + 5) % palette.length];
  const r = Math.round(Math.min(width, height) * (0.18 + (n % 4) * 0.05));
  const cx = Math.round(width * (0.3 + ((n * 7) % 5) * 0.1));
  const cy = Math.round(height * (0.35 + ((n * 3) % 4) * 0.08));
  const bar = Math.max(2, Math.round(height / 10));
  return Buffer.from(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">` +
      `<rect width="100%" height="100%" fill="${bg}"/>` +
      `<rect x="0" y="${height - bar * 2}" width="${Math.round((width * ((n % 10) + 1)) / 10)}" height="${bar}" fill="#ffffff" opacity="0.7"/>` +
      `<circle cx="${cx}" cy="${cy}" r="${r}" fill="${fg}" stroke="#ffffff" stroke-width="${Math.max(1, Math.round(r / 10))}"/>` +
      `</svg>`,
  );
}

async function writeImage(file: string, width: number, height: number, format: Format, n: number): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  const image = sharp(svg(width, height, n));
  await (format === 'png' ? image.png() : image.jpeg({ quality: 85 })).toFile(file);
}

export async function makeFixtures(base: string): Promise<LibraryFixtures> {
  const libraryRoot = join(base, 'library');
  const files: FixtureImage[] = [];
  let n = 0;
  for (const [folder, count, format, w, h] of plan) {
    for (let i = 0; i < count; i++, n++) {
      // Vary the shape: some portrait, some very wide, one tiny and one large.
      const width = n === 7 ? 48 : n === 33 ? 2000 : Math.round(w * (1 + (i % 3) * 0.25));
      const height = n === 7 ? 48 : n === 33 ? 900 : Math.round(h * (i % 4 === 3 ? 1.6 : 1 - (i % 3) * 0.1));
      const name = `${folder ? folder.split('/').pop() : 'img'}-${String(i).padStart(2, '0')}.${format === 'png' ? 'png' : 'jpg'}`;
      const rel = folder ? `${folder}/${name}` : name;
      await writeImage(join(libraryRoot, rel), width, height, format, n);
      files.push({ rel, width, height, format, broken: false });
    }
  }

  await writeFile(join(libraryRoot, 'broken.png'), randomBytes(4096));
  files.push({ rel: 'broken.png', broken: true });

  // A valid header and the first part of the pixel data: readable size, undecodable pixels.
  const whole = await sharp(svg(400, 300, 99))
    .png({ compressionLevel: 0 })
    .toBuffer();
  await writeFile(join(libraryRoot, 'truncated.png'), whole.subarray(0, Math.floor(whole.length / 2)));
  files.push({ rel: 'truncated.png', broken: true });

  // A link back up to the library: the scan must not loop, and says so in its warnings.
  await symlink('..', join(libraryRoot, 'animals', 'loop'));

  const samplesRoot = join(base, 'samples');
  const samples: FixtureImage[] = [];
  for (let i = 0; i < 2; i++) {
    const rel = `sample-${i}.png`;
    await writeImage(join(samplesRoot, rel), 300, 200, 'png', 50 + i);
    samples.push({ rel, width: 300, height: 200, format: 'png', broken: false });
  }

  return {
    base,
    library: { root: libraryRoot, files, topLevelImages: files.filter((f) => !f.rel.includes('/')).length },
    samples: { root: samplesRoot, files: samples },
  };
}

/**
 * A large library: `count` small PNGs in folders of 1,000, written from a few shared buffers, so
 * the grid's virtualisation and the streaming scan are tested at the size researchers use.
 */
export async function makeLargeFolder(root: string, count: number): Promise<{ root: string; count: number }> {
  const buffers = await Promise.all(
    palette.map((_colour, n) =>
      sharp(svg(64 + (n % 3) * 16, 48 + (n % 4) * 12, n))
        .png()
        .toBuffer(),
    ),
  );
  for (let start = 0; start < count; start += 1000) {
    const dir = join(root, `part-${String(start / 1000).padStart(2, '0')}`);
    await mkdir(dir, { recursive: true });
    const names: number[] = [];
    for (let i = start; i < Math.min(count, start + 1000); i++) names.push(i);
    await Promise.all(names.map((i) => writeFile(join(dir, `img-${String(i).padStart(5, '0')}.png`), buffers[i % buffers.length] as Buffer)));
  }
  return { root, count };
}
