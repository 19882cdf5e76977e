import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cacheKey, defaultCacheRoot, RecordCache } from './cache.ts';
import { mapGrid, recordSchema, recordToJson, type AnalysisRecord, type RecordTensors } from './record.ts';
import { encodeInputPngs, loadRecord, writeRecordFolder, type RecordFiles } from './record-io.ts';
import { at, field, first } from '../../../test/support/index-access.ts';
import { killBetweenWriteAndRename } from '../../../test/support/kill-during-rename.ts';

const hash = 'a'.repeat(64);
const geometry: AnalysisRecord['geometry'] = {
  mode: 'pad',
  imageWidth: 10,
  imageHeight: 8,
  inputWidth: 56,
  inputHeight: 56,
  scaleX: 5.6,
  scaleY: 5.6,
  offsetX: 0,
  offsetY: 5.6,
  steps: [{ kind: 'resize', width: 56, height: 56 }],
  gridWidth: 2,
  gridHeight: 2,
};
const cropGeometry: AnalysisRecord['geometry'] = {
  mode: 'resize',
  imageWidth: 6,
  imageHeight: 4,
  inputWidth: 6,
  inputHeight: 4,
  scaleX: 1,
  scaleY: 1,
  offsetX: 0,
  offsetY: 0,
  steps: [],
  gridWidth: 3,
  gridHeight: 2,
};

function sampleRecord(over: Partial<AnalysisRecord> = {}): AnalysisRecord {
  return {
    format: 'laser-record',
    version: 2,
    createdAt: '2026-01-01T00:00:00.000Z',
    cacheKey: 'b'.repeat(64),
    method: 'laser',
    knobs: { alpha: 1, apcBeta: 0.1, layerRange: null },
    knobNotes: [],
    question: 'What colour is the car?',
    prompt: {
      instruction: 'Answer.',
      systemPrompt: null,
      templateSource: 'chat_template.json',
      queryText: 'USER: <image>\nq',
      otherText: 'USER: <image>\n',
      sharedPrefix: 20,
      maxNewTokens: 4,
      topCandidates: 2,
    },
    bundle: {
      id: hash,
      dir: '/b',
      name: 'tiny',
      layers: 2,
      heads: 2,
      vocab: 10,
      architecture: 'llava',
      viewEncoding: 'fixed-grid',
      pixelBounds: null,
      imageSize: 56,
      tokensPerImage: 4,
      grid: [2, 2],
      preprocessing: 'pad',
      provider: 'cpu',
    },
    image: { path: '/i.png', hash, width: 10, height: 8 },
    geometry,
    inputs: [
      {
        role: 'image',
        file: 'inputs/image.png',
        width: 4,
        height: 4,
        sourceWidth: 10,
        sourceHeight: 8,
        grid: [2, 2],
        geometry,
        rule: { kind: 'original' },
        fedIn: ['query pass'],
        attention: 'a_q',
      },
      // a crop on its own non-square grid: readers must take each map's grid from the record
      {
        role: 'crop',
        file: 'inputs/crop.png',
        width: 6,
        height: 4,
        sourceWidth: 6,
        sourceHeight: 4,
        grid: [2, 3],
        geometry: cropGeometry,
        rule: { kind: 'crop', box: [2, 2, 8, 6] },
        fedIn: ['positive [I, I+]'],
        attention: 'input.crop',
      },
    ],
    answer: 'red',
    answerTokens: [3, 2],
    stopReason: 'eos',
    baselineAnswer: 'blue',
    baselineTokens: [4, 2],
    baselineSteps: [],
    vaq: [0.1, 0.3],
    vaqHeads: [
      [0.1, 0.1],
      [0.2, 0.4],
    ],
    vaqPositions: 1,
    layer: 1,
    layerChoice: { mode: 'argmax', searched: [0, 1] },
    mapHeads: [1, 0],
    mapMass: 0.25,
    fallback: null,
    box: [0, 0, 10, 8],
    crop: { rule: 'centroid', degenerate: true, centroid: [5, 4] },
    maskedCells: [3],
    undefinedCells: null,
    decoding: { kind: 'vat', positive: '[I, I+]', negative: '[mask(I), I-]', alpha: 1, apcBeta: 0.1 },
    steps: [
      {
        token: 3,
        text: 'red',
        candidates: [
          { token: 3, text: 'red', positive: 2, negative: 1, fused: 3 },
          { token: 7, text: 'x', positive: -5, negative: -1, fused: -Infinity },
        ],
      },
    ],
    timings: { 'query-pass': 1.5, total: 3 },
    tensors: {
      file: 'tensors.safetensors',
      names: ['M', 'input.crop', 'vaq'],
      maps: { M: { input: 'image', grid: [2, 2] }, 'input.crop': { input: 'crop', grid: [2, 3] } },
    },
    ...over,
  };
}

