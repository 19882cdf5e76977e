/**
 * What every method starts from: the model, the image as the model sees it (I, its features and
 * the cell-to-pixel mapping), the prompt options, the stage clock; and the phase every method shares,
 * the query pass on I (plus the no-query or generic pass where the method has one) and the baseline
 * answer decoded from it.
 */
import type { AttentionStack, CellMapping, ImageSize, MethodId } from '../../../common/laser/index.ts';
import type { ImageFeatures } from '../../runtime/image-tokens.ts';
import type { ModelRuntime } from '../../runtime/model-runtime.ts';
import type { NoQueryPrompt, PromptIds } from '../../tokenizer/prompt.ts';
import { decodeGreedy, teacherForce, type DecodeResult } from '../decode.ts';
import type { LaserModel } from '../model.ts';
import { attentionAtSteps, runPromptPasses, type PassGeometry, type PromptPasses } from '../passes.ts';
import { queryPrompts, type PromptOptions, type QueryPrompts } from '../prompts.ts';
import type { AnalysisRecord, InputRole, InputRule, RecordTensors } from '../record.ts';
import type { DecoderOutput } from '../../runtime/decoder.ts';
import { visualAttention } from '../readout.ts';
import type { StageClock } from '../stages.ts';
import type { SampleImage } from '../image.ts';
import { modelInput, type ModelInput, type ViewProcessor } from '../views.ts';
import { WorkbenchError } from '../../../common/contract/errors.ts';
import type { RgbImage } from '../../preprocess/image.ts';

export interface RunOptions extends PromptOptions {
  /** Tokens decoded at most per answer. */
  maxNewTokens: number;
  /** Candidates recorded per decoding step. */
  topCandidates: number;
  /** Reuse the image prefix's KV cache across passes (false: prefill every pass from scratch; same results). */
  reusePrefix: boolean;
  /** Any-resolution models only: smart_resize bounds for this run's views, over the bundle's (`--min-pixels/--max-pixels`). */
  minPixels?: number;
  maxPixels?: number;
}

export interface RunContext {
  method: MethodId;
  model: LaserModel;
  /** The bundle's preprocessing with this run's pixel bounds: every view goes through it. */
  processor: ViewProcessor;
  rt: ModelRuntime;
  image: SampleImage;
  question: string;
  options: RunOptions;
  clock: StageClock;
  /** I as the model sees it. */
  input: ModelInput;
  mapping: CellMapping;
  size: ImageSize;
  /** I's encoded features. */
  features: ImageFeatures;
  geometry: PassGeometry;
}

/** An image the method showed the model (I itself is added by the record builder). */
export interface MadeInput {
  role: Exclude<InputRole, 'image'>;
  /** The view before preprocessing (VCD: I). */
  view: RgbImage;
  /** The view as the encoder got it. */
  input: ModelInput;
  /** The pixels to save when they are not `input.image` (VCD's noised pixels, de-normalised). */
  shown?: RgbImage;
  rule: InputRule;
  fedIn: string[];
  /** The last prompt position's attention onto its grid tokens [L, H, N]; null when it was not fed. */
  attention: AttentionStack | null;
}

/** What a method produced, beyond what the shared phase gives the record. */
export interface MethodOutcome {
  answer: DecodeResult;
  decoding: AnalysisRecord['decoding'];
  analysis: Partial<
    Pick<
      AnalysisRecord,
      'vaq' | 'vaqHeads' | 'vaqPositions' | 'layer' | 'layerChoice' | 'mapHeads' | 'mapMass' | 'fallback' | 'box' | 'crop' | 'maskedCells' | 'undefinedCells'
    >
  >;
  tensors: RecordTensors;
  /** The images beyond I that the method showed the model (or made to derive one it showed). */
  inputs: MadeInput[];
  /** Where I was fed beyond the query pass (and the other pass), in words. */
  imageFedIn: string[];
}

export interface QueryPhase {
  prompts: QueryPrompts;
  passes: PromptPasses;
  baseline: DecodeResult;
  /** a_q and a_0 at each VAQ read-out position (one unless vaqSteps = 'answer'); a_0 empty without another pass. */
  queryAt: AttentionStack[];
  otherAt: AttentionStack[];
}

export function decodeOptions(ctx: RunContext, stage: 'baseline-decode' | 'decode', keepAttention = false) {
  return {
    tokenizer: ctx.model.tokenizer,
    eosIds: ctx.model.eosIds,
    maxNewTokens: ctx.options.maxNewTokens,
    topCandidates: ctx.options.topCandidates,
    signal: ctx.clock.signal,
    onStep: (step: number, total: number) => ctx.clock.report(stage, step, total),
    keepAttention,
  };
}

