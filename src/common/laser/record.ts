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
 * The schema is zod only (no Node), so a viewer can validate a record with it anywhere: it lives in
 * src/common so that the API contract can carry records (`recordJsonSchema`, the record.json form,
 * since a JSON transport would turn -Infinity into null).
 */
import { z } from 'zod';
import { METHOD_IDS } from './knobs.ts';

export const RECORD_FORMAT = 'laser-record';
export const RECORD_VERSION = 1;
export const RECORD_JSON = 'record.json';
export const RECORD_TENSOR_FILE = 'tensors.safetensors';

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
      grid: z.tuple([nat, nat]).nullable(),
      preprocessing: z.enum(['pad', 'crop', 'smart-resize']),
      provider: z.string(),
    }),
    image: z.object({ path: z.string(), hash: z.string().regex(/^[0-9a-f]{64}$/), width: nat, height: nat }),
    /** How I was fed to the model; cellMapping(geometry) places every grid cell on the original image. */
    geometry: gridTransform,
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
    tensors: z.object({ file: z.literal(RECORD_TENSOR_FILE), names: z.array(z.string()) }),
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