const tensors: RecordTensors = {
  vaq: { dtype: 'F64', shape: [2], data: Float64Array.from([0.1, 0.30000000000000004]) },
  M: { dtype: 'F64', shape: [2, 2], data: Float64Array.from([0, 0, 0, 1]) },
  'input.crop': { dtype: 'F32', shape: [2, 2, 6], data: Float32Array.from({ length: 24 }, (_, i) => i / 24) },
};

function pixels(width: number, height: number, seed: number) {
  return { width, height, data: Uint8Array.from({ length: width * height * 3 }, (_, i) => (i * 37 + seed) % 256) };
}

let files: RecordFiles;

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'laser-record-'));
  files = await encodeInputPngs({ 'inputs/image.png': pixels(4, 4, 1), 'inputs/crop.png': pixels(6, 4, 2) });
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('record.json', () => {
  it('writes -Infinity as a string and reads it back as the number', () => {
    const text = recordToJson(sampleRecord());
    expect(text).toContain('"fused": "-Infinity"');
    const back = recordSchema.parse(JSON.parse(text));
    expect(at(first(back.steps).candidates, 1).fused).toBe(-Infinity);
    expect(back).toEqual(sampleRecord());
  });

  it('accepts non-finite numbers only where logits go', () => {
    const bad = JSON.parse(recordToJson(sampleRecord()));
    bad.vaq = ['-Infinity', 0];
    expect(recordSchema.safeParse(bad).success).toBe(false);
  });
});

