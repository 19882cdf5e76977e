/**
 * The analysis record of one run: everything the spec's "What a run must record" lists, so that
 * every view and figure can be redrawn without the model. On disk a record is a folder:
 *   record.json          this schema (versioned: `format` + `version`)
 *   tensors.safetensors  the maps and scores as tensors (names in RECORD_TENSORS)
 *
 * Non-finite numbers: JSON has no -Infinity, and the plausibility constraint (APC) sets fused
 * scores to exactly that. In record.json every non-finite number is written as the string
 * "-Infinity", "Infinity" or "NaN" (what String() gives, and what Number() reads back); the
 * schema turns them back into numbers on load. Only logits can be non-finite; every other number
 * in the schema must be finite.
 *
 * Model inputs: every image the model got (I, the crop I+, mask(I), VAT's contrast image I-, VCD's
 * noised I) is listed in `inputs` and saved as a PNG under inputs/, as the vision encoder got it
 * (after the bundle's preprocessing), with its own token grid and the rule that made it. Every
 * attention map in the tensors says which input it lies on and that input's grid
 * (`tensors.maps`), so no reader assumes one square grid for all images.
 *
 * The schema is zod only (no Node), so a viewer can validate a record with it anywhere: it lives in
 * src/common so that the API contract can carry records (`recordJsonSchema`, the record.json form,
 * since a JSON transport would turn -Infinity into null).
 */
import { z } from 'zod';
import { METHOD_IDS } from './knobs.ts';

export const RECORD_FORMAT = 'laser-record';
export const RECORD_VERSION = 2;
export const RECORD_JSON = 'record.json';
export const RECORD_TENSOR_FILE = 'tensors.safetensors';
/** Folder of the model's input images inside a record folder. */
export const RECORD_INPUTS_DIR = 'inputs';

/**
 * The roles of the images a method shows the model: `image` I; `crop` I+ (I cropped to the box);
 * `masked` mask(I) (I with the chosen cells filled); `vat-contrast` I- (mask(I) cropped to the box,
 * VAT's negative view); `vcd-noise` VCD's noised I.
 */
export const INPUT_ROLES = ['image', 'crop', 'masked', 'vat-contrast', 'vcd-noise'] as const;
export type InputRole = (typeof INPUT_ROLES)[number];

/** An input's PNG inside the record folder. */
export function inputFileName(role: InputRole): string {
  return `${RECORD_INPUTS_DIR}/${role}.png`;
}

/**
 * Sidecar tensors (absent ones were not computed by the method). T = VAQ positions (1 for the
 * prefill read-out), L layers, H heads, Nv = gh * gw grid cells.
 */
export const RECORD_TENSORS = {
  a_q: 'F32 [T, L, H, Nv]: query-pass attention of the read-out positions onto the grid',
  a_0: 'F32 [T, L, H, Nv]: the same for the no-query pass (vicrop-rel: the generic prompt)',
  'a_q.layer': 'F32 [H, gh, gw]: a_q at the chosen layer, position mean, per head',
  'a_q.layer_mean': 'F32 [gh, gw]: its mean over all heads',
  'a_0.layer': 'F32 [H, gh, gw]',
  'a_0.layer_mean': 'F32 [gh, gw]',
  A: 'F64 [L, H, Nv]: contrastive attention ReLU(a_q - a_0), position mean',
  M: 'F64 [gh, gw]: the localisation map (sums to 1); vicrop-rel: the relative attention map',
  vaq: 'F64 [L]: VAQ per layer',
  vaq_heads: 'F64 [L, H]: VAQ per head',
  'input.crop': 'F32 [L, H, rows * cols]: attention of the last prompt position onto I+ in the prefill that fed it',
  'input.masked': 'F32 [L, H, rows * cols]: the same onto mask(I)',
  'input.vat-contrast': 'F32 [L, H, rows * cols]: the same onto I-',
  'input.vcd-noise': 'F32 [L, H, rows * cols]: the same onto the noised I',
} as const;
export type RecordTensorName = keyof typeof RECORD_TENSORS;

