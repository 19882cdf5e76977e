/**
 * The numbers that make a figure reproducible, in one line: model and bundle, method, layer and how
 * it was chosen, every knob, the question and the record. Figures carry it in their metadata (SVG
 * <desc>, PDF Subject), the same from `laser figure` and from the app's export.
 */
import type { AnalysisRecord } from './record.ts';

export function figureProvenance(
  r: Pick<AnalysisRecord, 'bundle' | 'method' | 'layer' | 'layerChoice' | 'knobs' | 'question' | 'cacheKey' | 'createdAt' | 'prompt'>,
): string {
  const knobs = Object.entries(r.knobs)
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
    .join(' ');
  const layer = r.layer === null ? 'no layer' : `layer ${r.layer} (${r.layerChoice?.mode === 'fixed' ? 'fixed' : 'argmax of VAQ'})`;
  return [
    `model ${r.bundle.name} (bundle ${r.bundle.id.slice(0, 12)}, ${r.bundle.layers} layers x ${r.bundle.heads} heads, ${r.bundle.preprocessing})`,
    `method ${r.method}`,
    layer,
    `knobs ${knobs || 'none'}`,
    `max new tokens ${r.prompt.maxNewTokens}`,
    `question ${JSON.stringify(r.question)}`,
    `record ${r.cacheKey.slice(0, 16)} (${r.createdAt})`,
  ].join('; ');
}
