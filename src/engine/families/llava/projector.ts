/**
 * LlavaMultiModalProjector: `linear_2(gelu(linear_1(x)))`, mapping CLIP features (vision hidden
 * size) to the language model's hidden size. GELU is the exact erf form (projector_hidden_act
 * "gelu").
 */
import type { Value } from '../../onnx/graph.ts';
import { activation, linear, type Ctx } from '../../compiler/nn.ts';

export interface ProjectorSpec {
  visionHidden: number;
  textHidden: number;
  bias: boolean;
  /** Checkpoint prefix: 'multi_modal_projector'. */
  prefix: string;
}

export function buildProjector(ctx: Ctx, spec: ProjectorSpec, x: Value): Value {
  return ctx.g.scope('multi_modal_projector', () => {
    const hidden = linear(ctx, x, `${spec.prefix}.linear_1`, spec.visionHidden, spec.textHidden, spec.bias);
    return linear(ctx, activation(ctx.g, 'gelu', hidden), `${spec.prefix}.linear_2`, spec.textHidden, spec.textHidden, spec.bias);
  });
}