const finite = z.number().refine(Number.isFinite, 'must be a finite number');
const int = z.number().int();
const nat = z.number().int().nonnegative();
/** A logit as record.json holds it: a number, or the string form of a non-finite one. */
const logitText = z.union([z.number(), z.enum(['-Infinity', 'Infinity', 'NaN'])]);
/** The same, read back as a number. */
const logitNumber = logitText.transform((v) => (typeof v === 'number' ? v : Number(v)));
const box = z.tuple([int, int, int, int]);

function candidateOf<L extends z.ZodType>(logit: L) {
  return z.object({
    token: nat,
    text: z.string(),
    positive: logit,
    negative: logit.nullable(),
    fused: logit,
  });
}

function stepOf<L extends z.ZodType>(logit: L) {
  return z.object({ token: nat, text: z.string(), candidates: z.array(candidateOf(logit)) });
}

const preprocessStep = z.union([
  z.object({ kind: z.literal('pad'), left: finite, top: finite, width: nat, height: nat, fill: z.tuple([finite, finite, finite]) }),
  z.object({ kind: z.literal('resize'), width: nat, height: nat }),
  z.object({ kind: z.literal('crop'), left: finite, top: finite, width: nat, height: nat }),
]);

/** common/geometry GridTransform: rebuilds the cell-to-pixel mapping (views.ts cellMapping). */
const gridTransform = z.object({
  mode: z.enum(['crop', 'pad', 'resize']),
  imageWidth: nat,
  imageHeight: nat,
  inputWidth: nat,
  inputHeight: nat,
  scaleX: finite,
  scaleY: finite,
  offsetX: finite,
  offsetY: finite,
  steps: z.array(preprocessStep),
  gridWidth: nat,
  gridHeight: nat,
});

/** [rows, cols] of an image's token grid. */
const tokenGrid = z.tuple([nat, nat]);

/** How an input was made from the original image I. */
const inputRule = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('original') }),
  /** I cropped to `box` (original pixels, ends exclusive). */
  z.object({ kind: z.literal('crop'), box }),
  /** I with `cells` of I's grid filled by `fill` (`rects`: those cells' rectangles on I, fractional; the fill rounds them outwards and clips them to I). */
  z.object({ kind: z.literal('mask'), cells: z.array(nat), rects: z.array(z.tuple([finite, finite, finite, finite])), fill: z.string() }),
  /** mask(I) cropped to `box`. */
  z.object({ kind: z.literal('mask-crop'), box, cells: z.array(nat), fill: z.string() }),
  /** Forward diffusion noise on I's normalised pixels at `step` of `steps`, from `seed` (the PNG shows it clipped to 0..255). */
  z.object({ kind: z.literal('noise'), step: nat, steps: nat, seed: int }),
]);

/** One image the model got. */
const inputSchema = z.object({
  role: z.enum(INPUT_ROLES),
  /** Its PNG, relative to the record folder (inputFileName). */
  file: z.string(),
  /** Pixel size of the PNG: the image as the vision encoder got it, after preprocessing. */
  width: nat,
  height: nat,
  /** Pixel size of the view before preprocessing (I: the original; I+: the box). */
  sourceWidth: nat,
  sourceHeight: nat,
  /** Its own token grid [rows, cols]. */
  grid: tokenGrid,
  /** The view's pixels to the model input and its grid (cellMapping rebuilds each cell's rectangle on the view). */
  geometry: gridTransform,
  rule: inputRule,
  /** The streams it was fed in, in words ('query pass', 'positive [I, I+]', ...); [] = made only to derive another input. */
  fedIn: z.array(z.string()),
  /** The tensor with its attention maps ([T, L, H, N] or [L, H, N]); null when none was recorded. */
  attention: z.string().nullable(),
});

/** Which input an attention tensor lies on, and that input's grid. */
const mapInfo = z.object({ input: z.enum(INPUT_ROLES), grid: tokenGrid });

