/**
 * The LLaMA language model as decoder.onnx (docs/bundle-format.md), following transformers'
 * modeling_llama (v4.45, eager attention) module by module:
 *
 *   h = inputs_embeds
 *   per layer:  h = h + o_proj(attn(rope(q_proj(n)), rope(k_proj(n)), v_proj(n)))   n = input_layernorm(h)
 *               h = h + down_proj(silu(gate_proj(n)) * up_proj(n))                  n = post_attention_layernorm(h)
 *   logits = lm_head(norm(h))   (lm_head = embed_tokens when the embeddings are tied)
 *
 * Attention is eager attention: `softmax(q k^T / sqrt(hd) + mask)` in float32, where `mask` is 0 for
 * keys a query may see (key j <= P + i and attention_mask[j] = 1) and float32 min otherwise, added,
 * not substituted, as HF does. Keys and values of the new tokens are appended to the past cache
 * (keys stored after RoPE) and returned as `present.*`. GQA: each KV head serves its
 * `heads / kvHeads` query heads (HF's repeat_kv), here by grouping the queries per KV head instead
 * of copying the cache.
 *
 * Attention taps: `attn_last` [B, L, H, P+S] is, for every layer, the last query row of the very
 * softmax that weights the values (a Slice of it, no recomputation).
 */
import type { LlamaConfig } from '../checkpoint/hf-config.ts';
import type { Value } from '../onnx/graph.ts';
import { GraphBuilder } from '../onnx/ops.ts';
import { activation, embedding, linear, project, rmsNorm, type Ctx } from './nn.ts';
import { applyRotary, mropeCosSin, rotaryCosSin } from './rope.ts';

export interface DecoderOptions {
  /** Emit `attn_last` (default true). false only to measure what the taps cost. */
  taps?: boolean;
  /**
   * Add input `attn_layer` (int64 scalar) and output `attn_full` [B, H, S, P+S]: every new query's
   * attention in that layer ([B, H, 0, P+S] when attn_layer is outside 0..L-1). Each layer's
   * softmax goes through a Slice that keeps all its rows for that layer and none for the others,
   * so the graph costs the same as without when unused.
   */
  fullAttention?: boolean;
  /** Checkpoint prefix of the language model: 'language_model.' in LLaVA, '' in Qwen2-VL. */
  prefix: string;
  /** q_proj, k_proj and v_proj have biases (Qwen2); o_proj never does. Default false (LLaMA). */
  qkvBias?: boolean;
  /**
   * Multimodal RoPE sections [t, h, w] (Qwen2-VL): position_ids become [3, B, S]. Default null:
   * 1-D position_ids [B, S] with the config's rope scaling.
   */
  mropeSection?: readonly [number, number, number] | null;
}

const FLOAT32_MIN = -3.4028234663852886e38;

interface Shared {
  /** [B, 1, S, T] additive mask: 0 where visible, float32 min where not. */
  mask: Value;
  /** cos and sin of the rotary angles as [B, S, 1, hd]: for heads laid out [B, S, heads, hd]. */
  cos: Value;
  sin: Value;
}

/**
 * mask[b, 0, i, j] = 0 if j <= P + i and attention_mask[b, j] != 0, else float32 min, where
 * T = P + S is attention_mask's length and S the number of new tokens.
 */
function attentionMask(ctx: Ctx, attentionMask: Value, inputsEmbeds: Value): Value {
  const { g } = ctx;
  return g.scope('causal_mask', () => {
    const total = g.squeeze(g.dim(attentionMask, 1), [0]);
    const fresh = g.squeeze(g.dim(inputsEmbeds, 1), [0]);
    const keys = g.range(0, total, 1); // [T]
    const queries = g.range(g.sub(total, fresh), total, 1); // [S]: absolute indices P .. T-1
    const causal = g.lessOrEqual(g.unsqueeze(keys, [0]), g.unsqueeze(queries, [1])); // [S, T]
    const real = g.unsqueeze(g.cast(attentionMask, 'bool'), [1, 2]); // [B, 1, 1, T]
    return g.where(g.and(causal, real), 0, g.scalar('float32', FLOAT32_MIN));
  });
}

