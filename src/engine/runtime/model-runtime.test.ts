/**
 * The runtime against Hugging Face goldens (llava15_tiny, FIXTURES.md §6 tolerances: logits atol
 * 1e-4, attentions 1e-5, greedy ids exact) and against itself: a cached or batched computation must
 * equal the plain one up to float32 reassociation (atol 1e-5 on logits of |x| < 4).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WorkbenchError } from '../../common/contract/errors.ts';
import { argmax, generateGreedy, generateLockstep, promptWorkspace, type StepModel } from './generate.ts';
import type { ImageFeatures } from './image-tokens.ts';
import { KvCache, KvWorkspace } from './kv-cache.ts';
import type { ModelRuntime } from './model-runtime.ts';
import { openModelRuntime } from './open.ts';
import { at, first, field } from '../../../test/support/index-access.ts';
import { compileTinyBundle, goldenAttnLast, maxAbsDiff, readTinyGolden, type CompiledTiny, type TinyGolden } from '../../../test/support/tiny-bundle.ts';

let compiled: CompiledTiny;
let rt: ModelRuntime;
let g: TinyGolden;
let image: ImageFeatures;
let V: number;

beforeAll(async () => {
  compiled = await compileTinyBundle();
  rt = await openModelRuntime(compiled.bundle, { device: 'cpu', threads: 1 });
  g = await readTinyGolden();
  image = await rt.encodeImages(g.pixelValues, 1);
  V = rt.dims.vocab;
});
afterAll(async () => {
  await rt?.dispose();
  await compiled?.dispose();
});

const slice = (ids: BigInt64Array, from: number, to?: number): BigInt64Array => ids.slice(from, to);
const ids = (xs: number[]): BigInt64Array => BigInt64Array.from(xs.map(BigInt));

/** Counts decoder steps. */
function counting(model: StepModel): StepModel & { calls: number } {
  const m = { calls: 0, step: (t: readonly number[], c: KvCache) => (m.calls++, model.step(t, c)) };
  return m;
}

describe('ModelRuntime on the llava15_tiny goldens', () => {
  it('reads the model sizes from the graphs', () => {
    expect(rt.dims).toEqual({ layers: 4, heads: 4, kvHeads: 2, headDim: 16, hidden: 64, vocab: 300 });
    expect([rt.imageSize, rt.imageTokens, rt.imageTokenId, rt.provider]).toEqual([56, 16, 296, 'cpu']);
  });

  it('in auto mode runs on cpu here and records why CUDA was not used, with session times', async () => {
    const lines: string[] = [];
    const auto = await openModelRuntime(compiled.bundle, { device: 'auto', threads: 1, log: (l) => lines.push(l) });
    expect(auto.provider).toBe('cpu');
    expect(auto.fallbackReason).toMatch(/CUDA provider library is not installed/);
    expect(lines).toHaveLength(1);
    expect(Object.values(auto.sessionMs).every((ms) => ms > 0)).toBe(true);
    await auto.dispose();
  });

  it('with releaseVision drops the vision session after each encoding and creates it again, same features', async () => {
    const once = await openModelRuntime(compiled.bundle, { device: 'cpu', threads: 1, releaseVision: true });
    try {
      expect(once.visionLoaded).toBe(true);
      const first = await once.encodeImages(g.pixelValues, 1);
      expect(once.visionLoaded).toBe(false);
      const second = await once.encodeImages(g.pixelValues, 1);
      expect(once.visionLoaded).toBe(false);
      expect(Array.from(first.data)).toEqual(Array.from(image.data));
      expect(Array.from(second.data)).toEqual(Array.from(image.data));
      expect(rt.visionLoaded).toBe(true);
    } finally {
      await once.dispose();
    }
  });

  it('prefills to HF logits at every position and HF last-row attention', async () => {
    const out = await rt.prefill([{ ids: g.inputIds, images: image }], { logits: 'all' });
    expect(out.logitRows).toBe(26);
    expect(maxAbsDiff(out.logits, g.logits)).toBeLessThan(1e-4);
    expect(maxAbsDiff(out.attnLast, goldenAttnLast(g))).toBeLessThan(1e-5);
    expect(out.cache.length).toBe(26);
    const last = await rt.prefill([{ ids: g.inputIds, images: image }]);
    expect(last.logitRows).toBe(1);
    expect(Array.from(last.logits)).toEqual(Array.from(out.logits.subarray(25 * V)));
  });

  it('decodes HF greedy ids with the KV cache, each step matching HF step logits', async () => {
    const seen: Float32Array[] = [];
    const prefill = await rt.prefill([{ ids: g.inputIds, images: image }]);
    seen.push(prefill.logits);
    const model: StepModel = {
      step: async (t, c) => {
        const o = await rt.step(t, c);
        seen.push(o.logits);
        return o;
      },
    };
    const out = await generateGreedy(model, prefill, { maxNewTokens: 5 });
    expect(out.ids).toEqual(g.generatedNewIds);
    expect(out.stopReason).toBe('max-tokens');
    expect(out.cache.length).toBe(26 + 4); // the 5th id is never fed back
    expect(seen).toHaveLength(5);
    for (let k = 0; k < 5; k++) expect(maxAbsDiff(at(seen, k), g.generateStepLogits.subarray(k * V, (k + 1) * V))).toBeLessThan(1e-4);
  });
});

