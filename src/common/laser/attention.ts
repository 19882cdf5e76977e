/**
 * The attention read-out LASER works on: for one prompt condition, the post-softmax attention of the
 * last prompt position onto the visual tokens, for every decoder layer and head, row-major
 * [layers, heads, tokens]. Shapes travel with the data so a mismatch is caught where it happens,
 * not three functions later as a silently wrong map.
 */

export type FloatArray = Float32Array | Float64Array;

export interface AttentionStack {
  readonly layers: number;
  readonly heads: number;
  readonly tokens: number;
  /** Row-major [layers, heads, tokens]; entry (l, h, j) is at (l * heads + h) * tokens + j. */
  readonly data: FloatArray;
}

function assertPositiveInt(name: string, v: number): void {
  if (!Number.isInteger(v) || v < 1) throw new RangeError(`${name} must be a positive integer, got ${v}.`);
}

/** Builds a stack, checking that the data has exactly layers * heads * tokens entries. */
export function attentionStack(layers: number, heads: number, tokens: number, data: FloatArray): AttentionStack {
  assertPositiveInt('layers', layers);
  assertPositiveInt('heads', heads);
  assertPositiveInt('tokens', tokens);
  const expected = layers * heads * tokens;
  if (data.length !== expected) {
    throw new RangeError(`Attention data has ${data.length} values; [${layers}, ${heads}, ${tokens}] needs ${expected}.`);
  }
  return { layers, heads, tokens, data };
}

export function sameShape(a: AttentionStack, b: AttentionStack): boolean {
  return a.layers === b.layers && a.heads === b.heads && a.tokens === b.tokens;
}

export function assertSameShape(a: AttentionStack, b: AttentionStack, what: string): void {
  if (!sameShape(a, b)) {
    throw new RangeError(`${what}: shapes differ, [${a.layers}, ${a.heads}, ${a.tokens}] vs [${b.layers}, ${b.heads}, ${b.tokens}].`);
  }
}

export function assertLayer(stack: AttentionStack, layer: number): void {
  if (!Number.isInteger(layer) || layer < 0 || layer >= stack.layers) {
    throw new RangeError(`Layer ${layer} is outside 0..${stack.layers - 1}.`);
  }
}

/** Offset of row (layer, head) in the data. */
export function rowOffset(stack: AttentionStack, layer: number, head: number): number {
  return (layer * stack.heads + head) * stack.tokens;
}

/** A copy of one head's attention row over the visual tokens. */
export function headRow(stack: AttentionStack, layer: number, head: number): Float64Array {
  const o = rowOffset(stack, layer, head);
  return Float64Array.from(stack.data.subarray(o, o + stack.tokens));
}

/** Mean over the given heads (all heads when omitted) of one layer's rows. */
export function headMean(stack: AttentionStack, layer: number, heads?: readonly number[]): Float64Array {
  assertLayer(stack, layer);
  const chosen = heads ?? Array.from({ length: stack.heads }, (_, h) => h);
  if (chosen.length === 0) throw new RangeError('headMean needs at least one head.');
  const out = new Float64Array(stack.tokens);
  for (const h of chosen) {
    const o = rowOffset(stack, layer, h);
    for (let j = 0; j < stack.tokens; j++) out[j]! += stack.data[o + j]!;
  }
  for (let j = 0; j < stack.tokens; j++) out[j]! /= chosen.length;
  return out;
}

/**
 * Knob `renormalize`: rescales every (layer, head) row to sum 1 over the visual span. The default
 * keeps raw probabilities over the full key sequence, as the spec says; a row that sums to 0 stays 0
 * because there is nothing to rescale.
 */
export function renormalizeVisualSpan(stack: AttentionStack): AttentionStack {
  const out = new Float64Array(stack.data.length);
  for (let r = 0; r < stack.layers * stack.heads; r++) {
    const o = r * stack.tokens;
    let sum = 0;
    for (let j = 0; j < stack.tokens; j++) sum += stack.data[o + j]!;
    if (sum === 0) continue;
    for (let j = 0; j < stack.tokens; j++) out[o + j] = stack.data[o + j]! / sum;
  }
  return { layers: stack.layers, heads: stack.heads, tokens: stack.tokens, data: out };
}
