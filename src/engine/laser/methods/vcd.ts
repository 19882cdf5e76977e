/**
 * `vcd` (Visual Contrastive Decoding, Leng et al., CVPR 2024): the negative is I with forward
 * diffusion noise on the normalised pixels (step 500 of 1000 by default), fused with alpha and VCD's
 * plausibility cutoff beta. The positive stream is the query pass itself (same prompt, same image),
 * so only the negative is prefilled; the two caches are stacked and decoded as a batch of two.
 */
import { addDiffusionNoise, createRng, VCD_NUM_STEPS, type KnobsOf } from '../../../common/laser/index.ts';
import { inputPixels } from '../views.ts';
import { joinPrefills } from '../contrast.ts';
import { decodeVat } from '../decode.ts';
import { decodeOptions, encodeInputs, viewAttention, type MethodOutcome, type QueryPhase, type RunContext } from './context.ts';
import { positionsTensor } from './tensors.ts';

export async function runVcd(ctx: RunContext, phase: QueryPhase, knobs: KnobsOf<'vcd'>): Promise<MethodOutcome> {
  const { clock, rt } = ctx;
  const noisy = await clock.run('noise', () => addDiffusionNoise(ctx.input.pixelValues, knobs.noiseStep, createRng(knobs.seed)));
  const features = await clock.run('encode-views', () => encodeInputs(rt, [{ ...ctx.input, pixelValues: noisy }]));
  const query = phase.prompts.query;
  const { start, negative } = await clock.run('prefill-views', async () => {
    const negative = await rt.prefill([{ ids: query.inputIds, images: features }]);
    return { start: joinPrefills(phase.passes.query.output, negative, rt.dims.vocab), negative };
  });
  const fusion = { alpha: knobs.alpha, apcBeta: knobs.beta };
  const answer = await clock.run('decode', () => decodeVat(rt, start, fusion, decodeOptions(ctx, 'decode')));
  return {
    answer,
    decoding: {
      kind: 'vat',
      positive: '[I]',
      negative: `[noise(I, step ${knobs.noiseStep}, seed ${knobs.seed})]`,
      alpha: fusion.alpha,
      apcBeta: fusion.apcBeta,
    },
    analysis: {},
    tensors: { a_q: positionsTensor(phase.queryAt) },
    inputs: [
      {
        role: 'vcd-noise',
        view: ctx.image.rgb,
        input: ctx.input,
        shown: { width: ctx.input.image.width, height: ctx.input.image.height, data: inputPixels(ctx.input, noisy, ctx.processor) },
        rule: { kind: 'noise', step: knobs.noiseStep, steps: VCD_NUM_STEPS, seed: knobs.seed },
        fedIn: [`negative [noise(I)]`],
        attention: viewAttention(ctx, negative, 0, query, 0),
      },
    ],
    imageFedIn: ['positive [I]'],
  };
}