describe('KV cache reuse', () => {
  // Prefix = BOS, 3 text tokens and the whole image run (0..19); the golden suffix is 20..25.
  const cut = 20;

  it('prefix then suffix equals the whole prompt, and the prefix cache serves two suffixes unchanged', async () => {
    const whole = await rt.prefill([{ ids: g.inputIds, images: image }], { logits: 'all' });
    const prefix = await rt.prefill([{ ids: slice(g.inputIds, 0, cut), images: image }]);
    const a = await rt.prefill([{ ids: slice(g.inputIds, cut) }], { cache: prefix.cache, logits: 'all' });
    expect(maxAbsDiff(a.logits, whole.logits.subarray(cut * V))).toBeLessThan(1e-5);
    expect(maxAbsDiff(a.attnLast, whole.attnLast)).toBeLessThan(1e-5);

    // A different suffix (LASER's no-query prompt) from the same cache equals its own full prefill.
    const other = ids([7, 8, 9]);
    const b = await rt.prefill([{ ids: other }], { cache: prefix.cache });
    const bWhole = await rt.prefill([{ ids: BigInt64Array.from([...slice(g.inputIds, 0, cut), ...other]), images: image }]);
    expect(maxAbsDiff(b.logits, bWhole.logits)).toBeLessThan(1e-5);
    expect(maxAbsDiff(b.attnLast, bWhole.attnLast)).toBeLessThan(1e-5);

    // The prefix cache was not touched: the first suffix gives bit-identical results again.
    expect(prefix.cache.length).toBe(cut);
    const again = await rt.prefill([{ ids: slice(g.inputIds, cut) }], { cache: prefix.cache, logits: 'all' });
    expect(Array.from(again.logits)).toEqual(Array.from(a.logits));
    expect(Array.from(again.attnLast)).toEqual(Array.from(a.attnLast));
  });

  it('one prefix repeated under two equal-length suffixes in a batch equals two single runs', async () => {
    const prefix = await rt.prefill([{ ids: slice(g.inputIds, 0, cut), images: image }]);
    const s1 = slice(g.inputIds, cut);
    const s2 = ids([11, 12, 13, 14, 15, 16]);
    const both = await rt.prefill([{ ids: s1 }, { ids: s2 }], { cache: prefix.cache.repeat(2) });
    const one = await rt.prefill([{ ids: s1 }], { cache: prefix.cache });
    const two = await rt.prefill([{ ids: s2 }], { cache: prefix.cache });
    expect(maxAbsDiff(both.logits.subarray(0, V), one.logits)).toBeLessThan(1e-5);
    expect(maxAbsDiff(both.logits.subarray(V), two.logits)).toBeLessThan(1e-5);
    expect(both.cache.split().map((c) => [c.length, c.batch])).toEqual([
      [cut + 6, 1],
      [cut + 6, 1],
    ]);
  });

  it('splits and stacks caches exactly', async () => {
    const p = await rt.prefill([
      { ids: g.inputIds, images: image },
      { ids: g.inputIds, images: image },
    ]);
    const parts = p.cache.split();
    expect(parts).toHaveLength(2);
    const restacked = KvCache.stack(parts);
    const feedsA = p.cache.feeds();
    const feedsB = restacked.feeds();
    for (const [k, t] of Object.entries(feedsA)) expect(Array.from(field(feedsB, k).data as Float32Array)).toEqual(Array.from(t.data as Float32Array));
    expect(p.cache.byteLength).toBe(2 * 4 * 2 * 2 * 26 * 16 * 4);
  });
});

