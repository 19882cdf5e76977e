/**
 * The knobs of one run, complete and checked against the model. `parseKnobs` (common/laser) fills
 * in the spec's defaults and checks ranges that hold for any model; this adds what depends on the
 * model: layer indices must exist, and the LLaVA-1.5-7B defaults that make no sense for another
 * model are carried over to it, with a note in the record saying what was changed and why.
 *
 * Carried over, only when the caller left the knob out:
 * - `layer` (vicrop-rel) and `fixedLayer` (static-layer), ViCrop's layer 14 of LLaVA-1.5-7B's 32: on
 *   a model with 14 layers or fewer it does not exist, so the same relative depth is used,
 *   round(14 * (L - 1) / 31).
 * - `windowBase`, ViCrop's bbox_size, which is by definition the model's input side (336 for
 *   LLaVA-1.5): it becomes this model's input side.
 */
import { WorkbenchError } from '../../common/contract/errors.ts';
import { parseKnobs, type KnobsOf, type MethodId } from '../../common/laser/index.ts';
import type { ModelFacts } from './model.ts';

import { REFERENCE_LAYERS, relativeDepthLayer } from '../../common/laser/knobs.ts';
export { relativeDepthLayer };
const REFERENCE_INPUT_SIDE = 336;

export interface ResolvedKnobs<M extends MethodId = MethodId> {
  method: M;
  knobs: KnobsOf<M>;
  /** One sentence per default that was carried over to this model. */
  notes: string[];
}

function given(partial: object, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(partial, key) && (partial as Record<string, unknown>)[key] !== undefined;
}

function layerError(method: MethodId, knob: string, value: unknown, layers: number): WorkbenchError {
  const range = knob === 'layerRange' ? `[lo, hi] with 0 <= lo <= hi <= ${layers - 1}` : `an integer in 0..${layers - 1}`;
  return new WorkbenchError(
    'bad-request',
    `Knob ${knob} of ${method} is ${JSON.stringify(value)}; it must be ${range}, since this model has ${layers} layers.`,
    `Change ${knob}, or leave it out for the default.`,
  );
}

export function resolveKnobs<M extends MethodId>(method: M, partial: unknown, model: ModelFacts): ResolvedKnobs<M> {
  const knobs = parseKnobs(method, partial) as Record<string, unknown>;
  const input = partial as object;
  const notes: string[] = [];
  const L = model.layers;
  for (const key of ['layer', 'fixedLayer'] as const) {
    if (!(key in knobs) || knobs[key] === null) continue;
    const v = knobs[key] as number;
    if (v < L) continue;
    if (given(input, key)) throw layerError(method, key, v, L);
    const carried = relativeDepthLayer(v, L);
    knobs[key] = carried;
    notes.push(
      `${key}: the default ${v} is LLaVA-1.5-7B's (${REFERENCE_LAYERS} layers); this model has ${L}, so the same relative depth, ${carried}, was used.`,
    );
  }
  if ('windowBase' in knobs && !given(input, 'windowBase') && model.imageSize !== null && model.imageSize !== REFERENCE_INPUT_SIDE) {
    knobs.windowBase = model.imageSize;
    notes.push(`windowBase: the default ${REFERENCE_INPUT_SIDE} is LLaVA-1.5's input side; this model's is ${model.imageSize}, which was used.`);
  }
  const range = knobs.layerRange as readonly [number, number] | null | undefined;
  if (range && range[1] >= L) throw layerError(method, 'layerRange', range, L);
  return { method, knobs: knobs as KnobsOf<M>, notes };
}