function recordOf<L extends z.ZodType>(logit: L) {
  const step = stepOf(logit);
  return z.object({
    format: z.literal(RECORD_FORMAT),
    version: z.literal(RECORD_VERSION),
    createdAt: z.string(),
    /** sha256 of what the cache is keyed by (cache.ts). */
    cacheKey: z.string().regex(/^[0-9a-f]{64}$/),
    method: z.enum(METHOD_IDS),
    /** Every knob of the method, defaults included, as the run used them. */
    knobs: z.record(z.string(), z.unknown()),
    /** Defaults carried over to this model (knobs.ts), one sentence each. */
    knobNotes: z.array(z.string()),
    question: z.string(),
    prompt: z.object({
      instruction: z.string(),
      systemPrompt: z.string().nullable(),
      templateSource: z.string(),
      /** The rendered query prompt (placeholders not expanded). */
      queryText: z.string(),
      /** The rendered no-query / generic prompt, when the method has one. */
      otherText: z.string().nullable(),
      /** Tokens prefilled once and shared by the query and no-query passes (0 = from scratch). */
      sharedPrefix: nat,
      maxNewTokens: nat,
      topCandidates: nat,
    }),
    bundle: z.object({
      /** sha256 of manifest.json. */
      id: z.string().regex(/^[0-9a-f]{64}$/),
      dir: z.string(),
      name: z.string(),
      layers: nat,
      heads: nat,
      vocab: nat,
      /** The family ('llava', 'qwen2-vl'); records before model families were LLaVA's. */
      architecture: z.string().default('llava'),
      /**
       * How views reach the vision tower: 'fixed-grid' (LLaVA: every view, the crop included, is
       * resized onto one square grid) or 'native-resolution' (Qwen2-VL: each view, the crop I+
       * included, is re-encoded at its own resolution within min/max pixels, on its own grid).
       */
      viewEncoding: z.enum(['fixed-grid', 'native-resolution']).default('fixed-grid'),
      /** Native resolution: the smart_resize [minPixels, maxPixels] every view of this run was resized within (the bundle's, or the run's own). */
      pixelBounds: z.tuple([nat, nat]).nullable().default(null),
      /** The fixed input side, tokens per image and [gh, gw] grid; null on a native-resolution model (each view's own grid is in `geometry`). */
      imageSize: nat.nullable(),
      tokensPerImage: nat.nullable(),
      grid: tokenGrid.nullable(),
      preprocessing: z.enum(['pad', 'crop', 'smart-resize']),
      provider: z.string(),
    }),
    image: z.object({ path: z.string(), hash: z.string().regex(/^[0-9a-f]{64}$/), width: nat, height: nat }),
    /** How I was fed to the model; cellMapping(geometry) places every grid cell on the original image. */
    geometry: gridTransform,
    /** Every image the model got, I first (see the header). */
    inputs: z.array(inputSchema).min(1),
    answer: z.string(),
    answerTokens: z.array(nat),
    stopReason: z.enum(['eos', 'stop-string', 'max-tokens']),
    /** Greedy decoding on I with the same prompt (the vanilla answer). */
    baselineAnswer: z.string(),
    baselineTokens: z.array(nat),
    baselineSteps: z.array(step),
    /** VAQ per layer (Eq. 5), or null for methods without it (vanilla, vicrop-rel, vcd). */
    vaq: z.array(finite).nullable(),
    /** VAQ per head (Eq. 4), layers x heads. */
    vaqHeads: z.array(z.array(finite)).nullable(),
    /** Read-out positions VAQ averaged over (1 = the prefill). */
    vaqPositions: nat.nullable(),
    /** The layer whose attention made the map (chosen or fixed). */
    layer: nat.nullable(),
    layerChoice: z.object({ mode: z.enum(['argmax', 'fixed']), searched: z.tuple([nat, nat]) }).nullable(),
    /** Heads averaged into the map, best first. */
    mapHeads: z.array(nat).nullable(),
    /** Attention mass the question added at the chosen layer, before normalisation. */
    mapMass: finite.nullable(),
    /** 'no-activation': the map had no positive mass, so the full image was used and nothing masked. */
    fallback: z.literal('no-activation').nullable(),
    /** [x0, y0, x1, y1] in original-image pixels, x1/y1 exclusive; null when the method crops nothing. */
    box: box.nullable(),
    /** The crop rule's details; `degenerate` means the box is the whole image. */
    crop: z.looseObject({ rule: z.enum(['centroid', 'topk-bbox', 'vicrop-window']), degenerate: z.boolean() }).nullable(),
    /** Masked grid cells, best first. */
    maskedCells: z.array(nat),
    /** vicrop-rel: cells whose generic-prompt attention was 0 (ratio undefined, set to 0). */
    undefinedCells: z.array(nat).nullable(),
    decoding: z.object({
      kind: z.enum(['greedy', 'vat']),
      /** What the positive / negative streams were. */
      positive: z.string(),
      negative: z.string().nullable(),
      alpha: finite.nullable(),
      apcBeta: finite.nullable(),
    }),
    steps: z.array(step),
    /** Milliseconds per stage (stages.ts) and `total`. */
    timings: z.record(z.string(), finite),
    tensors: z.object({
      file: z.literal(RECORD_TENSOR_FILE),
      names: z.array(z.string()),
      /** Every attention-map tensor (the last axis or two are cells of one input's grid): its input and grid. */
      maps: z.record(z.string(), mapInfo),
    }),
  });
}

