/** The six methods by name: each runs the shared query phase, then its own steps. */
import type { AnyKnobs, KnobsOf } from '../../../common/laser/index.ts';
import { queryPhase, type MethodOutcome, type QueryPhase, type RunContext } from './context.ts';
import { runLaserFamily } from './laser.ts';
import { runVanilla } from './vanilla.ts';
import { runVcd } from './vcd.ts';
import { runVicrop } from './vicrop.ts';

export { type MethodOutcome, type QueryPhase, type RunContext, type RunOptions } from './context.ts';

/** Whether the method makes mask(I) like I (modelInput's `like`), so that I must keep its resize: the methods with a counterfactual. */
export function masksLikeInput(method: AnyKnobs['method']): boolean {
  return method === 'laser' || method === 'static-layer';
}

export async function runMethodSteps(ctx: RunContext, run: AnyKnobs): Promise<{ phase: QueryPhase; outcome: MethodOutcome }> {
  switch (run.method) {
    case 'vanilla': {
      const phase = await queryPhase(ctx, null);
      return { phase, outcome: runVanilla(ctx, phase) };
    }
    case 'vcd': {
      const phase = await queryPhase(ctx, null);
      return { phase, outcome: await runVcd(ctx, phase, run.knobs) };
    }
    case 'vicrop-rel': {
      const phase = await queryPhase(ctx, 'generic');
      return { phase, outcome: await runVicrop(ctx, phase, run.knobs) };
    }
    case 'laser':
    case 'static-layer':
    case 'laser-crop': {
      const k: KnobsOf<'laser'> | KnobsOf<'static-layer'> | KnobsOf<'laser-crop'> = run.knobs;
      const phase = await queryPhase(ctx, k.noQueryPrompt, k.vaqSteps === 'answer');
      return { phase, outcome: await runLaserFamily(ctx, phase, k) };
    }
  }
}
