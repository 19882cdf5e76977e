/**
 * Every knob of every method the workbench runs side by side, with the spec's defaults
 * (shared/spec/laser-method.md) and ranges. `parseKnobs` turns a partial request into the complete,
 * validated set that a run records verbatim, so a result can always say exactly how it was made.
 *
 * Defaults are for LLaVA-1.5 (336 px input, ViCrop's magic layer 14); a caller for another model
 * passes its own `windowBase` / `layer` / `fixedLayer` (Qwen2.5-VL: 224 and 22, as in ViCrop).
 *
 * Count knobs (kPatch, topkCells): a number in (0, 1) is a fraction of the Nv visual tokens, an
 * integer >= 1 a count (cells.ts). topkCells defaults to the same 5.5 % as kPatch, so that by default
 * the topk-bbox crop frames exactly the cells the counterfactual masks: the crop shows the evidence
 * that the negative removes.
 */
import { z } from 'zod';
import { WorkbenchError } from '../contract/errors.ts';

export const METHOD_IDS = ['vanilla', 'vicrop-rel', 'static-layer', 'laser-crop', 'vcd', 'laser'] as const;
export type MethodId = (typeof METHOD_IDS)[number];

/** LLaVA-1.5-7B's layer count, whose numbers the spec's defaults are. */
export const REFERENCE_LAYERS = 32;

/** Layer `referenceLayer` of LLaVA-1.5-7B at the same relative depth of a model with `layers` layers. */
export function relativeDepthLayer(referenceLayer: number, layers: number): number {
  return Math.min(layers - 1, Math.round((referenceLayer * (layers - 1)) / (REFERENCE_LAYERS - 1)));
}

export function isMethodId(v: unknown): v is MethodId {
  return typeof v === 'string' && (METHOD_IDS as readonly string[]).includes(v);
}

const layerIndex = z.number().int().min(0);
const countKnob = z
  .number()
  .positive()
  .refine((v) => v < 1 || Number.isInteger(v));

/** The shared LASER knobs, each with its spec default. */
const shared = {
  /** Rescale attention rows to sum 1 over the visual span before anything else. */
  renormalize: z.boolean().default(false),
  /** What the no-query pass (step 2) keeps of the prompt. */
  noQueryPrompt: z.enum(['instruction-only', 'empty', 'generic']).default('instruction-only'),
  /** Heads averaged per layer (Eq. 5) and in the map (step 7); capped at the model's head count. */
  kHead: z.number().int().min(1).default(8),
  /** Which positions VAQ is read at: the prefill, or averaged over the teacher-forced baseline answer. */
  vaqSteps: z.enum(['prefill', 'answer']).default('prefill'),
  cropRule: z.enum(['centroid', 'topk-bbox', 'vicrop-window']).default('centroid'),
  /** topk-bbox: cells in the bounding box, fraction of Nv or count. */
  topkCells: countKnob.default(0.055),
  /** vicrop-window: ViCrop's bbox_size, the model's input side in pixels. */
  windowBase: z.number().int().min(2).default(336),
  /** Smallest crop side in pixels, unless the image itself is smaller. */
  minCropSide: z.number().int().min(1).default(224),
};

const layerChoice = {
  /** Restrict the layer search to [lo, hi] inclusive; null = all layers. */
  layerRange: z
    .tuple([layerIndex, layerIndex])
    .refine(([lo, hi]) => lo <= hi)
    .nullable()
    .default(null),
  /** Use this layer instead of the argmax (the static-layer baseline); null = argmax. */
  fixedLayer: layerIndex.nullable().default(null),
};

const counterfactual = {
  /** Cells masked in the negative, fraction of Nv or count (5.5 % = 32 of 576). */
  kPatch: countKnob.default(0.055),
  fill: z.enum(['mean', 'gray127', 'black', 'blur']).default('mean'),
  /** 'pair': [I, I+] vs [mask(I), I-]; 'crop-only': I+ vs I-. */
  feed: z.enum(['pair', 'crop-only']).default('pair'),
  /** VAT strength: s = (1 + alpha) z+ - alpha z-. */
  alpha: z.number().min(0).default(1),
  /** VCD's adaptive plausibility constraint; null = off, 0.1 is the usual value. */
  apcBeta: z.number().gt(0).max(1).nullable().default(null),
};

const notBoth = (k: { layerRange: unknown; fixedLayer: unknown }): boolean => k.layerRange === null || k.fixedLayer === null;
const notBothMessage = { message: 'fixedLayer and layerRange exclude each other: set one of them, or neither.' };