interface AttentionOut {
  /** o_proj output [B, S, D] */
  out: Value;
  /** [B, KVH, T, hd] */
  presentKey: Value;
  presentValue: Value;
  /** The last query's row [B, 1, H, T], or null without taps. */
  tap: Value | null;
  /** The softmax [B, H, S, T]. */
  probs: Value;
}

function selfAttention(
  ctx: Ctx,
  cfg: LlamaConfig,
  p: string,
  x: Value,
  shared: Shared,
  pastKey: Value,
  pastValue: Value,
  taps: boolean,
  bias: boolean,
): AttentionOut {
  const { g } = ctx;
  const H = cfg.numAttentionHeads;
  const KVH = cfg.numKeyValueHeads;
  const hd = cfg.headDim;
  const D = cfg.hiddenSize;
  // [B, S, n*hd] -> [B, n, S, hd]
  const heads = (v: Value, n: number) => g.transpose(g.reshape(v, [0, 0, n, hd]), [0, 2, 1, 3]);
  // Scopes name the parts in profiles (bench/profile.ts): projections, rope, kv_cache, then the core.
  // Queries and keys side by side as H + KVH heads of [B, S, H + KVH, hd], rotated by one RoPE (the
  // same elementwise products as rotating each, with 6 nodes per layer fewer: a decode step runs
  // ~400 kernels, most of them tiny, see `npm run bench -- runtime`), then one transpose to
  // [B, H + KVH, S, hd] and a Split into q and k.
  const qk = g.reshape(g.concat([linear(ctx, x, `${p}.q_proj`, D, H * hd, bias), linear(ctx, x, `${p}.k_proj`, D, KVH * hd, bias)], -1), [0, 0, H + KVH, hd]);
  const vNew = heads(linear(ctx, x, `${p}.v_proj`, D, KVH * hd, bias), KVH);
  const rotated = g.transpose(
    g.scope('rope', () => applyRotary(g, qk, shared.cos, shared.sin, hd)),
    [0, 2, 1, 3],
  );
  const [q, kNew] = g.split(rotated, [H, KVH], 1);
  if (q === undefined || kNew === undefined) throw new Error('Split gave fewer than two outputs');
  const [presentKey, presentValue] = g.scope('kv_cache', () => [g.concat([pastKey, kNew], 2), g.concat([pastValue, vNew], 2)]);
  // GQA without repeat_kv's copies: query head h = kv * rep + r reads KV head kv, so the queries are
  // grouped by KV head, [B, H, S, hd] -> [B, KVH, rep * S, hd] (row r * S + i), and multiply the
  // KV cache as it is; scores and context go back to [B, H, S, ...] by reshapes. The same products
  // as expanding K and V to H heads (HF's repeat_kv), without writing two H-head copies of the
  // whole cache in every layer of every call.
  const rep = H / KVH;
  const grouped = (v: Value) => (rep === 1 ? v : g.reshape(v, [0, KVH, -1, 0])); // [B, H, S, x] -> [B, KVH, rep * S, x]
  const ungrouped = (v: Value, last: number) => (rep === 1 ? v : g.reshape(v, [0, H, -1, last])); // and back (last 0 = keep)
  const [probs, context] = g.scope('core', () => {
    const scores = g.add(ungrouped(g.div(g.matmul(grouped(q), g.transpose(presentKey, [0, 1, 3, 2])), Math.sqrt(hd)), 0), shared.mask);
    const p = g.softmax(scores, -1); // [B, H, S, T]
    const heads = ungrouped(g.matmul(grouped(p), presentValue), hd); // [B, H, S, hd]
    return [p, g.reshape(g.transpose(heads, [0, 2, 1, 3]), [0, 0, H * hd])];
  });
  // The tap: probs[:, :, -1:, :] as [B, 1, H, T] (a reshape, as the sliced axis has size 1), named
  // so that profiles can tell the taps apart.
  const tap = taps ? g.scope('attn_tap', () => g.reshape(g.slice(probs, [-1], [Number.MAX_SAFE_INTEGER], [2]), [0, 1, H, -1])) : null;
  return { out: linear(ctx, context, `${p}.o_proj`, H * hd, D, false), presentKey, presentValue, tap, probs };
}

