/**
 * From the decoder's `attn_last` ([B, L, H, K]: the last new position's attention onto all K keys)
 * to LASER's read-out a_c[L, H, Nv]: the attention onto the grid tokens of one image, raw
 * probabilities over the full key sequence (the spec's default; knob `renormalize` rescales later).
 */
import { attentionStack, type AttentionStack } from '../../common/laser/index.ts';

export interface AttentionLayout {
  layers: number;
  heads: number;
}

/**
 * `row`: the batch row; `keys`: K; `gridStart`: the key index of the first grid token (the image
 * run's start plus the tokens before the grid, CLS for the 'full' strategy); `cells`: Nv.
 */
export function visualAttention(attnLast: Float32Array, layout: AttentionLayout, row: number, keys: number, gridStart: number, cells: number): AttentionStack {
  const { layers, heads } = layout;
  const perRow = layers * heads * keys;
  if (attnLast.length % perRow !== 0 || (row + 1) * perRow > attnLast.length) {
    throw new RangeError(`attn_last holds ${attnLast.length} values; row ${row} of [B, ${layers}, ${heads}, ${keys}] is not in it.`);
  }
  if (gridStart < 0 || gridStart + cells > keys) throw new RangeError(`Grid tokens ${gridStart}..${gridStart + cells - 1} are outside the ${keys} keys.`);
  const out = new Float32Array(layers * heads * cells);
  for (let r = 0; r < layers * heads; r++) {
    const src = row * perRow + r * keys + gridStart;
    out.set(attnLast.subarray(src, src + cells), r * cells);
  }
  return attentionStack(layers, heads, cells, out);
}
