/**
 * The decoding steps as a table: per generated token, the top candidates with their positive (z+),
 * negative (z-) and fused (s) logits. Logits come in record.json form, where -Infinity (a token the
 * plausibility constraint ruled out) is the string "-Infinity"; they are shown as −∞.
 */
import type { AnalysisRecordJson } from '../../../common/contract/methods.ts';

export type JsonStep = AnalysisRecordJson['steps'][number];
export type JsonLogit = JsonStep['candidates'][number]['positive'];

export function logitNumber(v: JsonLogit): number {
  return typeof v === 'number' ? v : Number(v);
}

/** Two decimals with a true minus sign; ±∞ and NaN spelled out. */
export function formatLogit(v: JsonLogit | null): string {
  if (v === null) return '';
  const n = logitNumber(v);
  if (Number.isNaN(n)) return 'NaN';
  if (n === Infinity) return '+∞';
  if (n === -Infinity) return '−∞';
  const s = n.toFixed(2);
  return s.startsWith('-') ? `\u2212${s.slice(1)}` : s;
}

export interface CandidateRow {
  token: number;
  text: string;
  positive: JsonLogit;
  negative: JsonLogit | null;
  fused: JsonLogit;
  /** The token the step chose. */
  chosen: boolean;
}

export interface StepRows {
  /** From 1, as the exported decoding table numbers them. */
  step: number;
  token: number;
  text: string;
  /** z+ alone would have chosen another of the recorded candidates: contrastive decoding changed this token. */
  flipped: boolean;
  candidates: CandidateRow[];
}

/** Descending, NaN last. */
function byFusedDesc(a: CandidateRow, b: CandidateRow): number {
  const x = logitNumber(a.fused);
  const y = logitNumber(b.fused);
  if (Number.isNaN(x) || Number.isNaN(y)) return Number.isNaN(x) ? (Number.isNaN(y) ? 0 : 1) : -1;
  return x === y ? 0 : y > x ? 1 : -1;
}

/** Each step's best `k` candidates by fused score, the chosen one always among them. */
export function decodingRows(steps: readonly JsonStep[], k: number): StepRows[] {
  return steps.map((s, i) => {
    const all: CandidateRow[] = s.candidates.map((c) => ({ ...c, chosen: c.token === s.token }));
    const sorted = [...all].sort(byFusedDesc);
    const top = sorted.slice(0, Math.max(1, k));
    const chosen = sorted.find((c) => c.chosen);
    if (chosen && !top.includes(chosen)) top[top.length - 1] = chosen;
    let best: CandidateRow | null = null;
    for (const c of all) if (best === null || logitNumber(c.positive) > logitNumber(best.positive)) best = c;
    return { step: i + 1, token: s.token, text: s.text, flipped: best !== null && best.token !== s.token, candidates: top };
  });
}