function mlp(ctx: Ctx, cfg: LlamaConfig, p: string, x: Value): Value {
  const D = cfg.hiddenSize;
  const I = cfg.intermediateSize;
  const gate = activation(ctx.g, cfg.hiddenAct, linear(ctx, x, `${p}.gate_proj`, D, I, false));
  return linear(ctx, ctx.g.mul(gate, linear(ctx, x, `${p}.up_proj`, D, I, false)), `${p}.down_proj`, I, D, false);
}

/** Builds decoder.onnx's graph into ctx.g: inputs, every layer, logits, presents and taps. */
export function buildDecoder(ctx: Ctx, cfg: LlamaConfig, opts: DecoderOptions): void {
  const { g } = ctx;
  const L = cfg.numHiddenLayers;
  const H = cfg.numAttentionHeads;
  const KVH = cfg.numKeyValueHeads;
  const hd = cfg.headDim;
  const D = cfg.hiddenSize;
  const V = cfg.vocabSize;
  const taps = opts.taps ?? true;
  const m = `${opts.prefix}model`;

  const embeds = g.input('inputs_embeds', 'float32', ['batch', 'sequence', D]);
  const mask = g.input('attention_mask', 'int64', ['batch', 'total_sequence']);
  const mrope = opts.mropeSection ?? null;
  const positions = mrope ? g.input('position_ids', 'int64', [3, 'batch', 'sequence']) : g.input('position_ids', 'int64', ['batch', 'sequence']);
  const past: [Value, Value][] = [];
  for (let i = 0; i < L; i++) {
    past.push([
      g.input(`past_key_values.${i}.key`, 'float32', ['batch', KVH, 'past_sequence', hd]),
      g.input(`past_key_values.${i}.value`, 'float32', ['batch', KVH, 'past_sequence', hd]),
    ]);
  }

  const rope = { headDim: hd, theta: cfg.ropeTheta, scaling: cfg.ropeScaling, maxPositionEmbeddings: cfg.maxPositionEmbeddings };
  const { cos, sin } = mrope ? mropeCosSin(g, rope, mrope, positions) : rotaryCosSin(g, rope, positions);
  // [B, 1, S, hd] -> [B, S, 1, hd] (the heads-last layout selfAttention rotates in), once per call.
  const tokensFirst = (v: Value) => g.scope('rotary_emb', () => g.transpose(v, [0, 2, 1, 3]));
  const shared: Shared = { mask: attentionMask(ctx, mask, embeds), cos: tokensFirst(cos), sin: tokensFirst(sin) };

  const attnLayer = opts.fullAttention ? g.input('attn_layer', 'int64', []) : null;
  // attn_full without control flow: layer i gives rows [0, end_i) of its softmax, end_i = S when
  // attn_layer = i and 0 otherwise (an empty slice). The ends are computed once per call. (Until
  // compiler 2.2.0 an Equal + If per layer did this: 4-8 % of a decode step's kernel time.)
  const fullEnds = attnLayer
    ? g.scope('attn_full', () => {
        const hit = g.equal(g.ints(past.map((_, i) => i)), attnLayer); // [L]
        return g.split(g.where(hit, g.dim(embeds, 1), g.scalar('int64', 0)), Array<number>(L).fill(1), 0); // L x [1]
      })
    : null;
  let h = embeds;
  const tapRows: Value[] = [];
  const fullRows: Value[] = [];
  for (const [i, [pastKey, pastValue]] of past.entries()) {
    const p = `${m}.layers.${i}`;
    g.scope(`layers.${i}`, () => {
      const attn = g.scope('self_attn', () =>
        selfAttention(
          ctx,
          cfg,
          `${p}.self_attn`,
          rmsNorm(ctx, h, `${p}.input_layernorm`, D, cfg.rmsNormEps),
          shared,
          pastKey,
          pastValue,
          taps,
          opts.qkvBias ?? false,
        ),
      );
      h = g.add(h, attn.out);
      h = g.add(
        h,
        g.scope('mlp', () => mlp(ctx, cfg, `${p}.mlp`, rmsNorm(ctx, h, `${p}.post_attention_layernorm`, D, cfg.rmsNormEps))),
      );
      g.output(attn.presentKey, `present.${i}.key`, ['batch', KVH, 'total_sequence', hd]);
      g.output(attn.presentValue, `present.${i}.value`, ['batch', KVH, 'total_sequence', hd]);
      // What must run in this layer (see below): the tap, the attn_full rows.
      const reads: Value[] = [];
      if (attn.tap) {
        tapRows.push(attn.tap);
        reads.push(g.reduceSum(attn.tap, [0, 1, 2, 3], false));
      }
      const end = fullEnds?.[i];
      if (end) {
        const rows = g.scope('attn_full', () => g.slice(attn.probs, [0], end, [2])); // [B, H, S or 0, T]
        fullRows.push(rows);
        reads.push(g.cast(g.reduceSum(g.shape(rows), [0], false), 'float32'));
      }
      // onnxruntime runs nodes in a depth-first order from the graph's outputs, which left every
      // layer's tap Slice and attn_full rows beside the final Concats, so all L layers' probs [B, H, S, T]
      // stayed alive until the end of each call (1.03 GB at LLaVA-1.5-13B's shape in a 256-token
      // chunk). Adding zero made from their outputs to h makes the next layer depend on them: they run
      // in their own layer and its probs are freed there. h + 0 is exactly h (the reads are finite:
      // sums of probabilities and of a shape).
      const [first, ...more] = reads;
      if (first)
        h = g.scope('taps_done', () =>
          g.add(
            h,
            g.mul(
              more.reduce((sum, r) => g.add(sum, r), first),
              0,
            ),
          ),
        );
    });
  }

  const normed = rmsNorm(ctx, h, `${m}.norm`, D, cfg.rmsNormEps);
  // Tied embeddings: lm_head.weight is embed_tokens.weight (HF ties them; the checkpoint has no lm_head).
  const head = cfg.tieWordEmbeddings ? `${m}.embed_tokens.weight` : `${opts.prefix}lm_head.weight`;
  const logits = project(ctx, normed, head, 'lm_head.weight', D, V, ctx.quant?.lmHead ? ctx.quant : null);
  g.output(logits, 'logits', ['batch', 'sequence', V]);
  if (taps)
    g.output(
      g.scope('attn_tap', () => g.concat(tapRows, 1)),
      'attn_last',
      ['batch', L, H, 'total_sequence'],
    );
  if (attnLayer)
    g.output(
      g.scope('attn_full', () => g.concat(fullRows, 2)),
      'attn_full',
      ['batch', H, 'attn_full_rows', 'total_sequence'],
    );
}

/** decoder.onnx (or, with `fullAttention`, decoder-attention.onnx) of a LLaMA-shaped language model, as its own graph. */
export function buildDecoderGraph(ctx: Omit<Ctx, 'g'>, cfg: LlamaConfig, opts: DecoderOptions): GraphBuilder {
  const g = new GraphBuilder(opts.fullAttention ? 'decoder_attention' : 'decoder');
  buildDecoder({ ...ctx, g }, cfg, opts);
  return g;
}

/** embed.onnx: input_ids [B, S] → inputs_embeds [B, S, D], a row gather of the table `tableName` (`<prefix>model.embed_tokens.weight`). */
export function buildEmbedGraph(ctx: Omit<Ctx, 'g'>, cfg: LlamaConfig, tableName: string): GraphBuilder {
  const g = new GraphBuilder('embed');
  const ids = g.input('input_ids', 'int64', ['batch', 'sequence']);
  g.output(embedding({ ...ctx, g }, ids, tableName, cfg.vocabSize, cfg.hiddenSize), 'inputs_embeds', ['batch', 'sequence', cfg.hiddenSize]);
  return g;
}