describe('decoding into preallocated KV buffers (KvWorkspace)', () => {
  it('gives the ids and logits of recomputing every prefix without a cache, and leaves the prefill cache untouched', async () => {
    const steps = 6;
    const prefill = await rt.prefill([{ ids: g.inputIds, images: image }]);
    const before = prefill.cache.feeds();
    const snapshot = Object.fromEntries(Object.entries(before).map(([k, t]) => [k, (t.data as Float32Array).slice()]));
    const seen: Float32Array[] = [prefill.logits];
    const intoWorkspace: StepModel = {
      step: async (t, c, into) => {
        expect(into).toBeInstanceOf(KvWorkspace);
        const o = await rt.step(t, c, into);
        seen.push(o.logits);
        return o;
      },
    };
    const out = await generateGreedy(intoWorkspace, prefill, { maxNewTokens: steps });
    expect(out.ids.slice(0, 5)).toEqual(g.generatedNewIds);
    // No cache at all: the whole prompt and the ids so far prefilled from scratch at every step.
    for (let k = 0; k < steps; k++) {
      const whole = await rt.prefill([{ ids: BigInt64Array.from([...g.inputIds, ...out.ids.slice(0, k).map(BigInt)]), images: image }]);
      expect(argmax(whole.logits)).toBe(at(out.ids, k));
      expect(maxAbsDiff(at(seen, k), whole.logits)).toBeLessThan(1e-5);
    }
    // The last cache views workspace buffers and equals the cache of a plain step-by-step decode.
    let plain = prefill.cache;
    for (const id of out.ids.slice(0, steps - 1)) plain = (await rt.step([id], plain)).cache;
    const [a, b] = [out.cache.feeds(), plain.feeds()];
    expect(out.cache.length).toBe(26 + steps - 1);
    for (const [k, t] of Object.entries(b)) expect(maxAbsDiff(field(a, k).data as Float32Array, t.data as Float32Array)).toBeLessThan(1e-5);
    for (const [k, t] of Object.entries(prefill.cache.feeds())) expect(Array.from(t.data as Float32Array)).toEqual(Array.from(field(snapshot, k)));
  });

  it('alternates two buffer sets, never writing the set a step reads, and grows a set that is too small', async () => {
    const prefill = await rt.prefill([{ ids: g.inputIds, images: image }]);
    const ws = new KvWorkspace({ layers: 4, batch: 1, kvHeads: 2, headDim: 16 }, 27);
    const s1 = await rt.step([5], prefill.cache, ws);
    const s2 = await rt.step([6], s1.cache, ws);
    const s1Copy = Object.values(s1.cache.feeds()).map((t) => (t.data as Float32Array).slice());
    const s3 = await rt.step([7], s2.cache, ws); // 29 positions: more than the 27 the sets were made for
    expect([s1.cache.length, s2.cache.length, s3.cache.length]).toEqual([27, 28, 29]);
    const bufferOf = (c: KvCache) => (field(c.feeds(), 'past_key_values.0.key').data as Float32Array).buffer;
    expect([s1.cache.holds(bufferOf(s2.cache)), s2.cache.holds(bufferOf(s3.cache)), prefill.cache.holds(bufferOf(s1.cache))]).toEqual([false, false, false]);
    // s2 was read by step 3, so step 3 wrote into s1's set (grown): s1's old buffers kept their values.
    Object.values(s1.cache.feeds()).forEach((t, i) => expect(Array.from(t.data as Float32Array)).toEqual(Array.from(at(s1Copy, i))));
    const plain = await rt.step([7], (await rt.step([6], (await rt.step([5], prefill.cache)).cache)).cache);
    expect(maxAbsDiff(s3.logits, plain.logits)).toBe(0);
    expect(ws.byteLength).toBe(2 * 2 * 4 * (2 * 54 * 16) * 4); // both sets grown to 54 positions (2 x 27)
  });

  it('a prompt prefilled into the workspace in chunks and decoded on in it gives the ids and logits of no cache, holding only two sets', async () => {
    const steps = 6;
    const chunked = await openModelRuntime(compiled.bundle, { device: 'cpu', threads: 1, prefillChunk: 7 });
    try {
      const { layers, kvHeads, headDim } = chunked.dims;
      const ws = promptWorkspace({ layers, batch: 1, kvHeads, headDim }, g.inputIds.length, steps - 1);
      const bytes = ws.byteLength;
      const prefill = await chunked.prefill([{ ids: g.inputIds, images: image }], { logits: 'all', into: ws });
      // 26 tokens in chunks of 7: four calls alternating the sets, the prompt's cache in the workspace.
      const plainPrefill = await rt.prefill([{ ids: g.inputIds, images: image }], { logits: 'all' });
      expect(maxAbsDiff(prefill.logits, plainPrefill.logits)).toBeLessThan(1e-5);
      expect(prefill.cache.length).toBe(26);
      const seen: Float32Array[] = [prefill.logits.subarray(25 * V)];
      const caches: KvCache[] = [];
      const recording: StepModel = {
        step: async (t, c, into) => {
          expect(into).toBe(ws);
          const o = await chunked.step(t, c, into);
          seen.push(o.logits);
          caches.push(o.cache);
          return o;
        },
      };
      const out = await generateGreedy(recording, prefill, { maxNewTokens: steps, workspace: ws });
      expect(out.ids.slice(0, 5)).toEqual(g.generatedNewIds);
      for (let k = 0; k < steps; k++) {
        const whole = await rt.prefill([{ ids: BigInt64Array.from([...g.inputIds, ...out.ids.slice(0, k).map(BigInt)]), images: image }]);
        expect(argmax(whole.logits)).toBe(out.ids[k]);
        expect(maxAbsDiff(at(seen, k), whole.logits)).toBeLessThan(1e-5);
      }
      // Every call wrote into one of the two sets made up front: none grew, no other cache was made.
      expect(ws.byteLength).toBe(bytes);
      expect(bytes).toBe(2 * 2 * layers * (kvHeads * (26 + steps - 1) * headDim) * 4);
      // The steps alternate over the prefill's own buffers: every other step wrote the set it lies in.
      const bufferOf = (c: KvCache) => (field(c.feeds(), 'past_key_values.0.key').data as Float32Array).buffer;
      expect(caches.map((c) => prefill.cache.holds(bufferOf(c)))).toEqual([false, true, false, true, false]);
    } finally {
      await chunked.dispose();
    }
  });

  it('refuses a cache of another batch', async () => {
    const prefill = await rt.prefill([{ ids: g.inputIds, images: image }]);
    const ws = new KvWorkspace({ layers: 4, batch: 2, kvHeads: 2, headDim: 16 }, 40);
    await expect(rt.step([5], prefill.cache, ws)).rejects.toThrow(/batch 1, 4 layers does not fit a workspace of batch 2/);
  });
});

