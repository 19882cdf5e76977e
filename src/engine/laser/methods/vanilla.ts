/** `vanilla`: greedy decoding on I. The answer is the baseline itself. */
import type { MethodOutcome, QueryPhase, RunContext } from './context.ts';
import { positionsTensor } from './tensors.ts';

export function runVanilla(_ctx: RunContext, phase: QueryPhase): MethodOutcome {
  return {
    answer: phase.baseline,
    decoding: { kind: 'greedy', positive: '[I]', negative: null, alpha: null, apcBeta: null },
    analysis: {},
    tensors: { a_q: positionsTensor(phase.queryAt) },
    inputs: [],
    imageFedIn: [],
  };
}
