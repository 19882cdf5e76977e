/**
 * `vicrop-rel` (ViCrop, "MLLMs know where to look", ICLR 2025): the head-mean attention at a fixed
 * layer divided by the same for the generic prompt, ViCrop's adaptive window search on that ratio,
 * and greedy decoding on [I, crop].
 */
import { relativeAttention, vicropWindowBox, type KnobsOf } from '../../../common/laser/index.ts';
import { prefillOne } from '../contrast.ts';
import { decodeGreedy } from '../decode.ts';
import { concatFeatures } from '../features.ts';
import { viewPrompt } from '../prompts.ts';
import { cropView } from '../views.ts';
import { decodeOptions, encodeViews, viewAttention, viewInput, type MethodOutcome, type QueryPhase, type RunContext } from './context.ts';
import { f64Tensor, layerTensors, positionsTensor } from './tensors.ts';

export async function runVicrop(ctx: RunContext, phase: QueryPhase, knobs: KnobsOf<'vicrop-rel'>): Promise<MethodOutcome> {
  const { clock, rt } = ctx;
  const grid = ctx.mapping.grid;
  const [queryRead, otherRead] = [phase.queryAt[0], phase.otherAt[0]];
  if (queryRead === undefined || otherRead === undefined) throw new Error('vicrop-rel needs the query and no-query read-outs of the prompt.');
  const { rel, window } = await clock.run('localise', () => {
    const rel = relativeAttention(queryRead, otherRead, knobs.layer, grid, knobs.epsilon);
    return { rel, window: vicropWindowBox(rel.map, ctx.mapping, ctx.size, knobs.windowBase) };
  });
  const plus = await clock.run('crop', () => cropView(ctx.image.rgb, window.box));
  const views = await encodeViews(ctx, [plus]);
  const prompt = viewPrompt(ctx.model, ctx.question, ctx.options, [ctx.input.tokens, viewInput(views, 0).tokens]);
  const out = await clock.run('prefill-views', () => prefillOne(rt, prompt, concatFeatures(ctx.features, views.features), phase.passes.prefix));
  const answer = await clock.run('decode', () => decodeGreedy(rt, out, rt.dims.vocab, decodeOptions(ctx, 'decode')));
  const { box: b, ...detail } = window;
  return {
    answer,
    decoding: { kind: 'greedy', positive: '[I, crop]', negative: null, alpha: null, apcBeta: null },
    analysis: {
      layer: knobs.layer,
      layerChoice: { mode: 'fixed', searched: [knobs.layer, knobs.layer] },
      box: [b[0], b[1], b[2], b[3]],
      crop: detail,
      maskedCells: [],
      undefinedCells: [...rel.undefinedCells],
    },
    tensors: {
      a_q: positionsTensor(phase.queryAt),
      a_0: positionsTensor(phase.otherAt),
      ...layerTensors('a_q', phase.queryAt, knobs.layer, grid),
      ...layerTensors('a_0', phase.otherAt, knobs.layer, grid),
      M: f64Tensor(rel.map, [grid.gh, grid.gw]),
    },
    inputs: [
      {
        role: 'crop',
        view: plus,
        input: viewInput(views, 0),
        rule: { kind: 'crop', box: [b[0], b[1], b[2], b[3]] },
        fedIn: ['[I, crop]'],
        attention: viewAttention(ctx, out, 0, prompt, 1),
      },
    ],
    imageFedIn: ['[I, crop]'],
  };
}
