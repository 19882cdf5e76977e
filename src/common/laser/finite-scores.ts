/**
 * Whether a run's scores are numbers at all. A model with NaN in its weights (or one that
 * overflowed in float16) yields NaN attention, NaN VAQ and NaN logits: the layer "chosen" from NaN
 * scores and the empty answer are meaningless, and a cached record would replay them forever. So a
 * run checks what it computed before it is returned or cached, and names the first bad value.
 *
 * Logits may be -Infinity (a masked token) but never NaN; everything else must be finite.
 */
import type { AnalysisRecord, RecordTensors } from './record.ts';

/** Where the first non-finite score is (`vaq[3]`, `tensor a_q[17]`, `step 0 logit of token 12`), or null. */
export function firstNonFiniteScore(record: Pick<AnalysisRecord, 'vaq' | 'vaqHeads' | 'steps'>, tensors: RecordTensors): string | null {
  const vaq = record.vaq ?? [];
  for (let i = 0; i < vaq.length; i++) if (!Number.isFinite(vaq[i])) return `vaq[${i}] is ${vaq[i]}`;
  const heads = record.vaqHeads ?? [];
  for (const [l, row] of heads.entries()) for (const [h, v] of row.entries()) if (!Number.isFinite(v)) return `vaqHeads[${l}][${h}] is ${v}`;
  for (const [name, t] of Object.entries(tensors)) {
    if (!t) continue;
    const d = t.data;
    for (let i = 0; i < d.length; i++) if (!Number.isFinite(d[i])) return `tensor ${name}[${i}] is ${d[i]}`;
  }
  for (const [s, step] of record.steps.entries()) {
    for (const c of step.candidates) {
      for (const [which, v] of [
        ['positive', c.positive],
        ['negative', c.negative],
        ['fused', c.fused],
      ] as const) {
        if (v !== null && Number.isNaN(v)) return `step ${s}: the ${which} logit of token ${c.token} is NaN`;
      }
    }
  }
  return null;
}