describe('lockstep decoding of two streams (VAT)', () => {
  // The negative stream: same prompt, another image (the golden pixels mirrored and negated).
  const vat = (pos: Float32Array, neg: Float32Array): number => {
    if (neg.length !== pos.length) throw new Error(`vat: ${pos.length} and ${neg.length} logits`);
    return argmax(pos.map((p, i) => 2 * p - at(neg, i)));
  };

  it('a batch of two equals two separate single-stream decodes', async () => {
    const negImage = await rt.encodeImages(
      g.pixelValues.map((x, i, a) => -at(a, a.length - 1 - i)),
      1,
    );
    const steps = 6;

    const batched: [pos: Float32Array, neg: Float32Array][] = [];
    const prefill = await rt.prefill([
      { ids: g.inputIds, images: image },
      { ids: g.inputIds, images: negImage },
    ]);
    const out = await generateLockstep(rt, prefill, (p, n) => (batched.push([p.slice(), n.slice()]), vat(p, n)), { maxNewTokens: steps });

    let pos = await rt.prefill([{ ids: g.inputIds, images: image }]);
    let neg = await rt.prefill([{ ids: g.inputIds, images: negImage }]);
    const single: number[] = [];
    for (let k = 0; k < steps; k++) {
      const [bp, bn] = at(batched, k);
      expect(maxAbsDiff(bp, pos.logits)).toBeLessThan(1e-5);
      expect(maxAbsDiff(bn, neg.logits)).toBeLessThan(1e-5);
      const next = vat(pos.logits, neg.logits);
      single.push(next);
      if (k + 1 < steps) [pos, neg] = await Promise.all([rt.step([next], pos.cache), rt.step([next], neg.cache)]);
    }
    expect(out.ids).toEqual(single);
    expect(out.cache.batch).toBe(2);
    // The negative image really changes the logits, so the check above compares two streams.
    expect(maxAbsDiff(...first(batched))).toBeGreaterThan(1e-2);
  });

  it('rejects a token outside the vocabulary', async () => {
    const prefill = await rt.prefill([
      { ids: g.inputIds, images: image },
      { ids: g.inputIds, images: image },
    ]);
    await expect(generateLockstep(rt, prefill, () => V, { maxNewTokens: 2 })).rejects.toThrow(/outside the vocabulary of 300/);
  });
});

