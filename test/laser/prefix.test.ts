/**
 * Prefix reuse changes how the work is split, not what is computed: the no-query pass continuing the
 * shared image prefix equals a from-scratch prefill of the no-query prompt, and so does the
 * positive/negative pair prefilled from the query pass's prefix. On onnxruntime's CPU provider the
 * two agree bit for bit (measured: max difference 0); other providers may order float32 sums
 * differently and differ by a few ulps (about 1e-7 on probabilities). The spec's 1e-5 leaves that
 * margin without hiding a wrong position or a stale cache, which move attention far more.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prefillPair } from '../../src/engine/laser/contrast.ts';
import { concatFeatures, sliceFeatures } from '../../src/engine/laser/features.ts';
import { loadSampleImage } from '../../src/engine/laser/image.ts';
import { encodeInputs } from '../../src/engine/laser/methods/context.ts';
import { LaserModel } from '../../src/engine/laser/model.ts';
import { runPromptPasses, type PassGeometry } from '../../src/engine/laser/passes.ts';
import { DEFAULT_INSTRUCTION, queryPrompts, viewPrompt } from '../../src/engine/laser/prompts.ts';
import { cropView, modelInput } from '../../src/engine/laser/views.ts';
import type { ImageFeatures } from '../../src/engine/runtime/image-tokens.ts';
import type { ModelRuntime } from '../../src/engine/runtime/model-runtime.ts';
import { maxAbsDiff } from '../support/tiny-bundle.ts';
import { compileTinyLaserBundle, IMAGE_500x375, type TinyLaserBundle } from './support/tiny-laser-bundle.ts';

const ATOL = 1e-5;
const options = { instruction: DEFAULT_INSTRUCTION, systemPrompt: null };
let tiny: TinyLaserBundle;
let model: LaserModel;
let rt: ModelRuntime;
let features: ImageFeatures;
let geometry: PassGeometry;

beforeAll(async () => {
  tiny = await compileTinyLaserBundle();
  model = await LaserModel.open(tiny.bundle);
  rt = await model.runtime();
  const img = await loadSampleImage(IMAGE_500x375);
  features = await encodeInputs(rt, [modelInput(img.rgb, model.processor)]);
  geometry = { layers: 4, heads: 4, gridOffset: 0, cells: 16 };
});
afterAll(async () => {
  await model?.dispose();
  await tiny?.dispose();
});

describe('prefix reuse', () => {
  for (const noQuery of ['instruction-only', 'empty', 'generic'] as const) {
    it(`the ${noQuery} pass continuing the image prefix equals its from-scratch prefill`, async () => {
      const p = queryPrompts(model, 'What is the colour of the cat?', options, noQuery, 16);
      const shared = await runPromptPasses(rt, features, p.query, p.other, geometry);
      const scratch = await runPromptPasses(rt, features, p.query, p.other, geometry, { reusePrefix: false });
      expect(shared.prefix?.ids.length).toBe(p.query.imageRuns[0][1]);
      expect(scratch.prefix).toBeNull();
      for (const pass of ['query', 'other'] as const) {
        const a = shared[pass]!.output;
        const b = scratch[pass]!.output;
        expect(a.attnLast.length).toBe(b.attnLast.length);
        expect(maxAbsDiff(a.attnLast, b.attnLast)).toBeLessThanOrEqual(ATOL);
        expect(maxAbsDiff(a.logits, b.logits)).toBeLessThanOrEqual(1e-4);
        expect(maxAbsDiff(shared[pass]!.attention.data, scratch[pass]!.attention.data)).toBeLessThanOrEqual(ATOL);
      }
      // and the reuse is real: the other pass saw only its own suffix
      expect(shared.other!.output.cache.length).toBe(p.other!.inputIds.length);
    });
  }

  it('the [I, I+] / [mask(I), I-] pair from the query prefix equals the pair prefilled as a whole', async () => {
    const img = await loadSampleImage(IMAGE_500x375);
    const views = [cropView(img.rgb, [100, 50, 350, 274]), cropView(img.rgb, [0, 0, 250, 224]), cropView(img.rgb, [250, 151, 500, 375])];
    const encoded = await encodeInputs(
      rt,
      views.map((v) => modelInput(v, model.processor)),
    );
    const positive = concatFeatures(features, sliceFeatures(encoded, 0));
    const negative = sliceFeatures(encoded, 1, 2);
    const p = queryPrompts(model, 'What is the colour of the cat?', options, 'instruction-only', 16);
    const passes = await runPromptPasses(rt, features, p.query, p.other, geometry);
    const prompt = viewPrompt(model, 'What is the colour of the cat?', options, [16, 16]);
    const reused = await prefillPair(rt, prompt, positive, negative, passes.prefix);
    const whole = await prefillPair(rt, prompt, positive, negative, null);
    expect(reused.cache.batch).toBe(2);
    expect(reused.cache.length).toBe(prompt.inputIds.length);
    expect(maxAbsDiff(reused.attnLast, whole.attnLast)).toBeLessThanOrEqual(ATOL);
    expect(maxAbsDiff(reused.logits, whole.logits)).toBeLessThanOrEqual(1e-4);
    // one batch of two (accelerators) and two runs stacked (CPU) give the same start for the lockstep decode
    for (const pre of [passes.prefix, null]) {
      const [batched, inTurn] = [
        await prefillPair(rt, prompt, positive, negative, pre, { batch: true }),
        await prefillPair(rt, prompt, positive, negative, pre, { batch: false }),
      ];
      expect([inTurn.cache.batch, inTurn.cache.length, inTurn.logitRows]).toEqual([batched.cache.batch, batched.cache.length, batched.logitRows]);
      expect(maxAbsDiff(inTurn.attnLast, batched.attnLast)).toBeLessThanOrEqual(ATOL);
      expect(maxAbsDiff(inTurn.logits, batched.logits)).toBeLessThanOrEqual(1e-4);
      const [a, b] = [inTurn.cache.feeds(), batched.cache.feeds()];
      for (const k of Object.keys(b)) expect(maxAbsDiff(a[k].data as Float32Array, b[k].data as Float32Array)).toBeLessThanOrEqual(1e-4);
    }
  });
});