describe('record folders', () => {
  it('round-trip the record and keep F64 tensors bit for bit', async () => {
    const dir = join(root, 'r1');
    await writeRecordFolder(dir, sampleRecord(), tensors, files);
    const loaded = await loadRecord(dir);
    expect(loaded.record).toEqual(sampleRecord());
    expect(loaded.tensors.vaq?.data).toEqual(tensors.vaq!.data);
    expect(loaded.tensors.M?.shape).toEqual([2, 2]);
    expect(mapGrid(loaded.record, 'input.crop')).toEqual([2, 3]);
  });

  it('keep every input image as a PNG that decodes to exactly the pixels the encoder got', async () => {
    const dir = join(root, 'r-inputs');
    await writeRecordFolder(dir, sampleRecord(), tensors, files);
    const loaded = await loadRecord(dir);
    const png = await readFile(join(dir, 'inputs', 'crop.png'));
    expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    const { data, info } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
    expect([info.width, info.height, info.channels]).toEqual([6, 4, 3]);
    expect(Array.from(data)).toEqual(Array.from(pixels(6, 4, 2).data));
    expect(Object.keys(loaded.files).sort()).toEqual(['inputs/crop.png', 'inputs/image.png']);
  });

  it('refuse a write without an input PNG, a record whose input PNG is gone, and a map whose tensor does not fit its grid', async () => {
    await expect(writeRecordFolder(join(root, 'r-nopng'), sampleRecord(), tensors, { 'inputs/image.png': field(files, 'inputs/image.png') })).rejects.toThrow(
      /inputs\/crop.png/,
    );
    const dir = join(root, 'r-gone');
    await writeRecordFolder(dir, sampleRecord(), tensors, files);
    await rm(join(dir, 'inputs', 'crop.png'));
    await expect(loadRecord(dir)).rejects.toThrow(/the crop input image, which record.json lists, is missing/);
    const bad = join(root, 'r-grid');
    const r = sampleRecord();
    await writeRecordFolder(
      bad,
      { ...r, tensors: { ...r.tensors, maps: { ...r.tensors.maps, 'input.crop': { input: 'crop', grid: [2, 2] } } } },
      tensors,
      files,
    );
    await expect(loadRecord(bad)).rejects.toThrow(/"input.crop" has shape \[2, 2, 6\], which does not end in the 2x2 grid of its input \(crop\)/);
    const gridless = join(root, 'r-no-grid');
    const { 'input.crop': _crop, ...otherMaps } = r.tensors.maps;
    await writeRecordFolder(gridless, { ...r, tensors: { ...r.tensors, maps: otherMaps } }, tensors, files);
    await expect(loadRecord(gridless)).rejects.toThrow(/tensor "input.crop" is an attention map, but record.json does not say which input's grid it lies on/);
    const offGrid = join(root, 'r-off-geometry');
    await writeRecordFolder(offGrid, { ...r, geometry: { ...r.geometry, gridHeight: r.geometry.gridHeight + 1 } }, tensors, files);
    await expect(loadRecord(offGrid)).rejects.toThrow(/tensor "M" lies on a 2x2 grid of I, but the record's geometry has 3x2/);
  });

  it('replace an earlier record in the same folder', async () => {
    const dir = join(root, 'r2');
    await writeRecordFolder(dir, sampleRecord({ answer: 'first' }), tensors, files);
    await writeRecordFolder(dir, sampleRecord({ answer: 'second' }), tensors, files);
    expect((await loadRecord(dir)).record.answer).toBe('second');
  });

  it('survive a kill between writing the new record and renaming it: the earlier one stays whole', async () => {
    const dir = join(root, 'r-killed');
    await writeRecordFolder(dir, sampleRecord({ answer: 'first' }), tensors, files);
    await killBetweenWriteAndRename(
      root,
      'record.json',
      `
      const { loadRecord, writeRecordFolder } = await import(${JSON.stringify(join(import.meta.dirname, 'record-io.ts'))});
      const loaded = await loadRecord(${JSON.stringify(dir)});
      await writeRecordFolder(${JSON.stringify(dir)}, { ...loaded.record, answer: 'second' }, loaded.tensors, loaded.files);`,
    );
    const loaded = await loadRecord(dir);
    expect(loaded.record.answer).toBe('first');
    expect(loaded.tensors.vaq?.data).toEqual(tensors.vaq!.data);
  });

  it('refuse a missing folder, another version, and a record that names a tensor it lacks', async () => {
    await expect(loadRecord(join(root, 'none'))).rejects.toMatchObject({ code: 'not-found' });
    const dir = join(root, 'r3');
    await writeRecordFolder(dir, sampleRecord(), tensors, files);
    const json = JSON.parse(await readFile(join(dir, 'record.json'), 'utf8'));
    await writeFile(join(dir, 'record.json'), JSON.stringify({ ...json, version: 1 }));
    await expect(loadRecord(dir)).rejects.toThrow(/record version 1; this build reads version 2/);
    await writeFile(join(dir, 'record.json'), JSON.stringify({ ...json, tensors: { file: 'tensors.safetensors', names: ['A'], maps: {} } }));
    await expect(loadRecord(dir)).rejects.toThrow(/tensor "A", which record.json lists, is missing/);
  });
});

describe('record cache', () => {
  const parts = { bundleId: hash, imageHash: hash, question: 'q', method: 'laser' as const, knobs: { a: 1, b: [1, 2] }, options: { maxNewTokens: 4 } };

  it('keys by every part, whatever the order of object keys', () => {
    const k = cacheKey(parts);
    expect(cacheKey({ ...parts, knobs: { b: [1, 2], a: 1 } })).toBe(k);
    for (const change of [
      { question: 'q ' },
      { method: 'vanilla' as const },
      { knobs: { a: 2, b: [1, 2] } },
      { imageHash: 'c'.repeat(64) },
      { bundleId: 'd'.repeat(64) },
      { options: { maxNewTokens: 5 } },
    ]) {
      expect(cacheKey({ ...parts, ...change })).not.toBe(k);
    }
  });

  it('returns what was put under a key, and nothing for another key or a damaged entry', async () => {
    const cache = new RecordCache(join(root, 'cache'));
    const key = cacheKey(parts);
    expect(await cache.get(key)).toBeNull();
    const dir = await cache.put(key, sampleRecord({ cacheKey: key }), tensors, files);
    expect(dir).toBe(join(root, 'cache', 'records', key.slice(0, 2), key));
    expect((await cache.get(key))?.record.cacheKey).toBe(key);
    await writeFile(join(dir, 'record.json'), '{');
    expect(await cache.get(key)).toBeNull();
  });

  it('lists the runs on one image, newest first, without the tensors', async () => {
    const cache = new RecordCache(join(root, 'cache-list'));
    const other = 'e'.repeat(64);
    const put = (question: string, createdAt: string, imageHash = hash) => {
      const key = cacheKey({ ...parts, question, imageHash });
      return cache.put(key, sampleRecord({ cacheKey: key, question, createdAt, image: { ...sampleRecord().image, hash: imageHash } }), tensors, files);
    };
    await put('older', '2026-01-01T00:00:00.000Z');
    await put('newer', '2026-02-01T00:00:00.000Z');
    await put('elsewhere', '2026-03-01T00:00:00.000Z', other);
    expect((await cache.listForImage(hash)).map((r) => r.record.question)).toEqual(['newer', 'older']);
    expect((await cache.listForImage(other)).map((r) => r.record.question)).toEqual(['elsewhere']);
    expect(await cache.listForImage('f'.repeat(64))).toEqual([]);
  });

  it('keeps its image index whole when killed while writing an entry: old runs listed, no half-written key', async () => {
    const cache = new RecordCache(join(root, 'cache-killed'));
    const first = cacheKey({ ...parts, question: 'first' });
    await cache.put(first, sampleRecord({ cacheKey: first, question: 'first' }), tensors, files);
    const second = cacheKey({ ...parts, question: 'second' });
    await killBetweenWriteAndRename(
      root,
      join('images', hash, second),
      `
      const { RecordCache } = await import(${JSON.stringify(join(import.meta.dirname, 'cache.ts'))});
      const { loadRecord } = await import(${JSON.stringify(join(import.meta.dirname, 'record-io.ts'))});
      const loaded = await loadRecord(${JSON.stringify(cache.dirFor(first))});
      await new RecordCache(${JSON.stringify(cache.root)}).put(${JSON.stringify(second)}, { ...loaded.record, cacheKey: ${JSON.stringify(second)}, question: 'second' }, loaded.tensors, loaded.files);`,
    );
    // The kill came at the index entry's rename (the record folder's own rename went through).
    expect((await cache.get(second))?.record.question).toBe('second');
    expect((await cache.listForImage(hash)).map((r) => r.record.question)).toEqual(['first']);
    const entries = await readdir(join(cache.root, 'images', hash));
    expect(entries.filter((e) => /^[0-9a-f]{64}$/.test(e))).toEqual([first]);
  });

  it('lives under $LASER_CACHE_DIR, else in the data folder', () => {
    expect(defaultCacheRoot({ LASER_CACHE_DIR: '/x' }, 'linux', '/home/ada')).toBe('/x');
    expect(defaultCacheRoot({ LASER_DATA_DIR: '/d' }, 'linux', '/home/ada')).toBe('/d');
    expect(defaultCacheRoot({ XDG_DATA_HOME: '/y', XDG_CACHE_HOME: '/c' }, 'linux', '/home/ada')).toBe('/y/laser-workbench');
    expect(defaultCacheRoot({}, 'linux', '/home/ada')).toBe('/home/ada/.local/share/laser-workbench');
  });
});
