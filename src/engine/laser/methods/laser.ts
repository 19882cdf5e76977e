/**
 * `laser` and its two ablations, which share its localisation:
 * - `laser`: VAQ layer choice, Con-ViCrop box, counterfactual mask, VAT decoding (spec steps 3-11);
 * - `static-layer`: the same with the layer fixed (knob fixedLayer);
 * - `laser-crop`: the same crop, answered by plain greedy decoding on [I, I+]: no mask, no VAT.
 */
import type { KnobsOf } from '../../../common/laser/index.ts';
import { prefillOne, prefillPair } from '../contrast.ts';
import { decodeGreedy, decodeVat } from '../decode.ts';
import { concatFeatures, sliceFeatures } from '../features.ts';
import { localise, type Localisation } from '../localise.ts';
import { viewPrompt } from '../prompts.ts';
import { cropView, fillFor, maskView } from '../views.ts';
import { decodeOptions, encodeViews, type MethodOutcome, type QueryPhase, type RunContext } from './context.ts';
import { f64Tensor, layerTensors, positionsTensor, vaqRows, vaqTensors } from './tensors.ts';

type LaserKnobs = KnobsOf<'laser'> | KnobsOf<'static-layer'> | KnobsOf<'laser-crop'>;

function hasCounterfactual(k: LaserKnobs): k is KnobsOf<'laser'> | KnobsOf<'static-layer'> {
  return 'kPatch' in k;
}

/** The record's view of a localisation, and its tensors. */
function analysisOf(ctx: RunContext, phase: QueryPhase, loc: Localisation): Pick<MethodOutcome, 'analysis' | 'tensors'> {
  const grid = ctx.mapping.grid;
  return {
    analysis: {
      vaq: Array.from(loc.vaq.perLayer),
      vaqHeads: vaqRows(loc.vaq),
      vaqPositions: phase.queryAt.length,
      layer: loc.choice.layer,
      layerChoice: { mode: loc.choice.mode, searched: [loc.choice.searched[0], loc.choice.searched[1]] },
      mapHeads: [...loc.heads],
      mapMass: loc.mass,
      fallback: loc.fallback,
      box: [loc.box[0], loc.box[1], loc.box[2], loc.box[3]],
      crop: loc.crop,
      maskedCells: [...loc.mask.cells],
    },
    tensors: {
      a_q: positionsTensor(phase.queryAt),
      a_0: positionsTensor(phase.otherAt),
      ...layerTensors('a_q', phase.queryAt, loc.choice.layer, grid),
      ...layerTensors('a_0', phase.otherAt, loc.choice.layer, grid),
      A: f64Tensor(loc.contrastive.data, [loc.contrastive.layers, loc.contrastive.heads, loc.contrastive.tokens]),
      ...(loc.map ? { M: f64Tensor(loc.map, [grid.gh, grid.gw]) } : {}),
      ...vaqTensors(loc.vaq),
    },
  };
}

export async function runLaserFamily(ctx: RunContext, phase: QueryPhase, knobs: LaserKnobs): Promise<MethodOutcome> {
  const { clock, rt } = ctx;
  const counterfactual = hasCounterfactual(knobs) ? knobs : null;
  const loc = await clock.run('localise', () =>
    localise(
      { query: phase.queryAt, noQuery: phase.otherAt, mapping: ctx.mapping, size: ctx.size },
      { ...knobs, kPatch: counterfactual ? counterfactual.kPatch : null },
    ),
  );
  const I = ctx.image.rgb;
  const plus = await clock.run('crop', () => cropView(I, loc.box));
  const recorded = analysisOf(ctx, phase, loc);
  const prefix = phase.passes.prefix;

  if (counterfactual === null) {
    const crop = await encodeViews(ctx, [plus]);
    const prompt = viewPrompt(ctx.model, ctx.question, ctx.options, [ctx.input.tokens, crop.inputs[0].tokens]);
    const out = await clock.run('prefill-views', () => prefillOne(rt, prompt, concatFeatures(ctx.features, crop.features), prefix));
    const answer = await clock.run('decode', () => decodeGreedy(rt, out, rt.dims.vocab, decodeOptions(ctx, 'decode')));
    return { answer, decoding: { kind: 'greedy', positive: '[I, I+]', negative: null, alpha: null, apcBeta: null }, ...recorded };
  }

  const masked = await clock.run('mask', () => {
    const full = maskView(I, loc.mask.rects, fillFor(counterfactual.fill, ctx.mapping, ctx.processor.config));
    return { full, crop: cropView(full, loc.box) };
  });
  const fusion = { alpha: counterfactual.alpha, apcBeta: counterfactual.apcBeta };
  let start;
  let streams: { positive: string; negative: string };
  if (counterfactual.feed === 'pair') {
    // mask(I) has I's size and I- the crop's, so on an any-resolution model both streams still share one id sequence.
    const { inputs, features: views } = await encodeViews(ctx, [plus, masked.full, masked.crop]);
    const prompt = viewPrompt(ctx.model, ctx.question, ctx.options, [ctx.input.tokens, inputs[0].tokens]);
    const positive = concatFeatures(ctx.features, sliceFeatures(views, 0));
    const negative = sliceFeatures(views, 1, 2);
    start = await clock.run('prefill-views', () => prefillPair(rt, prompt, positive, negative, prefix));
    streams = { positive: '[I, I+]', negative: '[mask(I), I-]' };
  } else {
    const { inputs, features: views } = await encodeViews(ctx, [plus, masked.crop]);
    const prompt = viewPrompt(ctx.model, ctx.question, ctx.options, [inputs[0].tokens]);
    start = await clock.run('prefill-views', () => prefillPair(rt, prompt, sliceFeatures(views, 0), sliceFeatures(views, 1), null));
    streams = { positive: '[I+]', negative: '[I-]' };
  }
  const s = start;
  const answer = await clock.run('decode', () => decodeVat(rt, s, fusion, decodeOptions(ctx, 'decode')));
  return { answer, decoding: { kind: 'vat', ...streams, alpha: fusion.alpha, apcBeta: fusion.apcBeta }, ...recorded };
}
