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
import { cropView, fillFor, maskView, modelInput } from '../views.ts';
import { decodeOptions, encodeViews, viewAttention, viewInput, type MadeInput, type MethodOutcome, type QueryPhase, type RunContext } from './context.ts';
import { f64Tensor, layerTensors, positionsTensor, vaqRows, vaqTensors } from './tensors.ts';

type LaserKnobs = KnobsOf<'laser'> | KnobsOf<'static-layer'> | KnobsOf<'laser-crop'>;

function hasCounterfactual(k: LaserKnobs): k is KnobsOf<'laser'> | KnobsOf<'static-layer'> {
  return 'kPatch' in k;
}

/** The record's view of a localisation, and its tensors. */
function analysisOf(ctx: RunContext, phase: QueryPhase, loc: Localisation): Omit<MethodOutcome, 'answer' | 'decoding' | 'inputs' | 'imageFedIn'> {
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
  const box: [number, number, number, number] = [loc.box[0], loc.box[1], loc.box[2], loc.box[3]];
  const cropRule = { kind: 'crop' as const, box };

  if (counterfactual === null) {
    const views = await encodeViews(ctx, [plus]);
    const prompt = viewPrompt(ctx.model, ctx.question, ctx.options, [ctx.input.tokens, viewInput(views, 0).tokens]);
    const out = await clock.run('prefill-views', () => prefillOne(rt, prompt, concatFeatures(ctx.features, views.features), prefix));
    const answer = await clock.run('decode', () => decodeGreedy(rt, out, rt.dims.vocab, decodeOptions(ctx, 'decode')));
    const crop: MadeInput = {
      role: 'crop',
      view: plus,
      input: viewInput(views, 0),
      rule: cropRule,
      fedIn: ['[I, I+]'],
      attention: viewAttention(ctx, out, 0, prompt, 1),
    };
    return {
      answer,
      decoding: { kind: 'greedy', positive: '[I, I+]', negative: null, alpha: null, apcBeta: null },
      ...recorded,
      inputs: [crop],
      imageFedIn: ['[I, I+]'],
    };
  }

  const masked = await clock.run('mask', () => {
    const full = maskView(I, loc.mask.rects, fillFor(counterfactual.fill, ctx.mapping, ctx.processor.config));
    return { full, crop: cropView(full, loc.box) };
  });
  const cells = [...loc.mask.cells];
  const maskRule = {
    kind: 'mask' as const,
    cells,
    rects: loc.mask.rects.map((r) => [r[0], r[1], r[2], r[3]] as [number, number, number, number]),
    fill: counterfactual.fill,
  };
  const maskCropRule = { kind: 'mask-crop' as const, box, cells, fill: counterfactual.fill };
  const fusion = { alpha: counterfactual.alpha, apcBeta: counterfactual.apcBeta };
  let start;
  let streams: { positive: string; negative: string };
  let inputs: MadeInput[];
  if (counterfactual.feed === 'pair') {
    // mask(I) has I's size and I- the crop's, so on an any-resolution model both streams still share one id sequence.
    // mask(I) differs from I, and I- from I+, only where the mask reaches: their preprocessing reuses the rest.
    const views = await encodeViews(ctx, [plus, masked.full, masked.crop], [null, ctx.input, 0]);
    const prompt = viewPrompt(ctx.model, ctx.question, ctx.options, [ctx.input.tokens, viewInput(views, 0).tokens]);
    const positive = concatFeatures(ctx.features, sliceFeatures(views.features, 0));
    const negative = sliceFeatures(views.features, 1, 2);
    const out = await clock.run('prefill-views', () => prefillPair(rt, prompt, positive, negative, prefix, { steps: ctx.options.maxNewTokens - 1 }));
    start = out;
    streams = { positive: '[I, I+]', negative: '[mask(I), I-]' };
    inputs = [
      { role: 'crop', view: plus, input: viewInput(views, 0), rule: cropRule, fedIn: ['positive [I, I+]'], attention: viewAttention(ctx, out, 0, prompt, 1) },
      {
        role: 'masked',
        view: masked.full,
        input: viewInput(views, 1),
        rule: maskRule,
        fedIn: ['negative [mask(I), I-]'],
        attention: viewAttention(ctx, out, 1, prompt, 0),
      },
      {
        role: 'vat-contrast',
        view: masked.crop,
        input: viewInput(views, 2),
        rule: maskCropRule,
        fedIn: ['negative [mask(I), I-]'],
        attention: viewAttention(ctx, out, 1, prompt, 1),
      },
    ];
  } else {
    const views = await encodeViews(ctx, [plus, masked.crop], [null, 0]);
    const prompt = viewPrompt(ctx.model, ctx.question, ctx.options, [viewInput(views, 0).tokens]);
    const out = await clock.run('prefill-views', () =>
      prefillPair(rt, prompt, sliceFeatures(views.features, 0), sliceFeatures(views.features, 1), null, { steps: ctx.options.maxNewTokens - 1 }),
    );
    start = out;
    streams = { positive: '[I+]', negative: '[I-]' };
    // mask(I) is not fed in this mode; it is kept because I- is cut from it, and it shows what was masked.
    const maskedInput = modelInput(masked.full, ctx.processor, ctx.input);
    inputs = [
      { role: 'crop', view: plus, input: viewInput(views, 0), rule: cropRule, fedIn: ['positive [I+]'], attention: viewAttention(ctx, out, 0, prompt, 0) },
      { role: 'masked', view: masked.full, input: maskedInput, rule: maskRule, fedIn: [], attention: null },
      {
        role: 'vat-contrast',
        view: masked.crop,
        input: viewInput(views, 1),
        rule: maskCropRule,
        fedIn: ['negative [I-]'],
        attention: viewAttention(ctx, out, 1, prompt, 0),
      },
    ];
  }
  const s = start;
  const answer = await clock.run('decode', () => decodeVat(rt, s, fusion, { ...decodeOptions(ctx, 'decode'), workspace: s.workspace }));
  const imageFedIn = counterfactual.feed === 'pair' ? ['positive [I, I+]'] : [];
  return { answer, decoding: { kind: 'vat', ...streams, alpha: fusion.alpha, apcBeta: fusion.apcBeta }, ...recorded, inputs, imageFedIn };
}
