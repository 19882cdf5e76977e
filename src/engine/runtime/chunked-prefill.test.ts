/**
 * Prefilling in chunks (RuntimeOptions.prefillChunk, runDecoderInChunks) is the same computation as
 * one decoder call: on the tiny LLaVA golden prompt (26 tokens) in chunks of 7 (the last one short),
 * logits, attn_last, attn_full and every cache tensor equal the one-call prefill within 1e-5 (they
 * differ only in summation order, if at all) and HF's golden values within the golden tests'
 * tolerances (logits 1e-4, attention 1e-5); greedy decoding continues to HF's ids. LASER's runs on
 * the LLaVA and Qwen2-VL (M-RoPE) tiny bundles choose the same layer, box and answer, with maps
 * within 1e-5.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KvCache, KvWorkspace } from './kv-cache.ts';
import type { ModelRuntime } from './model-runtime.ts';
import { openModelRuntime } from './open.ts';
import { generateGreedy, generateLockstep, promptWorkspace } from './generate.ts';
import type { DecoderOutput } from './decoder.ts';
import { joinPrefills } from '../laser/contrast.ts';
import type { ImageFeatures } from './image-tokens.ts';
import { at, field, first, last } from '../../../test/support/index-access.ts';
import { compileTinyBundle, maxAbsDiff, readTinyGolden, type CompiledTiny, type TinyGolden } from '../../../test/support/tiny-bundle.ts';
import { compileTinyLaserBundle, compileTinyQwenLaserBundle, type TinyLaserBundle } from '../../../test/laser/support/tiny-laser-bundle.ts';
import sharp from 'sharp';
import { LaserModel } from '../laser/model.ts';
import { runMethod } from '../laser/run-method.ts';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

let compiled: CompiledTiny;
let whole: ModelRuntime;
let chunked: ModelRuntime;
let g: TinyGolden;
let image: ImageFeatures;

beforeAll(async () => {
  compiled = await compileTinyBundle();
  whole = await openModelRuntime(compiled.bundle, { device: 'cpu', threads: 1, prefillChunk: 0 });
  chunked = await openModelRuntime(compiled.bundle, { device: 'cpu', threads: 1, prefillChunk: 7 });
  g = await readTinyGolden();
  image = await whole.encodeImages(g.pixelValues, 1);
});
afterAll(async () => {
  await whole?.dispose();
  await chunked?.dispose();
  await compiled?.dispose();
});

function cacheError(a: KvCache, b: KvCache): number {
  const fa = a.feeds();
  const fb = b.feeds();
  expect(Object.keys(fa)).toEqual(Object.keys(fb));
  let err = 0;
  for (const [k, ta] of Object.entries(fa)) {
    const tb = field(fb, k);
    expect(ta.dims).toEqual(tb.dims);
    err = Math.max(err, maxAbsDiff(ta.data as Float32Array, tb.data as Float32Array));
  }
  return err;
}

describe('prefill in chunks', () => {
  it('equals the one-call prefill and HF: logits, attn_last, attn_full, cache', async () => {
    const L = g.layers;
    for (const layer of [0, L - 1]) {
      const a = await whole.prefill([{ ids: g.inputIds, images: image }], { logits: 'all', attnLayer: layer });
      const b = await chunked.prefill([{ ids: g.inputIds, images: image }], { logits: 'all', attnLayer: layer });
      expect(b.logitRows).toBe(g.sequence);
      expect(b.logits.length).toBe(a.logits.length);
      expect(maxAbsDiff(a.logits, b.logits)).toBeLessThan(1e-5);
      expect(maxAbsDiff(b.logits, g.logits)).toBeLessThan(1e-4);
      expect(b.attnLast.length).toBe(a.attnLast.length);
      expect(maxAbsDiff(a.attnLast, b.attnLast)).toBeLessThan(1e-5);
      expect(b.attnFull!.length).toBe(a.attnFull!.length);
      expect(maxAbsDiff(a.attnFull!, b.attnFull!)).toBeLessThan(1e-5);
      expect(maxAbsDiff(b.attnFull!, at(g.attentions, layer))).toBeLessThan(1e-5);
      expect(b.cache.length).toBe(g.sequence);
      expect(cacheError(a.cache, b.cache)).toBeLessThan(1e-5);
    }
  });

  it("keeps only the last row's logits by default, continues a cache, and decodes HF's greedy ids", async () => {
    const a = await whole.prefill([{ ids: g.inputIds, images: image }]);
    const b = await chunked.prefill([{ ids: g.inputIds, images: image }]);
    expect(b.logitRows).toBe(1);
    expect(maxAbsDiff(a.logits, b.logits)).toBeLessThan(1e-5);
    const ids = (await generateGreedy(chunked, b, { maxNewTokens: g.generatedNewIds.length })).ids;
    expect(ids).toEqual(g.generatedNewIds);
    // Continuing a prefix: 3 text tokens, then the other 23 (the image's 16 across chunk borders) in chunks of 7.
    const head = await whole.prefill([{ ids: g.inputIds.slice(0, 3) }]);
    const rest = { ids: g.inputIds.slice(3), images: image };
    const c = await chunked.prefill([rest], { cache: head.cache, logits: 'all' });
    const d = await whole.prefill([rest], { cache: head.cache, logits: 'all' });
    expect(maxAbsDiff(c.logits, d.logits)).toBeLessThan(1e-5);
    expect(maxAbsDiff(c.attnLast, d.attnLast)).toBeLessThan(1e-5);
    expect(cacheError(c.cache, d.cache)).toBeLessThan(1e-5);
  });

  it('runs a batch of two in chunks as two rows', async () => {
    const s = { ids: g.inputIds, images: image };
    const a = await whole.prefill([s, s], { logits: 'all' });
    const b = await chunked.prefill([s, s], { logits: 'all' });
    expect(maxAbsDiff(a.logits, b.logits)).toBeLessThan(1e-5);
    expect(maxAbsDiff(a.attnLast, b.attnLast)).toBeLessThan(1e-5);
    expect(cacheError(a.cache, b.cache)).toBeLessThan(1e-5);
  });

  it('refuses a chunk that is not a non-negative integer', async () => {
    await expect(openModelRuntime(compiled.bundle, { device: 'cpu', prefillChunk: -1 })).rejects.toThrow(
      /prefill chunk must be a non-negative number of tokens, got -1/,
    );
  });
});

describe('streams prefilled one after the other into the rows of one workspace (prefillRows)', () => {
  // Two streams that differ from the image on: I, and I with its features negated.
  const streams = () => [
    { ids: g.inputIds, images: image },
    { ids: g.inputIds, images: { ...image, data: image.data.map((v) => -v) } },
  ];
  const shape = () => ({ layers: chunked.dims.layers, batch: 2, kvHeads: chunked.dims.kvHeads, headDim: chunked.dims.headDim });
  const rowFeeds = (c: KvCache, b: number) => c.row(b).feeds();
  // The same computation as each stream's own batch-1 prefill (the same chunks of 7), so the same
  // floats: compared for equality, not within a tolerance.
  const expectRowsEqual = (rows: DecoderOutput, alone: DecoderOutput[]) => {
    const V = chunked.dims.vocab;
    expect(rows.logitRows).toBe(1);
    expect([rows.cache.batch, rows.cache.length]).toEqual([2, first(alone).cache.length]);
    for (const [b, a] of alone.entries()) {
      expect(Array.from(rows.logits.subarray(b * V, (b + 1) * V))).toEqual(Array.from(a.logits));
      expect(Array.from(rows.attnLast.subarray(b * a.attnLast.length, (b + 1) * a.attnLast.length))).toEqual(Array.from(a.attnLast));
      const [x, y] = [rowFeeds(rows.cache, b), a.cache.feeds()];
      for (const [k, t] of Object.entries(y)) expect(Array.from(field(x, k).data as Float32Array), k).toEqual(Array.from(t.data as Float32Array));
    }
  };

  it("gives every row its own prefill's logits, attn_last and cache bit for bit, from scratch and continuing caches of its own", async () => {
    const [s0, s1] = streams();
    // 26 tokens in chunks of 7: four calls per row, alternating the workspace's two sets.
    const ws = promptWorkspace(shape(), g.sequence, 3);
    const size = ws.byteLength;
    const scratch = await chunked.prefillRows([s0!, s1!], [chunked.emptyCache(), chunked.emptyCache()], ws);
    const alone = [await chunked.prefill([s0!]), await chunked.prefill([s1!])];
    expectRowsEqual(scratch, alone);
    expect(ws.byteLength).toBe(size);
    // Continuing each row's own cache (the two prefills above) with 9 text tokens (the prompt's first 3, three times): two chunks.
    const head = Array.from(g.inputIds.slice(0, 3), Number);
    const text = [...head, ...head, ...head];
    const ws2 = promptWorkspace(shape(), g.sequence + 9, 3);
    const rows = await chunked.prefillRows(
      [{ ids: text }, { ids: text }],
      alone.map((a) => a.cache),
      ws2,
    );
    expectRowsEqual(rows, [
      await chunked.prefill([{ ids: text }], { cache: first(alone).cache }),
      await chunked.prefill([{ ids: text }], { cache: last(alone).cache }),
    ]);
  });

  it('is a start that a lockstep decode continues in the same workspace, giving the ids and logits of the stacked caches', async () => {
    const [s0, s1] = streams();
    const steps = 5;
    const ws = promptWorkspace(shape(), g.sequence, steps - 1);
    const rows = await chunked.prefillRows([s0!, s1!], [chunked.emptyCache(), chunked.emptyCache()], ws);
    const stacked = joinPrefills(await chunked.prefill([s0!]), await chunked.prefill([s1!]), chunked.dims.vocab);
    const decode = async (start: DecoderOutput, workspace?: KvWorkspace) => {
      const seen: number[][] = [];
      const r = await generateLockstep(
        chunked,
        start,
        (pos, neg) => {
          seen.push([...Array.from(pos), ...Array.from(neg)]);
          // VAT's fusion with alpha 1, so the negative row decides too
          let best = 0;
          for (let i = 1; i < pos.length; i++) if (2 * at(pos, i) - at(neg, i) > 2 * at(pos, best) - at(neg, best)) best = i;
          return best;
        },
        { maxNewTokens: steps, workspace },
      );
      return { ids: r.ids, seen };
    };
    const [a, b] = [await decode(rows, ws), await decode(stacked)];
    expect(a.ids).toHaveLength(steps);
    expect(a.ids).toEqual(b.ids);
    expect(a.seen).toEqual(b.seen);
  });

  it('refuses rows of different lengths, a workspace of another batch, and whole-layer attention', async () => {
    const [s0, s1] = streams();
    const ws = promptWorkspace(shape(), g.sequence, 1);
    await expect(chunked.prefillRows([s0!, { ids: g.inputIds.slice(0, 20), images: image }], [chunked.emptyCache(), chunked.emptyCache()], ws)).rejects.toThrow(
      /rows differ in length/,
    );
    const one = promptWorkspace({ ...shape(), batch: 1 }, g.sequence, 1);
    await expect(chunked.prefillRows([s0!, s1!], [chunked.emptyCache(), chunked.emptyCache()], one)).rejects.toThrow(/2 rows for a workspace of batch 1/);
    expect(() => ws.row(2)).toThrow(/outside batch 2/);
  });
});

describe('LASER with chunked prefills', () => {
  let root: string;
  let llava: TinyLaserBundle;
  let qwen: TinyLaserBundle;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'laser-chunks-'));
    [llava, qwen] = [await compileTinyLaserBundle(), await compileTinyQwenLaserBundle()];
  });
  afterAll(async () => {
    await Promise.all([llava?.dispose(), qwen?.dispose(), root ? rm(root, { recursive: true, force: true }) : null]);
  });

  it('chooses the same layer, box and answer, with maps within 1e-5, on LLaVA and Qwen2-VL', async () => {
    const imagePath = join(root, 'sample.png');
    const [w, h] = [96, 64];
    const px = Buffer.alloc(w * h * 3);
    for (let i = 0; i < w * h; i++) px.set([(i * 7) % 251, Math.floor(i / w) * 3, (i % w) * 2], i * 3);
    await sharp(px, { raw: { width: w, height: h, channels: 3 } })
      .png()
      .toFile(imagePath);
    for (const tiny of [llava, qwen]) {
      const run = async (prefillChunk: number) => {
        const model = await LaserModel.open(tiny.bundle, { device: 'cpu', threads: 1, prefillChunk });
        try {
          return await runMethod({
            bundle: model,
            imagePath,
            question: 'What is the colour of the cat?',
            method: 'laser',
            cacheDir: null,
            options: { maxNewTokens: 3 },
          });
        } finally {
          await model.dispose();
        }
      };
      const [a, b] = [await run(0), await run(5)];
      expect(b.record.layer).toBe(a.record.layer);
      expect(b.record.box).toEqual(a.record.box);
      expect(b.record.answerTokens).toEqual(a.record.answerTokens);
      const names = Object.keys(a.tensors) as (keyof typeof a.tensors)[];
      expect(names.length).toBeGreaterThan(3);
      expect(Object.keys(b.tensors).sort()).toEqual([...names].sort());
      for (const name of names) expect(maxAbsDiff(a.tensors[name]!.data, b.tensors[name]!.data), name).toBeLessThan(1e-5);
    }
  });
});
