/**
 * The CLIP vision tower as LLaVA uses it (transformers' CLIPVisionTransformer, v4.45), up to the
 * hidden state LLaVA selects:
 *
 *   x = cat(class_embedding, patch_embedding(pixels).flatten(2).T) + position_embedding   [N, 1+P, E]
 *   hidden_states[0] = pre_layrnorm(x)
 *   hidden_states[j+1] = layer_j(hidden_states[j]):   h = h + attn(layer_norm1(h));  h = h + mlp(layer_norm2(h))
 *
 * `vision_feature_layer` picks hidden_states[k] (Python indexing, negative from the end); only the k
 * layers it needs are built, and post_layernorm is never applied (LLaVA does not use it). The
 * `default` strategy drops the CLS token, `full` keeps it.
 */
import type { ClipVisionConfig } from '../../checkpoint/hf-config.ts';
import type { Value } from '../../onnx/graph.ts';
import { activation, layerNorm, linear, type Ctx } from '../../compiler/nn.ts';

export interface ClipOptions {
  /** Non-negative index into hidden_states (0 = embeddings after pre_layrnorm). */
  hiddenStateIndex: number;
  strategy: 'default' | 'full';
  /** Checkpoint prefix: 'vision_tower.vision_model' in LLaVA. */
  prefix: string;
}

/** CLIPAttention (eager): q is scaled by hd^-0.5 before q k^T; softmax over keys; no mask. */
function attention(ctx: Ctx, cfg: ClipVisionConfig, p: string, x: Value): Value {
  const { g } = ctx;
  const E = cfg.hiddenSize;
  const H = cfg.numAttentionHeads;
  const hd = E / H;
  const split = (v: Value, perm: number[]) => g.transpose(g.reshape(v, [0, 0, H, hd]), perm);
  const q = split(g.mul(linear(ctx, x, `${p}.q_proj`, E, E, true), hd ** -0.5), [0, 2, 1, 3]); // [N, H, T, hd]
  const kT = split(linear(ctx, x, `${p}.k_proj`, E, E, true), [0, 2, 3, 1]); // [N, H, hd, T]
  const v = split(linear(ctx, x, `${p}.v_proj`, E, E, true), [0, 2, 1, 3]);
  const probs = g.softmax(g.matmul(q, kT), -1);
  const context = g.reshape(g.transpose(g.matmul(probs, v), [0, 2, 1, 3]), [0, 0, E]);
  return linear(ctx, context, `${p}.out_proj`, E, E, true);
}

function encoderLayer(ctx: Ctx, cfg: ClipVisionConfig, p: string, h: Value): Value {
  const { g } = ctx;
  const E = cfg.hiddenSize;
  const eps = cfg.layerNormEps;
  const attn = g.scope('self_attn', () => attention(ctx, cfg, `${p}.self_attn`, layerNorm(ctx, h, `${p}.layer_norm1`, E, eps)));
  const h1 = g.add(h, attn);
  const mlp = g.scope('mlp', () => {
    const up = activation(g, cfg.hiddenAct, linear(ctx, layerNorm(ctx, h1, `${p}.layer_norm2`, E, eps), `${p}.mlp.fc1`, E, cfg.intermediateSize, true));
    return linear(ctx, up, `${p}.mlp.fc2`, cfg.intermediateSize, E, true);
  });
  return g.add(h1, mlp);
}

/** pixel_values [N, C, S, S] → the selected CLIP hidden state [N, T, E] (T = P or 1 + P). */
export function buildClip(ctx: Ctx, cfg: ClipVisionConfig, pixels: Value, opts: ClipOptions): Value {
  const { g, w } = ctx;
  const E = cfg.hiddenSize;
  const ps = cfg.patchSize;
  const grid = Math.floor(cfg.imageSize / ps);
  const P = grid * grid;
  const p = opts.prefix;
  if (opts.hiddenStateIndex < 0 || opts.hiddenStateIndex > cfg.numHiddenLayers)
    throw new RangeError(`CLIP hidden state ${opts.hiddenStateIndex} of 0..${cfg.numHiddenLayers}`);

  let h = g.scope('embeddings', () => {
    const conv = g.initializer(
      `${p}.embeddings.patch_embedding.weight`,
      w.tensor(`${p}.embeddings.patch_embedding.weight`, [E, cfg.numChannels, ps, ps], 'fp32'),
    );
    const patches = g.conv(pixels, conv, null, { kernelShape: [ps, ps], strides: [ps, ps] }); // [N, E, g, g]
    const tokens = g.transpose(g.reshape(patches, [0, E, P]), [0, 2, 1]); // [N, P, E]
    const cls = g.initializer(`${p}.embeddings.class_embedding`, w.tensor(`${p}.embeddings.class_embedding`, [E], 'fp32'));
    const clsRows = g.expand(g.reshape(cls, [1, 1, E]), g.concat([g.dim(pixels, 0), g.ints([1, E])], 0)); // [N, 1, E]
    const pos = g.initializer(`${p}.embeddings.position_embedding.weight`, w.tensor(`${p}.embeddings.position_embedding.weight`, [P + 1, E], 'fp32'));
    return g.add(g.concat([clsRows, tokens], 1), pos);
  });
  h = layerNorm(ctx, h, `${p}.pre_layrnorm`, E, cfg.layerNormEps);
  for (let j = 0; j < opts.hiddenStateIndex; j++) {
    const hin = h;
    h = g.scope(`encoder.layers.${j}`, () => encoderLayer(ctx, cfg, `${p}.encoder.layers.${j}`, hin));
  }
  return opts.strategy === 'default' ? g.slice(h, [1], [P + 1], [1]) : h;
}
