/**
 * The analysis record of a finished run, assembled from the shared query phase and the method's own
 * outcome. `timings` is left empty: the caller fills it in last, so that it covers the whole run.
 *
 * Beside it come the pixels of every image the model got (I as encoded first, then the method's
 * own), keyed by their file in the record folder, and the attention the model paid to each.
 */
import { fixedImageGrid } from '../bundle/manifest.ts';
import type { GridTransform } from '../../common/geometry/transform.ts';
import type { RgbImage } from '../preprocess/image.ts';
import type { MethodOutcome, QueryPhase, RunContext } from './methods/context.ts';
import {
  RECORD_FORMAT,
  RECORD_TENSOR_FILE,
  RECORD_VERSION,
  inputFileName,
  type AnalysisRecord,
  type InputRole,
  type RecordInput,
  type RecordTensorName,
  type RecordTensors,
} from './record.ts';

export interface BuiltRecord {
  record: AnalysisRecord;
  tensors: RecordTensors;
  /** The input images by their file in the record folder (inputFileName). */
  images: Record<string, RgbImage>;
}

/** Tensors on I's grid: every map the query phase and the localisation make. */
const ON_IMAGE: readonly RecordTensorName[] = ['a_q', 'a_0', 'a_q.layer', 'a_q.layer_mean', 'a_0.layer', 'a_0.layer_mean', 'A', 'M'];

function gridOf(t: GridTransform): [number, number] {
  return [t.gridHeight, t.gridWidth];
}

function entry(
  role: InputRole,
  source: { width: number; height: number },
  shown: RgbImage,
  geometry: GridTransform,
  rule: RecordInput['rule'],
  fedIn: string[],
  attention: string | null,
): RecordInput {
  return {
    role,
    file: inputFileName(role),
    width: shown.width,
    height: shown.height,
    sourceWidth: source.width,
    sourceHeight: source.height,
    grid: gridOf(geometry),
    geometry,
    rule,
    fedIn,
    attention,
  };
}

/** The record's `inputs`, the input tensors and the images, I first. */
function inputsOf(ctx: RunContext, phase: QueryPhase, outcome: MethodOutcome) {
  const tensors = outcome.tensors;
  const imageFedIn = [
    'query pass',
    ...(phase.passes.other ? [ctx.method === 'vicrop-rel' ? 'generic-prompt pass' : 'no-query pass'] : []),
    ...outcome.imageFedIn,
  ];
  const inputs: RecordInput[] = [entry('image', ctx.size, ctx.input.image, ctx.input.transform, { kind: 'original' }, imageFedIn, 'a_q')];
  const images: Record<string, RgbImage> = { [inputFileName('image')]: ctx.input.image };
  const maps: AnalysisRecord['tensors']['maps'] = {};
  for (const name of ON_IMAGE) if (tensors[name]) maps[name] = { input: 'image', grid: gridOf(ctx.input.transform) };
  const own: RecordTensors = {};
  for (const m of outcome.inputs) {
    const shown = m.shown ?? m.input.image;
    const name = m.attention ? (`input.${m.role}` as RecordTensorName) : null;
    if (name && m.attention) {
      own[name] = { dtype: 'F32', shape: [m.attention.layers, m.attention.heads, m.attention.tokens], data: Float32Array.from(m.attention.data) };
      maps[name] = { input: m.role, grid: gridOf(m.input.transform) };
    }
    inputs.push(entry(m.role, m.view, shown, m.input.transform, m.rule, m.fedIn, name));
    images[inputFileName(m.role)] = shown;
  }
  return { inputs, images, maps, own };
}

export function buildRecord(
  ctx: RunContext,
  key: string,
  knobs: Record<string, unknown>,
  knobNotes: string[],
  phase: QueryPhase,
  outcome: MethodOutcome,
): BuiltRecord {
  const { model, rt, options } = ctx;
  const m = model.manifest;
  const a = outcome.analysis;
  const own = inputsOf(ctx, phase, outcome);
  const tensors: RecordTensors = { ...outcome.tensors, ...own.own };
  const record: AnalysisRecord = {
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
      imageSize: fixedImageGrid(m)?.imageSize ?? null,
      tokensPerImage: fixedImageGrid(m)?.tokensPerImage ?? null,
      grid: fixedImageGrid(m)?.grid ?? null,
      preprocessing: m.preprocessing.mode,
      provider: rt.provider,
    },
    image: { path: ctx.image.path, hash: ctx.image.hash, width: ctx.size.width, height: ctx.size.height },
    geometry: ctx.input.transform,
    inputs: own.inputs,
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
    tensors: { file: RECORD_TENSOR_FILE, names: Object.keys(tensors).sort(), maps: own.maps },
  };
  return { record, tensors, images: own.images };
}
