/**
 * Eq. 3: contrastive attention A[l,h,:] = ReLU(a_q[l,h,:] - a_0[l,h,:]), per head and before any
 * averaging. Attention that the image draws whatever the question (sinks, borders) cancels; what is
 * left is the attention the question added.
 */
import { assertSameShape, renormalizeVisualSpan, type AttentionStack } from './attention.ts';

export interface ContrastiveOptions {
  /** Knob `renormalize`: rescale each row of a_q and a_0 to sum 1 over the visual span first. */
  renormalize?: boolean;
}

export function contrastiveAttention(query: AttentionStack, noQuery: AttentionStack, options: ContrastiveOptions = {}): AttentionStack {
  assertSameShape(query, noQuery, 'Contrastive attention');
  const q = options.renormalize ? renormalizeVisualSpan(query) : query;
  const z = options.renormalize ? renormalizeVisualSpan(noQuery) : noQuery;
  const out = new Float64Array(q.data.length);
  for (let i = 0; i < out.length; i++) {
    const d = q.data[i]! - z.data[i]!;
    out[i] = d > 0 ? d : 0;
  }
  return { layers: q.layers, heads: q.heads, tokens: q.tokens, data: out };
}
