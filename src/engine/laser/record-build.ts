/**
 * The analysis record of a finished run, assembled from the shared query phase and the method's own
 * outcome. `timings` is left empty: the caller fills it in last, so that it covers the whole run.
 */
import type { MethodOutcome, QueryPhase, RunContext } from './methods/context.ts';
import { RECORD_FORMAT, RECORD_TENSOR_FILE, RECORD_VERSION, type AnalysisRecord } from './record.ts';

export function buildRecord(
  ctx: RunContext,
  key: string,
  knobs: Record<string, unknown>,
  knobNotes: string[],
  phase: QueryPhase,
  outcome: MethodOutcome,
): AnalysisRecord {
  const { model, rt, options } = ctx;
  const m = model.manifest;
  const a = outcome.analysis;
  return {
    format: RECORD_FORMAT,
    version: RECORD_VERSION,
    createdAt: new Date().toISOString(),
    cacheKey: key,
    method: ctx.method,
    knobs,
    knobNotes,
    question: ctx.question,
    prompt: {
      instruction: options.instruction,
      systemPrompt: options.systemPrompt,
      templateSource: model.template.source,
      queryText: phase.prompts.query.text,
      otherText: phase.prompts.other?.text ?? null,
      sharedPrefix: phase.passes.prefix?.ids.length ?? 0,
      maxNewTokens: options.maxNewTokens,
      topCandidates: options.topCandidates,
    },
    bundle: {
      id: model.bundleId,
      dir: model.dir,
      name: m.source.name,
      layers: m.text.layers,
      heads: m.text.heads,
      vocab: m.text.vocab,
      architecture: m.architecture,
      viewEncoding: ctx.processor.kind,
      pixelBounds: ctx.processor.kind === 'native-resolution' ? [ctx.processor.config.minPixels, ctx.processor.config.maxPixels] : null,
      imageSize: m.architecture === 'llava' ? m.vision.imageSize : null,
      tokensPerImage: m.architecture === 'llava' ? m.vision.tokensPerImage : null,
      grid: m.architecture === 'llava' ? [m.vision.grid[0], m.vision.grid[1]] : null,
      preprocessing: m.preprocessing.mode,
      provider: rt.provider,
    },
    image: { path: ctx.image.path, hash: ctx.image.hash, width: ctx.size.width, height: ctx.size.height },
    geometry: ctx.input.transform,
    answer: outcome.answer.text,
    answerTokens: outcome.answer.ids,
    stopReason: outcome.answer.stopReason,
    baselineAnswer: phase.baseline.text,
    baselineTokens: phase.baseline.ids,
    baselineSteps: phase.baseline.steps,
    vaq: a.vaq ?? null,
    vaqHeads: a.vaqHeads ?? null,
    vaqPositions: a.vaqPositions ?? null,
    layer: a.layer ?? null,
    layerChoice: a.layerChoice ?? null,
    mapHeads: a.mapHeads ?? null,
    mapMass: a.mapMass ?? null,
    fallback: a.fallback ?? null,
    box: a.box ?? null,
    crop: a.crop ?? null,
    maskedCells: a.maskedCells ?? [],
    undefinedCells: a.undefinedCells ?? null,
    decoding: outcome.decoding,
    steps: outcome.answer.steps,
    timings: {},
    tensors: { file: RECORD_TENSOR_FILE, names: Object.keys(outcome.tensors).sort() },
  };
}