/**
 * The query pass, the other pass (`other` = knob noQueryPrompt, or 'generic' for vicrop-rel, or
 * null), and the baseline answer. With `answerPositions`, the read-outs are taken at every position
 * that predicts a baseline token: the query side while decoding, the other side by teacher forcing.
 */
export async function queryPhase(ctx: RunContext, other: NoQueryPrompt | null, answerPositions = false): Promise<QueryPhase> {
  const { clock, rt } = ctx;
  const prompts = queryPrompts(ctx.model, ctx.question, ctx.options, other, ctx.input.tokens);
  const passes = await runPromptPasses(rt, ctx.features, prompts.query, prompts.other, ctx.geometry, {
    reusePrefix: ctx.options.reusePrefix,
    hooks: { timeQuery: (w) => clock.run('query-pass', w), timeOther: (w) => clock.run('no-query-pass', w) },
  });
  const vocab = rt.dims.vocab;
  const baseline = await clock.run('baseline-decode', () =>
    decodeGreedy(rt, passes.query.output, vocab, decodeOptions(ctx, 'baseline-decode', answerPositions)),
  );
  const queryAt = [passes.query.attention];
  const otherAt = passes.other ? [passes.other.attention] : [];
  if (answerPositions && passes.other !== null) {
    const o = passes.other;
    const forced = await clock.run('answer-vaq', () => teacherForce(rt, o.output, baseline.ids.slice(0, -1), clock.signal));
    queryAt.push(...attentionAtSteps(passes.query, baseline.attention, ctx.geometry));
    otherAt.push(...attentionAtSteps(o, forced, ctx.geometry));
  }
  return { prompts, passes, baseline, queryAt, otherAt };
}

/** Prepared views encoded in one vision call (any-resolution views each at their own grid). */
export async function encodeInputs(rt: ModelRuntime, inputs: readonly ModelInput[]): Promise<ImageFeatures> {
  const pixels = new Float32Array(inputs.reduce((n, v) => n + v.pixelValues.length, 0));
  let offset = 0;
  for (const v of inputs) {
    pixels.set(v.pixelValues, offset);
    offset += v.pixelValues.length;
  }
  if (rt.vision.kind === 'fixed-grid') return rt.encodeImages(pixels, inputs.length);
  const grids = inputs.map((v) => {
    if (v.patches === null)
      throw new WorkbenchError(
        'invalid-bundle',
        'A native-resolution model was given a fixed-grid view.',
        'Reopen the bundle; its manifest and graphs disagree.',
      );
    return v.patches;
  });
  return rt.encodePatches(pixels, grids);
}

export interface EncodedViews {
  /** Each view as the model sees it (its own grid and token count on an any-resolution model). */
  inputs: ModelInput[];
  features: ImageFeatures;
}

/**
 * Preprocesses views as I was and encodes them in one vision call. `like[k]`: an input view k
 * differs from in a few places (I for mask(I)), or the index of an earlier view of this call (I+
 * for I-), whose preprocessing view k then reuses (modelInput's `like`; the same input either way).
 */
export async function encodeViews(ctx: RunContext, views: readonly RgbImage[], like: readonly (ModelInput | number | null)[] = []): Promise<EncodedViews> {
  const { clock } = ctx;
  const inputs = await clock.run('preprocess', () => {
    const made: ModelInput[] = [];
    for (const [k, v] of views.entries()) {
      const l = like[k] ?? null;
      // a view a later one is made like keeps its resize for it
      made.push(modelInput(v, ctx.processor, typeof l === 'number' ? (made[l] ?? null) : l, like.includes(k)));
    }
    return made;
  });
  const features = await clock.run('encode-views', () => encodeInputs(ctx.rt, inputs));
  return { inputs, features };
}

/** View `k` of encodeViews' result, as the model sees it. */
export function viewInput(views: EncodedViews, k: number): ModelInput {
  const input = views.inputs[k];
  if (input === undefined) throw new RangeError(`View ${k} was not encoded (${views.inputs.length} views).`);
  return input;
}

/**
 * The attention of a prefill's last prompt position (batch row `row`) onto the grid tokens of the
 * prompt's image number `image`: the map the model made of that input while reading the question.
 * attn_last spans the whole prompt, a reused prefix included.
 */
export function viewAttention(ctx: RunContext, out: DecoderOutput, row: number, prompt: PromptIds, image: number): AttentionStack {
  const run = prompt.imageRuns[image];
  if (run === undefined) throw new RangeError(`The prompt has ${prompt.imageRuns.length} images; there is no image ${image}.`);
  // The image's own cell count (on an any-resolution model the crop's grid is not I's).
  const cells = run[1] - run[0] - ctx.geometry.gridOffset;
  return visualAttention(out.attnLast, ctx.geometry, row, prompt.inputIds.length, run[0] + ctx.geometry.gridOffset, cells);
}