/** The record as record.json holds it and as the API carries it (non-finite logits as strings). */
export const recordJsonSchema = recordOf(logitText);
/** The record as loaded (non-finite logits as numbers). */
export const recordSchema = recordOf(logitNumber);

/** A record in memory (non-finite logits as numbers). */
export type AnalysisRecord = z.output<typeof recordSchema>;
/** A record in its JSON form (non-finite logits as strings). */
export type AnalysisRecordJson = z.output<typeof recordJsonSchema>;
export type RecordStep = AnalysisRecord['steps'][number];
export type RecordInput = AnalysisRecord['inputs'][number];
export type InputRule = RecordInput['rule'];

/** The grid [rows, cols] a map tensor lies on, as the record states it; throws when the record does not state it. */
export function mapGrid(record: Pick<AnalysisRecord, 'tensors'>, name: string): [number, number] {
  const info = record.tensors.maps[name];
  if (!info) throw new RangeError(`The record does not say which grid tensor "${name}" lies on.`);
  return [info.grid[0], info.grid[1]];
}

/** The input of a role, or null when the method did not make it. */
export function recordInput(record: Pick<AnalysisRecord, 'inputs'>, role: InputRole): RecordInput | null {
  return record.inputs.find((i) => i.role === role) ?? null;
}

export type RecordTensor = { dtype: 'F32'; shape: number[]; data: Float32Array } | { dtype: 'F64'; shape: number[]; data: Float64Array };
export type RecordTensors = Partial<Record<RecordTensorName, RecordTensor>>;

/** record.json text: non-finite numbers as strings (see the header). */
export function recordToJson(record: AnalysisRecord): string {
  return JSON.stringify(record, (_key, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v), 2) + '\n';
}

/** The JSON form of a record, as a value (what record.json parses to). */
export function recordToJsonValue(record: AnalysisRecord): AnalysisRecordJson {
  return JSON.parse(recordToJson(record)) as AnalysisRecordJson;
}

/** I's token grid as the record states it (`geometry`): the grid of every I map (a_q, a_0, A, M), LLaVA's fixed one or an any-resolution model's own. */
export function recordGrid(r: Pick<AnalysisRecord, 'geometry'>): { gh: number; gw: number } {
  return { gh: r.geometry.gridHeight, gw: r.geometry.gridWidth };
}