export const knobSchemas = {
  vanilla: z.strictObject({}),
  'vicrop-rel': z.strictObject({
    /** ViCrop's fixed layer (LLaVA-1.5: 14, Qwen2.5-VL: 22). */
    layer: layerIndex.default(14),
    windowBase: shared.windowBase,
    /** Added to the generic-prompt attention before dividing; ViCrop adds none. */
    epsilon: z.number().min(0).default(0),
  }),
  /** The full LASER pipeline with the layer fixed instead of chosen ("fixedLayer turns LASER into the static-layer baseline"). */
  'static-layer': z.strictObject({
    ...shared,
    fixedLayer: layerIndex.default(14),
    ...counterfactual,
  }),
  /** LASER's localisation and crop, answered by plain greedy decoding on [I, I+]: no mask, no VAT. */
  'laser-crop': z.strictObject({ ...shared, ...layerChoice }).refine(notBoth, notBothMessage),
  vcd: z.strictObject({
    /** Diffusion step of the noise, of 1000. */
    noiseStep: z.number().int().min(0).max(999).default(500),
    alpha: z.number().min(0).default(1),
    /** APC beta; VCD always applies it. */
    beta: z.number().gt(0).max(1).default(0.1),
    /** Seed of the noise, so the negative image can be made again. */
    seed: z.number().int().min(0).max(0xffffffff).default(0),
  }),
  laser: z.strictObject({ ...shared, ...layerChoice, ...counterfactual }).refine(notBoth, notBothMessage),
} as const;

export type KnobSchemas = typeof knobSchemas;
export type KnobsOf<M extends MethodId> = z.output<KnobSchemas[M]>;
export type KnobInput<M extends MethodId> = z.input<KnobSchemas[M]>;
export type AnyKnobs = { [M in MethodId]: { method: M; knobs: KnobsOf<M> } }[MethodId];

/** Each knob's range in words, for error messages and the UI. */
export const KNOB_RANGES: Readonly<Record<string, string>> = {
  renormalize: 'true or false',
  noQueryPrompt: "'instruction-only', 'empty' or 'generic'",
  kHead: 'an integer >= 1 (capped at the number of heads when used)',
  vaqSteps: "'prefill' or 'answer'",
  cropRule: "'centroid', 'topk-bbox' or 'vicrop-window'",
  topkCells: 'a fraction in (0, 1) of the visual tokens, or an integer count >= 1',
  windowBase: 'an integer >= 2 (pixels)',
  minCropSide: 'an integer >= 1 (pixels)',
  layerRange: 'null or [lo, hi], integers with 0 <= lo <= hi (and hi below the layer count)',
  fixedLayer: 'null or an integer >= 0 (below the layer count)',
  kPatch: 'a fraction in (0, 1) of the visual tokens, or an integer count >= 1',
  fill: "'mean', 'gray127', 'black' or 'blur'",
  feed: "'pair' or 'crop-only'",
  alpha: 'a finite number >= 0',
  apcBeta: 'null (off) or a number in (0, 1]',
  layer: 'an integer >= 0 (below the layer count)',
  epsilon: 'a finite number >= 0',
  noiseStep: 'an integer in 0..999',
  beta: 'a number in (0, 1]',
  seed: 'an integer in 0..4294967295',
};

/** Knob ranges that depend on the method (static-layer needs an actual layer). */
const METHOD_RANGES: Partial<Record<MethodId, Readonly<Record<string, string>>>> = {
  'static-layer': { fixedLayer: 'an integer >= 0 (below the layer count)' },
};

export function knobNames(method: MethodId): string[] {
  return Object.keys(knobSchemas[method].shape);
}

export function defaultKnobs<M extends MethodId>(method: M): KnobsOf<M> {
  return parseKnobs(method, {});
}

function describe(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (typeof value === 'number') return String(value);
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/**
 * Fills in defaults and validates. Refuses unknown methods, unknown knobs and out-of-range values
 * with a 'bad-request' WorkbenchError that names the knob and its range.
 */
export function parseKnobs<M extends MethodId>(method: M, partial: unknown = {}): KnobsOf<M> {
  if (!isMethodId(method)) {
    throw new WorkbenchError('bad-request', `Unknown method ${describe(method)}.`, `Methods are: ${METHOD_IDS.join(', ')}.`);
  }
  if (partial === null || typeof partial !== 'object' || Array.isArray(partial)) {
    throw new WorkbenchError(
      'bad-request',
      `Knobs for ${method} must be an object, got ${describe(partial)}.`,
      'Pass an object of knob values, or {} for the defaults.',
    );
  }
  const result = knobSchemas[method].safeParse(partial);
  if (result.success) return result.data as KnobsOf<M>;
  const issue = result.error.issues[0];
  if (issue === undefined)
    throw new WorkbenchError('bad-request', `Knobs for ${method} were refused without a reason.`, 'Check the knob values against the method spec.');
  if (issue.code === 'unrecognized_keys') {
    throw new WorkbenchError(
      'bad-request',
      `Unknown knob ${issue.keys.map((k) => `'${k}'`).join(', ')} for method ${method}.`,
      `Knobs of ${method}: ${knobNames(method).join(', ') || 'none'}.`,
    );
  }
  const knob = issue.path.length > 0 ? String(issue.path[0]) : null;
  if (knob === null) throw new WorkbenchError('bad-request', `Knobs for ${method}: ${issue.message}`, 'Change one of the two knobs.');
  const value = (partial as Record<string, unknown>)[knob];
  const range = METHOD_RANGES[method]?.[knob] ?? KNOB_RANGES[knob] ?? 'as the method spec says';
  const fallback = (knobSchemas[method].parse({}) as Record<string, unknown>)[knob];
  throw new WorkbenchError(
    'bad-request',
    `Knob ${knob} of ${method} is ${describe(value)}; it must be ${range}.`,
    `Change ${knob}, or leave it out for the default (${describe(fallback)}).`,
  );
}
