/** A compile's progress as a bar and a line of text: which phase, how far, how many tensors and bytes. */
import type { CompileProgress } from '../../../common/contract/methods.ts';
import { formatBytes } from '../common/format.ts';

/** 0..1, by bytes (the weights phase writes, the hashing phase reads); 0 while nothing is known. */
export function compileFraction(p: CompileProgress): number {
  if (p.bytesTotal > 0) return Math.min(1, Math.max(0, p.bytesDone / p.bytesTotal));
  if (p.tensorsTotal > 0) return Math.min(1, p.tensorsDone / p.tensorsTotal);
  return 0;
}

export function compileLabel(p: CompileProgress): string {
  const pct = `${Math.floor(compileFraction(p) * 100)}%`;
  const bytes = p.bytesTotal > 0 ? `${formatBytes(p.bytesDone)} of ${formatBytes(p.bytesTotal)}` : '';
  if (p.stage === 'weights') {
    const tensors = p.tensorsTotal > 0 ? `${p.tensorsDone} / ${p.tensorsTotal} tensors` : '';
    return ['Converting weights', pct, tensors, bytes].filter(Boolean).join(' · ');
  }
  return ['Hashing the bundle', pct, bytes].filter(Boolean).join(' · ');
}
