/**
 * The `laser.methods` answer: each method with its knobs described for a form, derived from the
 * knob schemas in common/laser/knobs.ts (types, bounds, options, defaults) and its range sentences
 * (KNOB_RANGES), so the UI holds no second copy of the spec. Only the prose is written here.
 */
import { z } from 'zod';
import type { KnobDescriptor, LaserMethodInfo } from '../../common/contract/methods.ts';
import { KNOB_RANGES, METHOD_IDS, knobSchemas, type MethodId } from '../../common/laser/knobs.ts';

export const METHOD_DESCRIPTIONS: Record<MethodId, string> = {
  vanilla: 'Greedy decoding on the image: the baseline answer.',
  'vicrop-rel':
    "ViCrop: attention at a fixed layer divided by the same for a generic prompt; a crop found by ViCrop's sliding window; answered on the image and the crop.",
  'static-layer': "LASER's pipeline with the layer fixed instead of chosen per question (the 'magic layer' ablation).",
  'laser-crop': "LASER's layer choice and crop, answered by plain decoding on the image and the crop (no counterfactual, no VAT).",
  vcd: 'Visual Contrastive Decoding: decoding against the image with diffusion noise.',
  laser: 'LASER: the layer chosen per question by VAQ, a crop there, and decoding contrasted against the image with the evidence masked (VAT).',
};

/** Knobs whose numbers are a fraction of the visual tokens in (0, 1) or a count >= 1 (knobs.ts). */
const COUNT_KNOBS = new Set(['kPatch', 'topkCells']);

/** Model-dependent defaults that a run adapts when the knob is left out (engine/laser/knobs.ts). */
const ADAPTED = ' Left out, the LLaVA-1.5 default is adapted to the model.';

export const KNOB_DESCRIPTIONS: Record<string, string> = {
  renormalize: 'Rescale attention rows to sum 1 over the visual tokens before anything else.',
  noQueryPrompt: 'What the no-query pass keeps of the prompt: the instruction only, nothing, or a generic description request.',
  kHead: 'Heads averaged per layer for VAQ and in the localisation map (capped at the number of heads).',
  vaqSteps: 'Where VAQ is read: at the prefill, or averaged over the teacher-forced baseline answer.',
  cropRule: 'How the crop box is drawn from the map: around its centroid, around its top cells, or by ViCrop’s sliding window.',
  topkCells: 'topk-bbox: the cells the box is drawn around.',
  windowBase: "vicrop-window: ViCrop's box size, the model's input side in pixels." + ADAPTED,
  minCropSide: 'Smallest crop side in pixels, unless the image itself is smaller.',
  layerRange: 'Restrict the layer search to [lo, hi] inclusive; empty = all layers.',
  fixedLayer: 'Use this layer instead of the one with the largest VAQ.' + ADAPTED,
  kPatch: 'Cells of the map masked in the counterfactual image.',
  fill: 'What the masked cells are filled with.',
  feed: 'What the two streams see: image and crop (pair), or the crop only.',
  alpha: 'Contrast strength: s = (1 + alpha) z+ - alpha z-.',
  apcBeta: "VCD's adaptive plausibility constraint; empty = off, 0.1 is the usual value.",
  layer: "ViCrop's fixed layer." + ADAPTED,
  epsilon: 'Added to the generic-prompt attention before dividing; ViCrop adds none.',
  noiseStep: 'Diffusion step of the noise, of 1000.',
  beta: "VCD's adaptive plausibility constraint (always on in VCD).",
  seed: 'Seed of the noise, so the negative image can be made again.',
};

type JsonSchema = {
  type?: string;
  enum?: unknown[];
  default?: unknown;
  minimum?: number;
  exclusiveMinimum?: number;
  maximum?: number;
  anyOf?: JsonSchema[];
};

function bound(v: number | undefined): number | null {
  return v === undefined || Math.abs(v) >= Number.MAX_SAFE_INTEGER ? null : v;
}

function kindOf(name: string, s: JsonSchema): KnobDescriptor['kind'] {
  if (s.type === 'boolean') return 'boolean';
  if (s.enum) return 'enum';
  if (s.type === 'array') return 'layer-range';
  if (s.type === 'integer') return 'integer';
  if (s.type === 'number') return COUNT_KNOBS.has(name) ? 'count' : 'number';
  throw new Error(`Knob ${name} has a type the form cannot show (${JSON.stringify(s)}).`);
}

export function describeKnob(name: string, schema: JsonSchema): KnobDescriptor {
  const nullable = schema.anyOf?.some((b) => b.type === 'null') ?? false;
  const s = nullable ? schema.anyOf!.find((b) => b.type !== 'null')! : schema;
  const range = KNOB_RANGES[name] ?? 'as the method spec says';
  const item = s.type === 'array' ? ((s as { prefixItems?: JsonSchema[] }).prefixItems?.[0] ?? {}) : s;
  return {
    name,
    kind: kindOf(name, s),
    default: schema.default ?? null,
    nullable,
    min: bound(item.minimum ?? item.exclusiveMinimum),
    max: bound(item.maximum),
    minExclusive: item.exclusiveMinimum !== undefined,
    options: s.enum ? s.enum.map(String) : null,
    // A knob that is nullable elsewhere (fixedLayer) is not in every method.
    range: nullable ? range : range.replace(/^null( \([^)]*\))? or /, ''),
    description: KNOB_DESCRIPTIONS[name] ?? '',
  };
}

export function laserMethods(): LaserMethodInfo[] {
  return METHOD_IDS.map((id) => {
    const json = z.toJSONSchema(knobSchemas[id], { io: 'input', unrepresentable: 'any' }) as { properties?: Record<string, JsonSchema> };
    return {
      id,
      description: METHOD_DESCRIPTIONS[id],
      knobs: Object.entries(json.properties ?? {}).map(([name, s]) => describeKnob(name, s)),
    };
  });
}