describe('stopping and cancelling', () => {
  it('stops after an EOS id or once a stop string appears', async () => {
    const prefill = await rt.prefill([{ ids: g.inputIds, images: image }]);
    const eos = await generateGreedy(rt, prefill, { maxNewTokens: 10, eosTokenIds: [267] });
    expect([eos.ids, eos.stopReason]).toEqual([[280, 243, 267], 'eos']);
    const decode = (xs: readonly number[]) => xs.join(' ');
    const str = await generateGreedy(rt, prefill, { maxNewTokens: 10, stopStrings: ['243 2'], decode });
    expect([str.ids, str.stopReason]).toEqual([[280, 243, 267], 'stop-string']);
  });

  it('stops at the step where the signal is aborted, with a cancelled error', async () => {
    const prefill = await rt.prefill([{ ids: g.inputIds, images: image }]);
    const ac = new AbortController();
    const model = counting(rt);
    const steps: number[] = [];
    const run = generateGreedy(model, prefill, { maxNewTokens: 10, signal: ac.signal, onProgress: (p) => (steps.push(p.step), p.step === 2 && ac.abort()) });
    await expect(run).rejects.toMatchObject({ code: 'cancelled' });
    expect(steps).toEqual([1, 2]);
    expect(model.calls).toBe(1);
  });

  it('sees an abort from a timer between steps (the loop yields to the event loop)', async () => {
    const prefill = await rt.prefill([{ ids: g.inputIds, images: image }]);
    const ac = new AbortController();
    const model = counting(rt);
    setTimeout(() => ac.abort(), 0);
    await expect(generateGreedy(model, prefill, { maxNewTokens: 1000, signal: ac.signal })).rejects.toBeInstanceOf(WorkbenchError);
    expect(model.calls).toBeGreaterThan(0);
    expect(model.calls).toBeLessThan(50);
  });
});

describe('input errors', () => {
  it('says how many image placeholders and features there are', async () => {
    await expect(rt.prefill([{ ids: g.inputIds }])).rejects.toThrow(/16 image placeholder tokens \(id 296, in 1 run\(s\)\) but there are no image features/);
    const two = await rt.encodeImages(new Float32Array(2 * 3 * 56 * 56), 2);
    await expect(rt.prefill([{ ids: g.inputIds, images: two }])).rejects.toThrow(/16 image placeholder tokens .* 2 image\(s\) x 16 = 32 image features/);
  });

  it('rejects unequal batch lengths, wrong pixel sizes and out-of-vocabulary ids', async () => {
    await expect(rt.prefill([{ ids: [1, 2] }, { ids: [1, 2, 3] }])).rejects.toThrow(/equal lengths \(got 2 and 3\)/);
    await expect(rt.encodeImages(new Float32Array(10), 1)).rejects.toThrow(/1 image\(s\) of 3x56x56 need 9408/);
    await expect(rt.prefill([{ ids: [1, 300] }])).rejects.toThrow(/Token id 300 at position 1 is outside the vocabulary \(size 300\)/);
  });

  it('fills two images into two runs in order', async () => {
    // Prompt: BOS, run of image A, text, run of image B. Equal to embedding each image alone.
    const run = Array<number>(16).fill(296);
    const two = await rt.encodeImages(Float32Array.from([...g.pixelValues, ...g.pixelValues.map((x) => -x)]), 2);
    const negOnly = await rt.encodeImages(
      g.pixelValues.map((x) => -x),
      1,
    );
    const both = await rt.inputsEmbeds([{ ids: [1, ...run, 5, ...run], images: two }]);
    const D = rt.dims.hidden;
    expect(Array.from(both.data.subarray(D, 17 * D))).toEqual(Array.from(image.data));
    expect(Array.from(both.data.subarray(18 * D))).toEqual(Array.from(negOnly.data));
  });
});
